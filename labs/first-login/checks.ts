import { defineChecks, fail, pass, type CheckContext } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const server = 'server';

/** The server's real host key as "type base64", from the backend that made it. */
function realKey(lab: CheckContext): { key: string; fingerprint: string } {
  const host = lab.session.hosts.find((h) => h.name === server);
  if (!host) throw new Error('this environment has no server');
  const [type, blob] = host.publicKey.trim().split(/\s+/);
  return { key: `${type} ${blob}`, fingerprint: host.fingerprint };
}

/** Keys (as "type base64") that ~/.ssh/known_hosts on the workstation holds for a name; hashed entries included. */
async function knownKeys(lab: CheckContext, name: string): Promise<string[]> {
  const result = await lab.exec(workstation, `ssh-keygen -F ${name} -f ~/.ssh/known_hosts 2>/dev/null`);
  return result.stdout
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) => line.trim().split(/\s+/))
    .map((fields) => (fields[0]?.startsWith('@') ? fields.slice(1) : fields))
    .map((fields) => `${fields[1]} ${fields[2]}`);
}

/** SHA256 fingerprint of a "type base64" key. */
async function fingerprint(lab: CheckContext, key: string): Promise<string> {
  const result = await lab.exec(workstation, 'ssh-keygen -l -f -', { stdin: `${key}\n` });
  return result.stdout.trim().split(/\s+/)[1] ?? 'an unreadable key';
}

export default defineChecks({
  'trust-server': async (lab) => {
    const real = realKey(lab);
    const file = await lab.stat(workstation, '~/.ssh/known_hosts');
    if (!file) {
      return fail(
        'There is no ~/.ssh/known_hosts on workstation: ssh has never accepted a host key. Connect with ssh server and answer yes to the fingerprint question.',
      );
    }
    const keys = await knownKeys(lab, server);
    if (keys.length === 0) {
      const address = lab.session.hosts.find((h) => h.name === server)?.address;
      if (address && (await knownKeys(lab, address)).length > 0) {
        return fail(
          `~/.ssh/known_hosts on workstation has server's key saved under the address ${address}, not under the name server. ssh looks keys up by what you type: connect with ssh server.`,
        );
      }
      return fail('~/.ssh/known_hosts on workstation has no entry for server: ssh has never accepted its key. Connect with ssh server and answer yes.');
    }
    for (const key of keys) {
      if (key !== real.key) {
        return fail(
          `~/.ssh/known_hosts on workstation holds a key for server (${await fingerprint(lab, key)}) that is not the key server really has (${real.fingerprint}). Remove the stale entry with ssh-keygen -R server, then connect again and compare the fingerprint.`,
        );
      }
    }
    return pass(`~/.ssh/known_hosts on workstation holds server's real host key (${real.fingerprint}).`);
  },

  'leave-a-mark': async (lab) => {
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
