/**
 * Over 300 lines because it is one state machine: a shell's channel and the one socket attached
 * to it through attach, takeover, drop and grace, hand-off and end; the parts that are not that
 * state (flow control, output frames, control messages, the screen) are in the sibling modules.
 */
import type { Logger } from 'pino';
import type { RawData } from 'ws';
import { closeCodes } from '../../protocol/terminal.js';
import type { ShellChannel } from '../environments/types.js';
import { ControlChannel, decodeClientFrame, type TerminalSocket } from './control-channel.js';
import { FlowController } from './flow-controller.js';
import { OutputBatcher } from './output-batcher.js';
import type { OutputShare, OutputShareMember } from './output-share.js';
import { PauseGate } from './pause-gate.js';
import { ScreenHistory } from './screen-history.js';

export type { TerminalSocket } from './control-channel.js';

export interface ShellTerminalOptions {
  openShell: (size: { cols: number; rows: number }) => Promise<ShellChannel>;
  flow: { highBytes: number; lowBytes: number };
  /**
   * How long this process keeps its channel to the shell after the socket dropped, waiting for a
   * reconnect. Closing the channel only detaches: the shell lives on, on the workstation (dtach).
   */
  graceMs: number;
  /** A paused client that acknowledges nothing for this long is dropped. */
  slowClientMs?: number;
  logger: Logger;
  onActivity: () => void;
  onFirstOutput?: () => void;
  /** The machine's output share between streaming terminals (output-share.ts); absent, none. */
  share?: OutputShare;
}

/** Who is attaching: the browser tab's id (the terminal URL's `tab`), when it sends one. */
export interface AttachOrigin {
  tab?: string;
}

/**
 * Keystrokes waiting for the SSH channel beyond this stop the socket from being read (TCP then
 * pushes back on the client), so a client pasting into a shell that reads nothing cannot grow
 * the backend's memory.
 */
const inputHighBytes = 256 * 1024;
/** WebSocket 1011 (unexpected condition): not one of closeCodes, so the widget reconnects. */
const channelDroppedCode = 1011;
/** A slow client asked to close is cut off after this if its close never completes. */
const closeGraceMs = 5_000;

interface Attachment {
  socket: TerminalSocket;
  control: ControlChannel;
  tab?: string;
  /** It was told 'attached' or 'reattached': the learner has seen this socket working. */
  announced: boolean;
}

/**
 * One learner's interactive shell and the WebSocket currently attached to it. The shell outlives
 * the socket (reload, network blip): a new attach replays the recent screen. It outlives this
 * process's channel too: it runs on the workstation (StartedEnvironment.openShell attaches to it),
 * so handOff() lets another process take over. The parts: flow
 * control (flow-controller.ts), output frames (output-batcher.ts), the control messages
 * (control-channel.ts) and the screen kept for a repaint (screen-history.ts).
 */
export class ShellTerminal {
  private channel?: ShellChannel;
  private opening?: Promise<ShellChannel>;
  private current?: Attachment;
  private readonly screen = new ScreenHistory();
  private readonly flow: FlowController;
  /** Flow control and the output share each hold the shell's channel back; it runs when neither does. */
  private readonly gate = new PauseGate(() => this.channel);
  private readonly shareMember?: OutputShareMember;
  private readonly output: OutputBatcher;
  private size = { cols: 80, rows: 24 };
  private graceTimer?: NodeJS.Timeout;
  private firstOutputSeen = false;
  private ended = false;
  /** handOff() was called: this process lets go of the shell, which lives on for another one. */
  private handedOff = false;
  private released?: Promise<void>;
  /** Keystrokes that arrived before the shell's channel was open (a browser sends what it kept while disconnected at once). */
  private earlyInput: Buffer[] = [];
  private earlyInputBytes = 0;

  constructor(private readonly options: ShellTerminalOptions) {
    const flowGate = this.gate.reason('flow');
    this.flow = new FlowController({ ...options.flow, slowClientMs: options.slowClientMs ?? 60_000, onSlowClient: () => this.dropSlowClient() }, () =>
      this.channel ? flowGate : undefined,
    );
    this.shareMember = options.share?.join(this.gate.reason('share'));
    this.output = new OutputBatcher((frame) => this.sendFrame(frame));
  }

  get attached(): boolean {
    return Boolean(this.current);
  }

