import { clientSettings, defineChecks, fail, pass, type CheckContext } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const sshdPort = 2241;

/** The key lines (type and base64) known_hosts on the workstation holds for one name, hashed entries included. */
async function knownKeys(lab: CheckContext, name: string): Promise<string[]> {
  const result = await lab.exec(workstation, `ssh-keygen -F '${name}' -f ~/.ssh/known_hosts 2>/dev/null`);
  return result.stdout
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split(/\s+/).slice(1, 3).join(' '));
}

export default defineChecks({
  'find-sshd': async (lab) => {
    const server = lab.session.hosts.find((h) => h.name === 'server')!;
    const realKey = server.publicKey.split(' ').slice(0, 2).join(' ');
    for (const name of [`[server]:${sshdPort}`, `[${server.address}]:${sshdPort}`]) {
      const keys = await knownKeys(lab, name);
      if (keys.includes(realKey)) {
        return pass(`~/.ssh/known_hosts on workstation holds server's host key for port ${sshdPort}: you reached its sshd and trusted it.`);
      }
      if (keys.length) return fail(`~/.ssh/known_hosts on workstation holds a key for ${name}, but not the one server's sshd presents. Remove it with ssh-keygen -R '${name}' and connect again.`);
    }
    return fail(
      `~/.ssh/known_hosts on workstation holds no host key for server's sshd yet. ssh records it the first time it reaches sshd on the right port and you accept the key; a port where something else answers, or a refused one, records nothing.`,
    );
  },

  'save-port': async (lab) => {
    const forServer = await clientSettings(lab, 'server');
    if (!forServer.ok) return fail(`ssh cannot read ~/.ssh/config on workstation: ${forServer.reason || 'ssh -G server failed'}. Fix that, then try again.`);
    const port = Number(forServer.get('port'));
    if (port === 22) {
      return fail(`ssh -G server still says port 22: nothing in ~/.ssh/config gives server another port yet. Add a Host server block with a Port line.`);
    }
    const forOthers = await clientSettings(lab, 'workstation');
    if (Number(forOthers.get('port')) === port) {
      return fail(`Port ${port} in ~/.ssh/config applies to every host (ssh -G workstation says port ${port} too). Put it under a Host server line.`);
    }
    const attempt = await lab.exec(
      workstation,
      `ssh -o BatchMode=yes -o ConnectTimeout=5 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null -o LogLevel=ERROR server true`,
    );
    const reached = attempt.code === 0 || /Permission denied/.test(attempt.stderr);
    if (!reached) {
      const why = attempt.stderr.trim().split('\n').at(-1) ?? '';
      if (/Connection refused/.test(why)) return fail(`Your config sends ssh server to port ${port}, where nothing listens: "${why}".`);
      if (/kex_exchange_identification|banner|Connection closed/.test(why)) {
        return fail(`Your config sends ssh server to port ${port}. Something answers there, but it is not sshd: "${why}".`);
      }
      return fail(`ssh server does not reach server's sshd with your config (port ${port}): "${why}".`);
    }
    return pass(`ssh -G server says port ${port}, only server gets it, and plain ssh server reaches its sshd.`);
  },
});
