import { defineChecks, fail, pass, type CheckContext } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const server = 'server';
/** Written by setup: the hash of the workstation's own ~/settings.conf and the size of the broken-off ~/big.dat. */
const recordDir = '/var/tmp/scp-wildcards';
const report = 'Q3 report.txt';
const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** name -> sha256 of the regular files directly in ~/<dir> on a host, or null when it is not a folder. */
async function folderHashes(lab: CheckContext, host: string, dir: string): Promise<Map<string, string> | null> {
  const result = await lab.exec(host, `cd ~/${dir} 2>/dev/null || exit 3; find . -maxdepth 1 -type f -printf '%P\\0' | sort -z | xargs -0 -r sha256sum`);
  if (result.code === 3) return null;
  const map = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (match) map.set(match[2]!, match[1]!);
  }
  return map;
}

async function digest(lab: CheckContext, host: string, path: string): Promise<string | null> {
  const relative = quote(path.replace(/^~\//, ''));
  const result = await lab.exec(host, `cd ~ && test -f ${relative} && sha256sum < ${relative}`);
  return result.code === 0 ? (result.stdout.split(' ')[0] ?? null) : null;
}

async function record(lab: CheckContext, name: string): Promise<string> {
  const text = await lab.readFile(workstation, `${recordDir}/${name}`);
  if (text === null) throw new Error(`the lab's record ${recordDir}/${name} is missing; end the lab and start a new one`);
  return text.trim();
}

/** The bytes rsync says it received, from its -v summary ("received 2,601,234 bytes") or --stats. */
function receivedBytes(log: string): number | null {
  const matches = [...log.matchAll(/(?:received ([\d,.]+) bytes|Total bytes received: ([\d,.]+))/g)];
  const last = matches.at(-1);
  if (!last) return null;
  return Number((last[1] ?? last[2] ?? '').replace(/[,.]/g, ''));
}

export default defineChecks({
  glob: async (lab) => {
    const remote = await folderHashes(lab, server, 'logs');
    if (!remote) return fail('~/logs on server is missing; end the lab and start a new one.');
    const wanted = [...remote].filter(([name]) => name.endsWith('.log'));
    const fetched = await folderHashes(lab, workstation, 'fetched');
    if (!fetched) return fail('~/fetched on workstation is missing or not a folder. Make it again with mkdir ~/fetched.');
    const nested = await lab.stat(workstation, '~/fetched/logs');
    if (nested?.type === 'directory') {
      return fail(
        "There is a folder ~/fetched/logs on workstation: scp -r copied the folder itself, with everything in it. Remove it (rm -r ~/fetched/logs) and copy only the logs with the quoted pattern 'server:logs/*.log'.",
      );
    }
    const extra = [...fetched.keys()].filter((name) => name !== report && !name.endsWith('.log') && remote.has(name));
    if (extra.length) {
      return fail(
        `~/fetched also holds ${extra.join(', ')}, files that do not end in .log: the pattern was wider than *.log. Remove them (rm ~/fetched/${extra[0]}) and use 'server:logs/*.log'.`,
      );
    }
    const missing = wanted.filter(([name]) => !fetched.has(name)).map(([name]) => name);
    if (missing.length === wanted.length)
      return fail("None of the server's logs is in ~/fetched on workstation yet. Fetch them with one quoted remote pattern.");
    if (missing.length)
      return fail(`${missing.length} of the ${wanted.length} logs are missing from ~/fetched: ${missing.join(', ')}. One quoted pattern fetches them all.`);
    const differ = wanted.filter(([name, hash]) => fetched.get(name) !== hash).map(([name]) => name);
    if (differ.length) return fail(`${differ.join(', ')} in ~/fetched differ from the server's. Copy them again.`);
    return pass(`~/fetched holds exactly the ${wanted.length} .log files of the server's ~/logs, byte for byte, and nothing else from there.`);
  },

  spaces: async (lab) => {
    const original = await digest(lab, server, `~/docs/${report}`);
    if (!original) return fail(`~/docs/${report} on server is missing; end the lab and start a new one.`);
    const copy = await digest(lab, workstation, `~/fetched/${report}`);
    if (copy === original) return pass(`~/fetched/${report} on workstation is an exact copy, space and all.`);
    if (copy) return fail(`~/fetched/${report} differs from the server's. Copy it again.`);
    const near = await lab.exec(workstation, `cd ~ && find . -iname '*q3*' -printf '~/%P\\n' 2>/dev/null`);
    const found = near.stdout.split('\n').filter(Boolean);
    if (found.length)
      return fail(`There is ${found.join(', ')} on workstation, but not ~/fetched/${report}: the copy must keep its name and land in ~/fetched.`);
    return fail(
      `There is no ~/fetched/${report} on workstation yet. Left unquoted, the space splits the name in two ("server:docs/Q3" and "report.txt") and scp finds neither: quote the whole remote path, 'server:docs/${report}'.`,
    );
  },

  overwrite: async (lab) => {
    const mine = await record(lab, 'settings.sha256');
    const shipped = await digest(lab, server, '~/settings.conf');
    if (!shipped) return fail('~/settings.conf on server is missing; end the lab and start a new one.');
    const current = await digest(lab, workstation, '~/settings.conf');
    const kept = await lab.exec(
      workstation,
      `cd ~ && for f in settings.conf* *settings*; do [ -f "$f" ] && printf '%s %s\\n' "$(sha256sum < "$f" | cut -d' ' -f1)" "$f"; done 2>/dev/null`,
    );
    const copies = kept.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => ({ hash: line.slice(0, 64), name: line.slice(65) }));
    const backup = copies.find((c) => c.hash === mine && c.name !== 'settings.conf');
    if (current !== shipped) {
      if (!backup)
        return fail(
          "~/settings.conf on workstation is not the server's version yet. Keep your own version first (cp ~/settings.conf ~/settings.conf.mine), then fetch it with scp.",
        );
      return fail(`Your version is safe in ~/${backup.name}, but ~/settings.conf is not the server's version yet. Fetch it with scp server:settings.conf ~/.`);
    }
    if (!backup) {
      return fail(
        "~/settings.conf now holds the server's version, and your own edits are gone: scp replaced it without asking, and there is no copy left. End the lab and start again to get them back, and this time copy your version aside first.",
      );
    }
    return pass(`~/settings.conf is now the server's version, and your own edits are safe in ~/${backup.name}.`);
  },

  resume: async (lab) => {
    const partial = Number(await record(lab, 'partial.size'));
    const size = await lab.exec(server, 'stat -c %s ~/big.dat');
    const total = Number(size.stdout.trim());
    const [original, copy] = await Promise.all([digest(lab, server, '~/big.dat'), digest(lab, workstation, '~/big.dat')]);
    if (!original || !total) return fail('~/big.dat on server is missing; end the lab and start a new one.');
    if (copy !== original) {
      const now = await lab.stat(workstation, '~/big.dat');
      if (!now) return fail('~/big.dat is missing on workstation. rsync continues a partial file; without it, the download starts over.');
      return fail(`~/big.dat on workstation is ${now.size} of ${total} bytes, not yet the server's file. Finish it with rsync --partial --append-verify.`);
    }
    const log = await lab.readFile(workstation, '~/resume.log');
    if (log === null) {
      return fail(
        `~/big.dat is complete, but there is no ~/resume.log with rsync's report. If you copied it with scp: scp has no resume and sends all ${total} bytes again. Finish the download with rsync -v --partial --append-verify … | tee ~/resume.log.`,
      );
    }
    const received = receivedBytes(log);
    if (received === null)
      return fail('~/resume.log holds no rsync report ("received … bytes"): run rsync with -v and send its output there with | tee ~/resume.log.');
    if (received > total - partial / 2) {
      return fail(
        `rsync received ${received} bytes for a ${total}-byte file: the transfer started over instead of continuing the ${partial} bytes you had. Keep the partial file and use --append-verify.`,
      );
    }
    return pass(`~/big.dat is complete and identical to the server's; rsync received ${received} bytes, not ${total}: only the missing part travelled.`);
  },
});
