import { defineChecks, fail, pass, type CheckContext } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const knownHosts = '~/.ssh/known_hosts';
/** Hosts whose (hashed) entries setup put next to server's, to be kept. */
const otherHosts = ['git.example.org', 'backup.example.org'];

/** The key lines ("type base64") known_hosts on the workstation holds for a name, hashed entries included. */
async function keysFor(lab: CheckContext, name: string): Promise<string[]> {
  const result = await lab.exec(workstation, `ssh-keygen -F '${name}' -f ${knownHosts} 2>/dev/null`);
  return result.stdout
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) => line.trim().split(/\s+/))
    .map((fields) => (fields[0]?.startsWith('@') ? fields.slice(2, 4) : fields.slice(1, 3)).join(' '));
}

function serverKey(lab: CheckContext): string {
  const server = lab.session.hosts.find((h) => h.name === 'server')!;
  return server.publicKey.split(' ').slice(0, 2).join(' ');
}

/** Problems both steps share: a stale key for server, or other hosts' entries thrown away. */
async function commonProblem(lab: CheckContext): Promise<string | null> {
  if ((await lab.stat(workstation, knownHosts)) === null) {
    return `${knownHosts} is gone from workstation, and with it the keys of ${otherHosts.join(' and ')}: ssh will ask you to trust them blind again. Remove one host's entry with ssh-keygen -R instead. (End the lab and start it again to get the file back.)`;
  }
  const stale = (await keysFor(lab, 'server')).filter((k) => k !== serverKey(lab));
  if (stale.length) {
    return `${knownHosts} on workstation still holds the old key for server (${stale.length === 1 ? 'one entry' : `${stale.length} entries`}), so ssh keeps refusing. Its entries are hashed, so grep and sed cannot find the name; ssh-keygen -R server can.`;
  }
  const lost: string[] = [];
  for (const host of otherHosts) if (!(await keysFor(lab, host)).length) lost.push(host);
  if (lost.length) {
    return `The entries for ${lost.join(' and ')} are gone from ${knownHosts}: you removed more than server's old key. ssh-keygen -R server removes just that one. (End the lab and start it again to get them back.)`;
  }
  return null;
}

export default defineChecks({
  'remove-stale': async (lab) => {
    const problem = await commonProblem(lab);
    if (problem) return fail(problem);
    return pass(`The old key for server is gone from ${knownHosts}, and the other hosts' keys are still there.`);
  },

  reconnect: async (lab) => {
    const problem = await commonProblem(lab);
    if (problem) return fail(problem);
    const keys = await keysFor(lab, 'server');
    if (!keys.length) {
      return fail(`${knownHosts} on workstation has no key for server: connect to it again (as ssh server), compare the fingerprint, and answer the question with yes or the fingerprint itself.`);
    }
    return pass(`${knownHosts} on workstation holds exactly server's new key, and the other hosts' keys are untouched.`);
  },
});
