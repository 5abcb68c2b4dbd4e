import { clientSettings, defineChecks, fail, pass, type CheckContext, type ClientSettings } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
/** How ssh -G prints "off" for these options. */
const off = new Set(['no', 'false', 'none', '']);

/** What is missing from the learner's multiplexing settings for server, or null when they are complete. */
async function configProblem(lab: CheckContext, settings: ClientSettings): Promise<string | null> {
  if (!settings.ok) return `ssh cannot read your configuration: ${settings.reason}`;
  const master = settings.get('controlmaster') ?? 'false';
  const path = settings.get('controlpath') ?? 'none';
  const persist = settings.get('controlpersist') ?? 'no';
  if (off.has(master))
    return 'ControlMaster is not on for server: ssh neither becomes a master nor looks for one. Add ControlMaster auto under Host server in ~/.ssh/config.';
  if (off.has(path))
    return "ControlMaster is on, but there is no ControlPath for server: ssh has nowhere to put the master's socket. Add ControlPath ~/.ssh/cm-%C.";
  if (off.has(persist)) {
    return 'There is no ControlPersist for server: the master would end together with the first session, so no later ssh could use it. Add ControlPersist 10m.';
  }
  const folder = path.slice(0, path.lastIndexOf('/')) || '/';
  const dir = await lab.exec(workstation, `test -d ${quote(folder)}`);
  if (dir.code !== 0) {
    return `ControlPath says ${path}, but the folder ${folder} does not exist: ssh cannot create the socket there ("unix_listener: cannot bind to path"), and connects without a master. Make the folder (mkdir -m 700 ${folder}) or use a path in ~/.ssh.`;
  }
  return null;
}

/** pid of the running master for server, from `ssh -O check` ("Master running (pid=123)"), or null. */
async function masterPid(lab: CheckContext): Promise<{ pid: number | null; said: string }> {
  const check = await lab.exec(workstation, 'ssh -O check server');
  const said = (check.stderr + check.stdout).trim().split('\n')[0] ?? '';
  const pid = /pid=(\d+)/.exec(said);
  return { pid: check.code === 0 && pid ? Number(pid[1]) : null, said };
}

/** Why no master is usable for server (config, socket, ssh -O check), or the master's pid and socket path. */
async function liveMaster(lab: CheckContext): Promise<{ problem: string } | { pid: number; socket: string }> {
  const settings = await clientSettings(lab, 'server');
  const problem = await configProblem(lab, settings);
  if (problem) return { problem: `Your config is not ready yet: ${problem}` };
  const socket = settings.get('controlpath')!;
  const kind = await lab.exec(workstation, `stat -c %F ${quote(socket)} 2>/dev/null`);
  const type = kind.stdout.trim();
  const master = await masterPid(lab);
  if (!type) {
    return {
      problem: `No master is running for server: there is no socket at ${socket}. Connect once (ssh server true) and leave it; ControlPersist keeps it in the background. (ssh -O exit ends it.)`,
    };
  }
  if (type !== 'socket')
    return { problem: `${socket} is a ${type}, not a socket: ssh cannot use it as a master's socket. Remove it (rm ${socket}) and connect again.` };
  if (master.pid === null) {
    return {
      problem: `There is a socket at ${socket}, but no master answers on it (ssh -O check says "${master.said}"). It is left over from a master that ended: remove it and connect again.`,
    };
  }
  return { pid: master.pid, socket };
}

/** Milliseconds a command takes on the workstation. */
async function timed(lab: CheckContext, command: string): Promise<{ ms: number; code: number | null }> {
  const result = await lab.exec(workstation, `s=$(date +%s%N); ${command} >/dev/null 2>&1; rc=$?; e=$(date +%s%N); echo "$(( (e - s) / 1000000 )) $rc"`);
  const [ms = '0', rc = '1'] = result.stdout.trim().split(' ');
  return { ms: Number(ms), code: Number(rc) };
}

export default defineChecks({
  configure: async (lab) => {
    const settings = await clientSettings(lab, 'server');
    const problem = await configProblem(lab, settings);
    if (problem) return fail(problem);
    return pass(
      `ssh will share connections to server: ControlMaster ${settings.get('controlmaster')}, socket ${settings.get('controlpath')}, kept ${settings.get('controlpersist')} s after the last session.`,
    );
  },

  master: async (lab) => {
    const master = await liveMaster(lab);
    if ('problem' in master) return fail(master.problem);
    return pass(`A master is running for server (pid ${master.pid}), listening on the socket ${master.socket}.`);
  },

  reuse: async (lab) => {
    const master = await liveMaster(lab);
    if ('problem' in master) return fail(master.problem);
    const saved = await lab.readFile(workstation, '~/second.txt');
    if (saved === null) return fail("There is no ~/second.txt yet: run ssh server 'echo $SSH_CONNECTION' | tee ~/second.txt while the master runs.");
    const fields = saved.trim().split(/\s+/);
    const port = Number(fields[1]);
    if (fields.length !== 4 || !port)
      return fail(
        `~/second.txt says "${saved.trim().slice(0, 80)}", not what $SSH_CONNECTION holds on server (four fields: your address and port, server's address and port).`,
      );
    const sockets = await lab.exec(workstation, `ss -Htnp state established '( dport = :22 )'`);
    // With a state filter ss prints Recv-Q, Send-Q, local address:port, peer address:port, process.
    const line = sockets.stdout.split('\n').find((l) => l.includes(`pid=${master.pid},`));
    const local = line?.trim().split(/\s+/)[2] ?? '';
    const masterPort = Number(local.slice(local.lastIndexOf(':') + 1));
    if (!masterPort)
      return fail(`The master (pid ${master.pid}) holds no connection to server's port 22 any more. End it (ssh -O exit server) and connect again.`);
    if (port !== masterPort) {
      return fail(
        `The session you saved came over a new connection (from your port ${port}), not over the master's (port ${masterPort}). Did you bypass it with -S none or -o ControlPath=none, or restart the master since? Run ssh server 'echo $SSH_CONNECTION' | tee ~/second.txt again, plainly.`,
      );
    }
    // BatchMode forbids passwords and the workstation has no key: only the master can let this in.
    const shared = await timed(lab, 'ssh -o BatchMode=yes -o ControlMaster=no server true');
    if (shared.code !== 0) return fail('A session through the master failed. End the master (ssh -O exit server) and connect again.');
    const fresh = await timed(lab, 'ssh -S none -o BatchMode=yes server true');
    return pass(
      `Your second session came over the master's connection (port ${port}). Measured now: a session through the master took ${shared.ms} ms; a new connection took ${fresh.ms} ms just to reach the login, before any password.`,
    );
  },
});