  /**
   * Attaches a socket, taking over from any other; opens the shell if none is running. The
   * socket it takes over from hears 'replaced' only if it was working (announced) and came from
   * another tab: a newer attempt of the same tab, or one that overtook an attach still opening,
   * is the learner's own reconnect, not another window.
   */
  async attach(socket: TerminalSocket, from: AttachOrigin = {}): Promise<void> {
    if (this.ended) {
      socket.close(closeCodes.sessionGone, 'session ended');
      return;
    }
    if (this.handedOff) {
      socket.close(closeCodes.serverMoving, 'this server is stopping: reconnect');
      return;
    }
    if (this.current) this.supersede(this.current, from.tab);
    clearTimeout(this.graceTimer);
    const attachment: Attachment = { socket, control: new ControlChannel(socket), tab: from.tab, announced: false };
    this.current = attachment;
    this.output.clear();
    this.flow.reset();
    socket.on('message', (data, isBinary) => this.onMessage(attachment, data, isBinary));
    socket.on('close', () => this.onSocketClosed(attachment));
    socket.on('error', () => undefined);

    const reattaching = Boolean(this.channel);
    try {
      await this.ensureShell();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'shell could not open');
      attachment.control.send({ type: 'error', error: 'SHELL_FAILED', message: 'The shell could not be opened on the workstation.' });
      socket.close(closeCodes.shellEnded, 'shell failed');
      return;
    }
    if (this.handedOff) {
      // handOff() came while the shell was opening: let go of it, and this socket reconnects elsewhere.
      this.releaseShell();
      socket.close(closeCodes.serverMoving, 'this server is stopping: reconnect');
      if (this.current === attachment) this.current = undefined;
      return;
    }
    if (this.current !== attachment) return;
    attachment.announced = true;
    attachment.control.send({ type: 'status', state: reattaching ? 'reattached' : 'attached' });
    // Reset the client's terminal, then repaint what the shell last showed.
    if (reattaching) this.output.push(this.screen.repaint());
  }

  /** The session is over (ended, expired or its environment was lost). */
  end(reason: 'environment-lost' | 'session-ended', message: string): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.graceTimer);
    this.flow.stop();
    const current = this.current;
    if (current) {
      this.output.flush();
      current.control.send({ type: 'exit', code: null, reason, message });
      current.socket.close(closeCodes.sessionGone, reason);
    }
    // After the last frame: a frame counted after leaving could hold the share for nobody.
    this.shareMember?.leave();
    this.current = undefined;
    this.channel?.close();
    this.channel = undefined;
  }

  /**
   * This process is stopping; the shell is not (it runs on the workstation, in dtach). The output
   * already read from the channel goes to the socket first, then the socket is told to reconnect
   * elsewhere (closeCodes.serverMoving) and this process's channel is closed: that detaches, it
   * does not end the shell. Later attaches here are sent elsewhere too.
   */
  handOff(): Promise<void> {
    if (this.released) return this.released;
    if (this.ended) return Promise.resolve();
    this.handedOff = true;
    clearTimeout(this.graceTimer);
    const current = this.current;
    if (!current) {
      this.releaseShell();
      this.released = Promise.resolve();
      return this.released;
    }
    this.output.flush();
    current.socket.close(closeCodes.serverMoving, 'this server is stopping: reconnect');
    // Keystrokes the browser sent before it read the close still arrive until its close does:
    // they are written to the shell, and only then is the channel let go.
    this.released = new Promise((resolve) => {
      let done = false;
      const release = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (this.current === current) this.current = undefined;
        this.releaseShell();
        resolve();
      };
      const timer = setTimeout(release, closeGraceMs).unref();
      current.socket.on('close', release);
    });
    return this.released;
  }

  /** Closes this process's channel without hearing it as the shell's end (nobody is told "exit"). */
  private releaseShell(): void {
    this.shareMember?.leave();
    const channel = this.channel;
    this.channel = undefined;
    this.earlyInput = [];
    this.earlyInputBytes = 0;
    this.flow.stop();
    channel?.close();
  }

  private supersede(previous: Attachment, tab: string | undefined): void {
    const sameTab = tab !== undefined && previous.tab === tab;
    if (previous.announced && !sameTab) {
      previous.control.send({ type: 'status', state: 'replaced', message: 'This terminal was opened in another tab or window.' });
      previous.socket.close(closeCodes.replaced, 'replaced');
    } else {
      previous.socket.close(closeCodes.superseded, 'superseded by a newer attempt');
    }
  }

  private ensureShell(): Promise<ShellChannel> {
    if (this.channel) return Promise.resolve(this.channel);
    this.opening ??= this.options
      .openShell(this.size)
      .then((channel) => {
        this.channel = channel;
        this.screen.clear();
        channel.on('data', (chunk: Buffer) => this.onOutput(chunk));
        channel.stderr.on('data', (chunk: Buffer) => this.onOutput(chunk));
        channel.on('exit', (code: number | null) => this.onShellExit(typeof code === 'number' ? code : null));
        channel.on('close', () => this.onChannelClosed(channel));
        const early = this.earlyInput;
        this.earlyInput = [];
        this.earlyInputBytes = 0;
        for (const bytes of early) channel.write(bytes);
        return channel;
      })
      .finally(() => {
        this.opening = undefined;
      });
    return this.opening;
  }

  /**
   * The channel closed without an exit status: the SSH connection to the workstation dropped, and
   * the shell, which runs there, most likely did not end. The socket is closed with a code the
   * widget retries; its reconnect opens a new channel to the same shell. (A host that is really
   * gone makes the environment lost, which ends the session through end().)
   */
  private onChannelClosed(channel: ShellChannel): void {
    if (this.channel !== channel) return;
    this.channel = undefined;
    const current = this.current;
    if (!current || this.ended) return;
    this.output.flush();
    current.socket.close(channelDroppedCode, 'the connection to the workstation dropped; reconnect');
    this.current = undefined;
  }

  private onShellExit(code: number | null): void {
    if (!this.channel) return;
    this.channel = undefined;
    const current = this.current;
    if (!current || this.ended) return;
    this.output.flush();
    current.control.send({ type: 'exit', code, reason: 'shell-exited', message: 'The shell ended. Reconnect to open a new one.' });
    current.socket.close(closeCodes.shellEnded, 'shell exited');
    this.current = undefined;
  }

  private onOutput(chunk: Buffer): void {
    if (!this.firstOutputSeen) {
      this.firstOutputSeen = true;
      this.options.onFirstOutput?.();
    }
    this.screen.push(chunk);
    if (this.current) this.output.push(chunk);
  }

  private sendFrame(frame: Buffer): void {
    const socket = this.current?.socket;
    if (!socket || socket.readyState !== socket.OPEN) return;
    socket.send(frame, { binary: true }, () => {
      const now = this.current?.socket;
      if (now) this.flow.maybeResume(now.bufferedAmount);
      else this.flow.resume();
    });
    this.flow.sentFrame(frame.length, socket.bufferedAmount);
    this.shareMember?.sent(frame.length);
  }

  private dropSlowClient(): void {
    const socket = this.current?.socket;
    if (!socket) return;
    this.options.logger.info('dropping a client that stopped reading');
    socket.close(closeCodes.slowClient, 'client too slow');
    // A client that reads nothing never reads the close frame either: cut it off soon.
    setTimeout(() => socket.terminate(), closeGraceMs).unref();
  }

  private onMessage(attachment: Attachment, data: RawData, isBinary: boolean): void {
    if (attachment !== this.current) return;
    this.options.onActivity();
    const frame = decodeClientFrame(data, isBinary);
    switch (frame.kind) {
      case 'input':
        this.input(attachment.socket, frame.bytes);
        return;
      case 'malformed':
        if (attachment.control.refuse(frame.reason)) this.options.logger.info('closing a terminal socket that sent too many malformed messages');
        return;
    }
    const message = frame.message;
    switch (message.type) {
      case 'resize':
        this.size = { cols: message.cols, rows: message.rows };
        this.channel?.setWindow(message.rows, message.cols);
        break;
      case 'ack':
        this.flow.ack(message.bytes, attachment.socket.bufferedAmount);
        break;
      case 'ping':
        attachment.control.send({ type: 'pong' });
        break;
    }
  }

  /** Keystrokes to the shell; the socket stops being read while the channel cannot take more. */
  private input(socket: TerminalSocket, bytes: Buffer): void {
    const channel = this.channel;
    if (!channel) {
      // The shell is still opening: keep them for it (bounded like the channel's own backlog).
      if (this.earlyInputBytes + bytes.length > inputHighBytes) return;
      this.earlyInput.push(bytes);
      this.earlyInputBytes += bytes.length;
      return;
    }
    const accepted = channel.write(bytes);
    if (accepted && channel.writableLength < inputHighBytes) return;
    if (socket.isPaused) return;
    socket.pause();
    const resume = () => {
      channel.off('drain', resume);
      channel.off('close', resume);
      socket.resume();
    };
    channel.on('drain', resume);
    channel.on('close', resume);
  }

  private onSocketClosed(attachment: Attachment): void {
    if (attachment !== this.current) return;
    this.current = undefined;
    // Nobody reads now: let the shell run on into the screen buffer rather than block it.
    this.flow.resume();
    if (this.ended || this.handedOff) return;
    clearTimeout(this.graceTimer);
    this.graceTimer = setTimeout(() => {
      if (this.current) return;
      this.channel?.close();
      this.channel = undefined;
    }, this.options.graceMs);
  }
}
