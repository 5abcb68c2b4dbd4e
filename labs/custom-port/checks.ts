import { clientConfig, clientSettings, defineChecks, fail, fileTypeName, pass, reachesSshd, type CheckContext } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const server = 'server';

const address = (lab: CheckContext, name: string) => lab.session.hosts.find((h) => h.name === name)?.address;

export default defineChecks({
  'connect-port': async (lab) => {
    const path = '~/connection.txt';
    const text = await lab.readFile(server, path);
    if (text === null) {
      if ((await lab.stat(workstation, path)) !== null) {
        return fail(
          `${path} exists on workstation, not on server: the echo ran on workstation. Log in with ssh -p 2222 server first, then run it at the learner@server prompt.`,
        );
      }
      return fail(
        `There is no ${path} on server yet. ssh server alone tries port 22, and nothing listens on port 22 on this server ("Connection refused"); give the port with -p 2222.`,
      );
    }
    const [from, , , port] = text.trim().split(/\s+/);
    if (!text.trim()) return fail(`${path} on server is empty: $SSH_CONNECTION is only set in a shell you reached over ssh.`);
    if (port !== '2222')
      return fail(
        `${path} on server says the connection came in on port ${port ?? '?'}, not 2222. Write $SSH_CONNECTION into it while logged in with ssh -p 2222 server.`,
      );
    if (from !== address(lab, workstation)) {
      return fail(
        `${path} on server records a connection from ${from}, which is not your workstation (${address(lab, workstation)}). Log in from the workstation's terminal.`,
      );
    }
    return pass(`${path} on server shows a login from workstation on port 2222.`);
  },

  'scp-port': async (lab) => {
    const path = '~/notes.txt';
    const local = await lab.stat(workstation, path);
    if (!local) {
      return fail(
        `There is no ${path} on workstation yet. If scp said "Connection refused", it went to port 22: scp's port option is a capital -P (lower-case -p preserves file times).`,
      );
    }
    if (local.type !== 'file') return fail(`${path} on workstation is ${fileTypeName(local.type)}, not a copy of the file.`);
    const [mine, theirs] = await Promise.all([lab.exec(workstation, 'sha256sum < ~/notes.txt'), lab.exec(server, 'sha256sum < ~/notes.txt')]);
    if (mine.stdout.split(' ')[0] !== theirs.stdout.split(' ')[0]) {
      return fail(`${path} on workstation differs from ~/notes.txt on server. Copy it again with scp.`);
    }
    return pass(`${path} on workstation is an exact copy of the server's file.`);
  },

  'default-port': async (lab) => {
    const path = '~/.ssh/config';
    const { settings: forServer, problem } = await clientConfig(lab, server);
    if (problem) return fail(problem);
    const port = forServer.get('port');
    if (port !== '2222')
      return fail(`ssh -G server says port ${port}: your ${path} does not give server the port 2222 yet. Put Port 2222 under a Host server line.`);
    const forOthers = await clientSettings(lab, workstation);
    if (forOthers.get('port') === '2222') {
      return fail(
        `Port 2222 in ${path} applies to every host (ssh -G workstation says port 2222 too). Put it under a Host server line so only server gets it.`,
      );
    }
    // The settings can say port 2222 and still send ssh server somewhere else (a HostName line).
    const reach = await reachesSshd(lab, server, server);
    if (reach.reached !== 'sshd') {
      return fail(
        `ssh -G server says port 2222, but ssh server does not reach server's sshd with your ${path}: "${reach.why}". Check its HostName: the Host server entry needs only the Port line.`,
      );
    }
    return pass(`ssh -G server says port 2222, only server gets it, and ssh server reaches server's sshd.`);
  },
});
