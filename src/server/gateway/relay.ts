import type { Client, ClientChannel, PseudoTtyInfo, ServerChannel, Session, WindowChangeInfo } from 'ssh2';

/** What the relay reports to the gateway: refusals (counted and logged) and use (keeps the session alive). */
export interface RelayEvents {
  refused(what: string, detail?: string): void;
  activity(): void;
  failed(what: string, error: Error): void;
}

/** Environment variables a client may pass on, as sshd's `AcceptEnv LANG LC_*` plus TERM. */
function allowedEnv(key: string, value: string): boolean {
  return (key === 'LANG' || key === 'TERM' || /^LC_[A-Z_]{1,32}$/.test(key)) && value.length <= 256 && !/[\0\n]/.test(value);
}

const signalName = /^[A-Z0-9]{1,16}$/;

/**
 * One client session channel relayed to the workstation as learner: the client's requests (pty,
 * env, shell / exec / the sftp subsystem, window changes, signals) are replayed on a new channel of
 * the backend's connection, bytes flow both ways with backpressure (stream pipes: neither side
 * reads faster than the other writes), and the end comes back as it happened (exit status or
 * signal, then EOF and close). X11, agent forwarding and other subsystems are refused.
 */
export function relaySession(session: Session, workstation: () => Promise<Client>, events: RelayEvents): void {
  let pty: PseudoTtyInfo | undefined;
  const env: Record<string, string> = {};
  let back: ClientChannel | undefined;
  let pendingWindow: WindowChangeInfo | undefined;
  let closed = false;

  session.on('pty', (accept, _reject, info) => {
    pty = info;
    accept?.();
  });
  session.on('env', (accept, reject, info) => {
    if (allowedEnv(info.key, info.val)) {
      env[info.key] = info.val;
      accept?.();
    } else {
      events.refused('env', info.key.slice(0, 64));
      reject?.();
    }
  });
  session.on('window-change', (accept, _reject, info) => {
    if (back) back.setWindow(info.rows, info.cols, info.height, info.width);
    else pendingWindow = info;
    accept?.();
  });
  session.on('signal', (accept, reject, info) => {
    if (!back || !signalName.test(info.name)) return reject?.();
    back.signal(info.name);
    accept?.();
  });
  session.on('x11', (_accept, reject) => {
    events.refused('x11-forwarding');
    reject?.();
  });
  session.on('auth-agent', (_accept, reject) => {
    events.refused('agent-forwarding');
    reject?.();
  });

  // The client's request is accepted at once, before the workstation's channel is open: OpenSSH
  // sends stdin (and its EOF) right behind an exec request without waiting for the reply, and
  // ssh2 drops data that reaches a session before its channel exists. Accepted, it waits in the
  // channel's read buffer (within the SSH window) until the pipe to the workstation starts.
  const start = (
    what: string,
    open: (client: Client, done: (error: Error | undefined, channel: ClientChannel) => void) => void,
    accept: () => ServerChannel,
  ) => {
    const front = accept();
    if (!front) return;
    const failed = (error: Error) => {
      events.failed(what, error);
      front.stderr.write(`The lab's workstation did not open a ${what} channel (${error.message}).\r\n`);
      front.exit(1);
      front.end();
    };
    workstation().then((client) => {
      // The listeners go on inside the callback, not a promise hop later: ssh2 parses a whole TCP
      // read at once, so a quick command's output, exit status and close can follow its open
      // reply in the same read and would be emitted before a later listener existed.
      const opened = (error: Error | undefined, channel: ClientChannel) => {
        if (error) return failed(error);
        if (closed) {
          channel.close();
          return;
        }
        back = channel;
        if (pendingWindow) channel.setWindow(pendingWindow.rows, pendingWindow.cols, pendingWindow.height, pendingWindow.width);
        pipeChannels(front, channel, events);
      };
      try {
        open(client, opened);
      } catch (error) {
        failed(error as Error);
      }
    }, failed);
  };

  const window = () => (pty ? { term: pty.term, cols: pty.cols, rows: pty.rows, width: pty.width, height: pty.height, modes: pty.modes } : undefined);

  session.on('shell', (accept) => {
    const size = window();
    start('shell', (client, done) => client.shell(size ?? false, { env }, done), accept);
  });
  session.on('exec', (accept, _reject, info) => {
    const size = window();
    start('exec', (client, done) => client.exec(info.command, { env, ...(size ? { pty: size } : {}) }, done), accept);
  });
  session.on('subsystem', (accept, reject, info) => {
    if (info.name !== 'sftp') {
      events.refused('subsystem', info.name.slice(0, 64));
      return reject();
    }
    start('sftp', (client, done) => client.subsys('sftp', done), accept);
  });
  session.on('close', () => {
    closed = true;
    back?.close();
  });
}

/**
 * Both directions of one channel pair. The workstation's output goes to the client without ending
 * it, so that its exit status (which sshd sends after EOF) reaches the client first: the client's
 * side is ended only once the workstation's channel has closed and everything before is written.
 */
export function pipeChannels(front: ServerChannel, back: ClientChannel, events: RelayEvents): void {
  let exit: { code: number } | { signal: string; dump: boolean; desc: string } | undefined;
  front.on('data', () => events.activity());
  front.pipe(back);
  back.pipe(front, { end: false });
  back.stderr.pipe(front.stderr, { end: false });
  back.on('exit', (code: number | null, signal?: string, dump?: boolean, desc?: string) => {
    if (typeof code === 'number') exit = { code };
    else if (signal) exit = { signal: signal.replace(/^SIG/, ''), dump: !!dump, desc: desc ?? '' };
  });
  back.on('close', () => {
    // An empty write's callback runs after every chunk queued before it has gone out.
    front.write(Buffer.alloc(0), () => {
      if (exit && 'code' in exit) front.exit(exit.code);
      else if (exit) {
        try {
          front.exit(exit.signal, exit.dump, exit.desc);
        } catch {
          front.exit(255);
        }
      }
      front.end();
    });
  });
  front.on('close', () => back.close());
  front.on('error', () => back.close());
  back.on('error', () => front.close());
}
