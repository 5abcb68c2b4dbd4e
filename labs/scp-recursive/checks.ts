import { defineChecks, fail, pass, shellQuote, type CheckContext } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const server = 'server';

interface Entry {
  type: 'file' | 'directory' | 'other';
  hash: string;
}

/**
 * Every entry under a folder of the home directory on a host: relative path → type and sha256.
 * null when the folder does not exist, 'file' when the path is not a folder, 'link' when it is a
 * symbolic link (to the original, say: a link is not a copy).
 */
async function listing(lab: CheckContext, host: string, folder: string): Promise<Map<string, Entry> | null | 'file' | 'link'> {
  const script = [
    `cd ~ || exit 2`,
    `[ ! -L ${shellQuote(folder)} ] || exit 5`,
    `[ -e ${shellQuote(folder)} ] || exit 3`,
    `[ -d ${shellQuote(folder)} ] || exit 4`,
    `cd ${shellQuote(folder)} || exit 2`,
    `find . -mindepth 1 -print0 | LC_ALL=C sort -z | while IFS= read -r -d '' p; do`,
    `  p=\${p#./}`,
    `  if [ -L "$p" ]; then printf 'other\\t%s\\t-\\n' "$p"`,
    `  elif [ -d "$p" ]; then printf 'directory\\t%s\\t-\\n' "$p"`,
    `  elif [ -f "$p" ]; then printf 'file\\t%s\\t%s\\n' "$p" "$(sha256sum < "$p" | cut -d' ' -f1)"`,
    `  else printf 'other\\t%s\\t-\\n' "$p"; fi`,
    `done`,
  ].join('\n');
  const result = await lab.exec(host, script);
  if (result.code === 3) return null;
  if (result.code === 4) return 'file';
  if (result.code === 5) return 'link';
  if (result.code !== 0) throw new Error(`cannot list ~/${folder} on ${host}: ${result.stderr.trim()}`);
  const entries = new Map<string, Entry>();
  for (const line of result.stdout.split('\n')) {
    const [type, path, hash] = line.split('\t');
    if (type && path) entries.set(path, { type: type as Entry['type'], hash: hash ?? '-' });
  }
  return entries;
}

const kind = (entry: Entry) => (entry.type === 'directory' ? 'a folder' : entry.type === 'file' ? 'a file' : 'something else');

/**
 * Compares a copy of ~/project with the original, entry by entry in sorted order, and returns
 * the first difference in words, or null when every file and folder is there with equal content.
 */
async function compare(lab: CheckContext, copy: { host: string; folder: string; parent: string; parentHasOthers: boolean }): Promise<string | null> {
  const original = await listing(lab, workstation, 'project');
  if (!original || original === 'file' || original === 'link')
    return '~/project on workstation is missing or not a folder; it is the folder to copy. (Did you move it instead of copying?)';
  const where = `~/${copy.folder}`;
  const on = copy.host;
  const found = await listing(lab, copy.host, copy.folder);
  if (found === 'file') return `${where} on ${on} is a file, not a folder. Remove it and copy the folder again with scp -r.`;
  if (found === 'link')
    return `${where} on ${on} is a symbolic link, not a copy: it shows the same files only while what it points to exists. Remove it (rm ${where}) and copy the folder with scp -r.`;
  if (found === null) {
    const parent = await listing(lab, copy.host, copy.parent);
    if (parent && parent !== 'file' && parent !== 'link' && copy.parentHasOthers) {
      const tops = [...original.keys()].filter((p) => !p.includes('/'));
      if (tops.length && tops.every((p) => parent.has(p))) {
        return `The contents of project landed straight into ~/${copy.parent} on ${on} (~/${copy.parent}/${tops[0]} …), without the project folder around them. Copy the folder itself, not its contents (no /* after it).`;
      }
    }
    return `${where} is missing on ${on}. Copying a folder needs scp -r; without -r, scp skips it ("not a regular file").`;
  }
  if (found.has('project') && !original.has('project')) {
    return `The copy went into ${where}/project: ${where} already existed, so scp -r put the folder inside an existing one instead of making ${where} the copy. Move it up a level (or delete ${where} and copy again).`;
  }
  for (const [path, entry] of original) {
    const other = found.get(path);
    const name = `${where}/${path}`;
    if (!other) return `${name} is missing on ${on} (${kind(entry)} in ~/project/${path} on workstation). The copy is incomplete.`;
    if (other.type !== entry.type) return `${name} on ${on} is ${kind(other)}, but ~/project/${path} on workstation is ${kind(entry)}.`;
    if (entry.type === 'file' && other.hash !== entry.hash) return `${name} on ${on} differs from ~/project/${path} on workstation.`;
  }
  return null;
}

export default defineChecks({
  'copy-tree': async (lab) => {
    const problem = await compare(lab, { host: server, folder: 'backup/project', parent: 'backup', parentHasOthers: true });
    if (problem) return fail(problem);
    return pass('~/backup/project on server holds every file and folder of ~/project, with the same contents, the empty logs folder included.');
  },

  restore: async (lab) => {
    const problem = await compare(lab, { host: workstation, folder: 'restored', parent: '', parentHasOthers: false });
    if (problem) {
      return fail(
        problem.replace('scp -r put the folder inside an existing one', 'scp -r put the folder inside an existing one, and you got ~/restored/project'),
      );
    }
    return pass('~/restored on workstation is an exact copy of ~/project.');
  },
});
