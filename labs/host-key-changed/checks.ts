import { defineChecks, fail, knownHostKeys, labHost, markerMeaning, pass, type CheckContext } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const knownHosts = '~/.ssh/known_hosts';
/** Hosts whose (hashed) entries setup put next to server's, to be kept. */
const otherHosts = ['git.example.org', 'backup.example.org'];

const keysFor = (lab: CheckContext, name: string) => knownHostKeys(lab, name, { file: knownHosts });
const serverKey = (lab: CheckContext) => labHost(lab, 'server').key;

/** Problems both steps share: a stale key for server, or other hosts' entries thrown away. */
async function commonProblem(lab: CheckContext): Promise<string | null> {
  if ((await lab.stat(workstation, knownHosts)) === null) {
    return `${knownHosts} is gone from workstation, and with it the keys of ${otherHosts.join(' and ')}: ssh will ask you to trust them blind again. Remove one host's entry with ssh-keygen -R instead. (End the lab and start it again to get the file back.)`;
  }
  // Only a plain entry with another key makes ssh refuse; a @revoked old key is a fine thing to keep.
  const stale = (await keysFor(lab, 'server')).filter((e) => !e.marker && e.key !== serverKey(lab));
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
    const entries = await keysFor(lab, 'server');
    const marked = entries.find((e) => e.marker);
    if (marked) {
      return fail(
        `${knownHosts} on workstation holds server's new key in ${markerMeaning(marked.marker)}: ssh does not trust it as server's host key. Remove it with ssh-keygen -R server, connect again as ssh server and accept the key.`,
      );
    }
    if (!entries.length) {
      return fail(
        `${knownHosts} on workstation has no key for server: connect to it again (as ssh server), compare the fingerprint, and answer the question with yes or the fingerprint itself.`,
      );
    }
    return pass(`${knownHosts} on workstation holds exactly server's new key, and the other hosts' keys are untouched.`);
  },
});
