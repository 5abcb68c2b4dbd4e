import { clientConfig, clientSettings, defineChecks, fail, knownHostKeys, labHost, markerMeaning, pass, reachesSshd } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const sshdPort = 2241;

export default defineChecks({
  'find-sshd': async (lab) => {
    const server = labHost(lab, 'server');
    for (const name of [`[server]:${sshdPort}`, `[${server.address}]:${sshdPort}`]) {
      const entries = await knownHostKeys(lab, name);
      const trusted = entries.find((e) => e.key === server.key);
      if (trusted && !trusted.marker) {
        return pass(`~/.ssh/known_hosts on workstation holds server's host key for port ${sshdPort}: you reached its sshd and trusted it.`);
      }
      if (trusted) {
        return fail(
          `~/.ssh/known_hosts on workstation holds server's key for ${name} in ${markerMeaning(trusted.marker)}. Remove it with ssh-keygen -R '${name}' and connect again.`,
        );
      }
      if (entries.length)
        return fail(
          `~/.ssh/known_hosts on workstation holds a key for ${name}, but not the one server's sshd presents. Remove it with ssh-keygen -R '${name}' and connect again.`,
        );
    }
    return fail(
      `~/.ssh/known_hosts on workstation holds no host key for server's sshd yet. ssh records it the first time it reaches sshd on the right port and you accept the key; a port where something else answers, or a refused one, records nothing.`,
    );
  },

  'save-port': async (lab) => {
    const { settings: forServer, problem } = await clientConfig(lab, 'server');
    if (problem) return fail(problem);
    const port = Number(forServer.get('port'));
    if (port === 22) {
      return fail(`ssh -G server still says port 22: nothing in ~/.ssh/config gives server another port yet. Add a Host server block with a Port line.`);
    }
    const forOthers = await clientSettings(lab, workstation);
    if (Number(forOthers.get('port')) === port) {
      return fail(`Port ${port} in ~/.ssh/config applies to every host (ssh -G workstation says port ${port} too). Put it under a Host server line.`);
    }
    const reach = await reachesSshd(lab, 'server', 'server');
    if (reach.reached === 'refused') return fail(`Your config sends ssh server to port ${port}, where nothing listens: "${reach.why}".`);
    if (reach.reached === 'not-sshd') return fail(`Your config sends ssh server to port ${port}. Something answers there, but it is not sshd: "${reach.why}".`);
    if (reach.reached === 'other-sshd') {
      return fail(
        `Your config sends ssh server to an sshd on port ${port} that presents another host key: it is not server's sshd (is there a HostName line sending it elsewhere?).`,
      );
    }
    if (reach.reached !== 'sshd') return fail(`ssh server does not reach server's sshd with your config (port ${port}): "${reach.why}".`);
    return pass(`ssh -G server says port ${port}, only server gets it, and plain ssh server reaches its sshd.`);
  },
});
