import { defineChecks, fail, pass, type CheckContext } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const server = 'server';
const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** sha256 of a regular file under the user's home on a host, or null when there is none. */
async function digest(lab: CheckContext, host: string, path: string): Promise<string | null> {
  const relative = quote(path.replace(/^~\//, ''));
  const result = await lab.exec(host, `cd ~ && test -f ${relative} && sha256sum < ${relative}`);
  return result.code === 0 ? (result.stdout.split(' ')[0] ?? null) : null;
}

/** Paths (as ~/…) of files with this name anywhere in the home directory on a host. */
async function findByName(lab: CheckContext, host: string, name: string): Promise<string[]> {
  const result = await lab.exec(host, `cd ~ && find . -name ${quote(name)} -type f -printf '~/%P\\n' 2>/dev/null`);
  return result.stdout.split('\n').filter(Boolean);
}

/** Whether a copy at `target` on `to` equals `source` on `from`; a failure message when it does not. */
async function copyProblem(lab: CheckContext, from: string, source: string, to: string, target: string): Promise<string | null> {
  const original = await digest(lab, from, source);
  if (!original) return `${source} on ${from} is missing; it is the file to copy. End the lab and start a new one if you removed it.`;
  const copy = await digest(lab, to, target);
  if (copy === original) return null;
  if (copy) return `${target} on ${to} differs from ${source} on ${from}. Copy it again.`;
  return `There is no ${target} on ${to} yet.`;
}

export default defineChecks({
  put: async (lab) => {
    const problem = await copyProblem(lab, workstation, '~/outbox/notes.md', server, '~/uploads/notes.md');
    if (!problem) return pass('~/uploads/notes.md on server is an exact copy of ~/outbox/notes.md.');
    if (problem.startsWith('There is no')) {
      const uploads = await lab.stat(server, '~/uploads');
      const elsewhere = await findByName(lab, server, 'notes.md');
      if (elsewhere.length) {
        return fail(
          `notes.md is on server as ${elsewhere.join(', ')}, not in ~/uploads: put writes into the server folder sftp is in. ${uploads ? 'cd uploads' : 'mkdir uploads, then cd uploads'} before put.`,
        );
      }
      if (!uploads) return fail('There is no folder ~/uploads on server yet: make it in sftp with mkdir uploads.');
      if (uploads.type !== 'directory') return fail(`~/uploads on server is a ${uploads.type}, not a folder.`);
    }
    return fail(problem);
  },

  get: async (lab) => {
    const problem = await copyProblem(lab, server, '~/reports/q1.csv', workstation, '~/downloads/q1.csv');
    if (!problem) return pass("~/downloads/q1.csv on workstation is an exact copy of the server's ~/reports/q1.csv.");
    if (problem.startsWith('There is no')) {
      const elsewhere = await findByName(lab, workstation, 'q1.csv');
      if (elsewhere.length) {
        return fail(
          `q1.csv landed on workstation as ${elsewhere.join(', ')}, not in ~/downloads: get saves into sftp's local folder, which only lcd changes. lcd downloads before get.`,
        );
      }
    }
    return fail(problem);
  },

  batch: async (lab) => {
    const uploaded = await copyProblem(lab, workstation, '~/outbox/notes.md', server, '~/backup/notes.md');
    const downloaded = await copyProblem(lab, server, '~/reports/q2.csv', workstation, '~/downloads/q2.csv');
    if (!uploaded && !downloaded) return pass('The batch ran: ~/backup/notes.md is on server and ~/downloads/q2.csv on workstation, both exact copies.');
    const keyLogin = await lab.exec(workstation, 'ssh -o BatchMode=yes -o ConnectTimeout=5 server true');
    if (keyLogin.code !== 0) {
      return fail(
        'Your workstation cannot log in to server without a password yet, and sftp -b never asks for a password: it runs ssh in BatchMode, so the batch stops at "Permission denied" before its first command. Make a key (ssh-keygen) and install it with ssh-copy-id server, then run the batch again.',
      );
    }
    const batchFile = await lab.stat(workstation, '~/nightly.sftp');
    if (!batchFile)
      return fail('There is no batch file ~/nightly.sftp on workstation yet. Write the commands into it (nano: save with Ctrl-O and Enter, exit with Ctrl-X).');
    return fail([uploaded, downloaded].filter(Boolean).join(' '));
  },
});
