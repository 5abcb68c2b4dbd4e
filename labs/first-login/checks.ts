import { defineChecks, fail, fileTypeName, keyFingerprint, knownHostKeys, labHost, markerMeaning, pass } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const server = 'server';

export default defineChecks({
  'trust-server': async (lab) => {
    const real = labHost(lab, server);
    const file = await lab.stat(workstation, '~/.ssh/known_hosts');
    if (!file) {
      return fail(
        'There is no ~/.ssh/known_hosts on workstation: ssh has never accepted a host key. Connect with ssh server and answer yes to the fingerprint question.',
      );
    }
    const entries = await knownHostKeys(lab, server);
    if (entries.length === 0) {
      if ((await knownHostKeys(lab, real.address)).length > 0) {
        return fail(
          `~/.ssh/known_hosts on workstation has server's key saved under the address ${real.address}, not under the name server. ssh looks keys up by what you type: connect with ssh server.`,
        );
      }
      return fail('~/.ssh/known_hosts on workstation has no entry for server: ssh has never accepted its key. Connect with ssh server and answer yes.');
    }
    for (const entry of entries) {
      if (entry.key !== real.key) {
        return fail(
          `~/.ssh/known_hosts on workstation holds a key for server (${await keyFingerprint(lab, entry.key)}) that is not the key server really has (${real.fingerprint}). Remove the stale entry with ssh-keygen -R server, then connect again and compare the fingerprint.`,
        );
      }
    }
    // A marked line names the right key but does not make ssh trust it as server's host key.
    const marked = entries.find((entry) => entry.marker);
    if (marked) {
      return fail(
        `~/.ssh/known_hosts on workstation holds server's key in ${markerMeaning(marked.marker)}: ssh does not trust it as server's host key. Remove it with ssh-keygen -R server, then connect with ssh server and answer yes.`,
      );
    }
    return pass(`~/.ssh/known_hosts on workstation holds server's real host key (${real.fingerprint}).`);
  },

  'leave-a-mark': async (lab) => {
    const where = await lab.stat(server, '~/where.txt');
    if (where && where.type !== 'file') {
      return fail(
        `~/where.txt on server is ${fileTypeName(where.type)}, not a file of its own. Remove it and write the output of hostname into ~/where.txt with >.`,
      );
    }
    const onServer = await lab.readFile(server, '~/where.txt');
    if (onServer === null) {
      const onWorkstation = await lab.readFile(workstation, '~/where.txt');
      if (onWorkstation !== null) {
        return fail(
          `~/where.txt exists on workstation, not on server: the command ran on workstation${onWorkstation.trim() ? ` (it says "${onWorkstation.trim()}")` : ''}. Log in with ssh server first and check that the prompt says learner@server.`,
        );
      }
      return fail('There is no ~/where.txt on server yet.');
    }
    const text = onServer.trim();
    if (!text) return fail('~/where.txt on server is empty. Write the output of hostname into it with >.');
    if (text !== server) return fail(`~/where.txt on server says "${text.slice(0, 80)}", not the server's name. Write the output of hostname into it.`);
    return pass('~/where.txt on server says "server": you ran a command there.');
  },
});
