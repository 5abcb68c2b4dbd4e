import { defineChecks, fail, pass, type CheckContext } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const server = 'server';
/** Written by setup: sha256sum lines of every file of ~/dataset as it was at the start. */
const manifest = '/var/tmp/rsync-lab/original.sha256';
const changed = 'notes.txt';

/** path -> sha256 of every file under ~/<dir> on a host (paths relative to it), or null when it is not a directory. */
async function hashes(lab: CheckContext, host: string, dir = 'dataset'): Promise<Map<string, string> | null> {
  const result = await lab.exec(host, `cd ~/${dir} 2>/dev/null || exit 3; find . -type f -printf '%P\\0' | sort -z | xargs -0 -r sha256sum`);
  if (result.code === 3) return null;
  return parseSums(result.stdout);
}

function parseSums(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (match) map.set(match[2]!, match[1]!);
  }
  return map;
}

async function original(lab: CheckContext): Promise<Map<string, string>> {
  const text = await lab.readFile(workstation, manifest);
  if (text === null) throw new Error(`the lab's record of the original files (${manifest}) is missing; end the lab and start a new one`);
  return parseSums(text);
}

const examples = (paths: string[]) => paths.slice(0, 3).join(', ') + (paths.length > 3 ? ', …' : '');

/** Where the server's copy went wrong, comparing each workstation file with the server's (accepting `alsoOk` content too). */
async function copyProblem(lab: CheckContext, mine: Map<string, string>, alsoOk?: Map<string, string>): Promise<string | null> {
  const theirs = await hashes(lab, server);
  if (!theirs) {
    const home = await lab.exec(server, 'ls -d ~/raw ~/processed ~/notes.txt 2>/dev/null');
    if (home.stdout.trim()) {
      return `The files landed straight in your home directory on server (${home.stdout.trim().split('\n').join(', ')}), not in ~/dataset: name the target folder, server:dataset/.`;
    }
    return `There is no ~/dataset on server yet.`;
  }
  const nested = await lab.exec(server, 'test -d ~/dataset/dataset');
  const missing = [...mine.keys()].filter((p) => !theirs.has(p));
  if (nested.code === 0 && missing.length) {
    return `rsync created ~/dataset/dataset on server: a source without a trailing slash copies the folder itself into the target. Remove it (ssh server rm -r dataset) and sync ~/dataset/ (with the slash) to server:dataset/.`;
  }
  if (missing.length) return `${missing.length} of ${mine.size} files are missing from ~/dataset on server, e.g. ${examples(missing)}.`;
  const differ = [...mine].filter(([p, h]) => theirs.get(p) !== h && alsoOk?.get(p) !== theirs.get(p)).map(([p]) => p);
  if (differ.length) return `${differ.length} files in ~/dataset on server differ from the workstation's, e.g. ${examples(differ)}.`;
  return null;
}

export default defineChecks({
  'first-copy': async (lab) => {
    const [mine, start] = await Promise.all([hashes(lab, workstation), original(lab)]);
    if (!mine) return fail(`~/dataset is missing on workstation. End the lab and start it again.`);
    // Changes made in the later steps (the edited notes.txt) do not undo this one.
    const problem = await copyProblem(lab, mine, start);
    if (problem) return fail(problem);
    return pass(`~/dataset on server holds all ${mine.size} files of your workstation's ~/dataset, byte for byte.`);
  },

  resync: async (lab) => {
    const [mine, start] = await Promise.all([hashes(lab, workstation), original(lab)]);
    if (!mine) return fail(`~/dataset is missing on workstation. End the lab and start it again.`);
    if (!mine.has(changed)) return fail(`~/dataset/${changed} is missing on workstation: change it, do not delete it.`);
    if (mine.get(changed) === start.get(changed)) return fail(`~/dataset/${changed} on workstation is unchanged. Add a line to it first.`);
    const theirs = await hashes(lab, server);
    if (theirs?.get(changed) === start.get(changed)) {
      return fail(`server still has the old ~/dataset/${changed}: your change is only on the workstation. Run the same rsync again.`);
    }
    const problem = await copyProblem(lab, mine);
    if (problem) return fail(problem);
    // rsync writes a changed file anew and leaves the others alone; a full copy writes every file again.
    // So every file other than notes.txt on server must be older (ctime) than the edit on the workstation.
    const edited = Number((await lab.exec(workstation, `find ~/dataset/${changed} -printf '%T@'`)).stdout.trim());
    const times = await lab.exec(server, `cd ~/dataset && find . -type f -printf '%C@ %P\\n'`);
    const rewritten = times.stdout
      .split('\n')
      .map((line) => [Number(line.slice(0, line.indexOf(' '))), line.slice(line.indexOf(' ') + 1)] as const)
      .filter(([ctime, path]) => path && path !== changed && ctime > edited)
      .map(([, path]) => path);
    if (rewritten.length) {
      return fail(
        `${rewritten.length} other files in ~/dataset on server were written again after you edited ${changed} (e.g. ${examples(rewritten)}): the whole folder travelled, not just the change. rsync skips files whose size and modification time match; a copy that did not keep the times (scp, or rsync without -a) makes every file look changed. Change ${changed} once more and sync with rsync -a.`,
      );
    }
    return pass(`server has your new ${changed}, and none of the other ${mine.size - 1} files was written again: only the change travelled.`);
  },

  mirror: async (lab) => {
    const scratch = await lab.stat(workstation, '~/dataset/scratch');
    if (scratch) return fail(`~/dataset/scratch still exists on workstation. Delete it there first.`);
    const mine = await hashes(lab, workstation);
    if (!mine) return fail(`~/dataset is missing on workstation. End the lab and start it again.`);
    const theirs = await hashes(lab, server);
    if (!theirs) return fail(`There is no ~/dataset on server.`);
    const extra = [...theirs.keys()].filter((p) => !mine.has(p));
    if (extra.length) {
      return fail(
        `~/dataset on server still has ${extra.length} files your workstation no longer has, e.g. ${examples(extra)}. rsync only adds and updates files unless you ask it to --delete.`,
      );
    }
    const problem = await copyProblem(lab, mine);
    if (problem) return fail(problem);
    return pass(`~/dataset on server is an exact mirror of the workstation's: same ${mine.size} files, nothing more.`);
  },
});
