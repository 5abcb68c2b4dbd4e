import { clientSettings, defineChecks, fail, octal, pass, type CheckContext } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const server = 'server';

const address = (lab: CheckContext, name: string) => lab.session.hosts.find((h) => h.name === name)?.address;

export default defineChecks({
  'connect-port': async (lab) => {
    const path = '~/connection.txt';
    const text = await lab.readFile(server, path);
    if (text === null) {
      if ((await lab.stat(workstation, path)) !== null) {
        return fail(`${path} exists on workstation, not on server: the echo ran on workstation. Log in with ssh -p 2222 server first, then run it at the learner@server prompt.`);
      }
      return fail(
        `There is no ${path} on server yet. ssh server alone tries port 22, and nothing listens on port 22 on this server ("Connection refused"); give the port with -p 2222.`,
      );
    }
    const [from, , , port] = text.trim().split(/\s+/);
    if (!text.trim()) return fail(`${path} on server is empty: $SSH_CONNECTION is only set in a shell you reached over ssh.`);
    if (port !== '2222') return fail(`${path} on server says the connection came in on port ${port ?? '?'}, not 2222. Write $SSH_CONNECTION into it while logged in with ssh -p 2222 server.`);
    if (from !== address(lab, workstation)) {
      return fail(`${path} on server records a connection from ${from}, which is not your workstation (${address(lab, workstation)}). Log in from the workstation's terminal.`);
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
    if (local.type !== 'file') return fail(`${path} on workstation is a ${local.type}, not a copy of the file.`);
    const [mine, theirs] = await Promise.all([
      lab.exec(workstation, 'sha256sum < ~/notes.txt'),
      lab.exec(server, 'sha256sum < ~/notes.txt'),
    ]);
    if (mine.stdout.split(' ')[0] !== theirs.stdout.split(' ')[0]) {
      return fail(`${path} on workstation differs from ~/notes.txt on server. Copy it again with scp.`);
    }
    return pass(`${path} on workstation is an exact copy of the server's file.`);
  },

  'default-port': async (lab) => {
    const path = '~/.ssh/config';
    const file = await lab.stat(workstation, path);
    if (!file) return fail(`There is no ${path} on workstation yet.`);
    if (file.type !== 'file') return fail(`${path} on workstation is a ${file.type}, not a file.`);
    const forServer = await clientSettings(lab, server);
    if (!forServer.ok) {
      if (/Bad owner or permissions/.test(forServer.error)) {
        return fail(`${path} on workstation is mode ${octal(file.mode)}: other users can write it, so ssh refuses to use it ("Bad owner or permissions"). Run chmod 600 ~/.ssh/config.`);
      }
      return fail(`ssh cannot read ~/.ssh/config: ${forServer.reason || 'ssh -G failed'}. Fix that line.`);
    }
    if (file.mode & 0o022) {
      // Debian's ssh tolerates group-write when the group is the user's own; stock OpenSSH does not.
      return fail(
        `${path} on workstation is mode ${octal(file.mode)}: it is group-writable. Debian's ssh lets that pass because your group has no other members, but stock OpenSSH refuses such a file ("Bad owner or permissions"). Run chmod 600 ~/.ssh/config.`,
      );
    }
    const port = forServer.get('port');
    if (port !== '2222') return fail(`ssh -G server says port ${port}: your ${path} does not give server the port 2222 yet. Put Port 2222 under a Host server line.`);
    const forOthers = await clientSettings(lab, workstation);
    if (forOthers.get('port') === '2222') {
      return fail(`Port 2222 in ${path} applies to every host (ssh -G workstation says port 2222 too). Put it under a Host server line so only server gets it.`);
    }
    return pass(`ssh -G server says port 2222, only server gets it, and ${path} is mode ${octal(file.mode)}.`);
  },
});
