import '@xterm/xterm/css/xterm.css';
import { FitAddon } from '@xterm/addon-fit';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal as XTerm, type IDisposable, type ITheme } from '@xterm/xterm';
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import { serverMessageSchema, type ServerMessage } from '../../protocol/terminal';
import type { LabApi } from './api';
import styles from './styles.module.css';

export interface TerminalHandle {
  /** Types text at the prompt without pressing Enter: the learner decides to run it. */
  type(text: string): void;
  focus(): void;
  copySelection(): Promise<void>;
  paste(): Promise<void>;
  reconnect(): void;
}

export type TerminalEvent =
  | { kind: 'connected'; reattached: boolean }
  | { kind: 'replaced' }
  | { kind: 'shell-exited' }
  | { kind: 'session-over'; reason: 'environment-lost' | 'session-ended'; message: string }
  | { kind: 'disconnected'; retrying: boolean };

export interface TerminalProps {
  api: LabApi;
  sessionId: string;
  token: string;
  dark: boolean;
  screenReader: boolean;
  onEvent(event: TerminalEvent): void;
  onOutput(text: string): void;
}

const lightTheme: ITheme = { background: '#fbfbfd', foreground: '#1c1e21', cursor: '#1f7a5a', selectionBackground: '#b3d7ff', black: '#1c1e21', green: '#1a7f37', blue: '#0550ae', brightBlack: '#57606a', yellow: '#9a6700', red: '#cf222e', magenta: '#8250df', cyan: '#1b7c83', white: '#6e7781', brightWhite: '#8c959f' };
const darkTheme: ITheme = { background: '#16181d', foreground: '#e3e3e3', cursor: '#5fd4a4', selectionBackground: '#3a4a5a', black: '#484f58', green: '#5fd4a4', blue: '#79c0ff', brightBlack: '#6e7681', yellow: '#e3b341', red: '#ff7b72', magenta: '#d2a8ff', cyan: '#56d4dd', white: '#c9d1d9', brightWhite: '#f0f6fc' };

/**
 * Replies xterm would send for report requests — device attributes (c), status and cursor position
 * (n, R), mode reports ($y), window size (t), OSC colour queries and DECRQSS (DCS): output never
 * types input. (xterm.js has no OSC 52 clipboard writes unless its clipboard addon is loaded; it is not.)
 */
const reportReply = /^(?:\x1b\[[?>]?[\d;]*(?:[cnRt]|\$y)|\x1b\][\s\S]*(?:\x07|\x1b\\)|\x1bP[\s\S]*\x1b\\)$/;

/** Opens a web link from the terminal in a new tab that cannot reach back into this page. */
function openLink(uri: string): void {
  if (!/^https?:\/\//i.test(uri)) return;
  window.open(uri, '_blank', 'noopener,noreferrer');
}

/** Acknowledge rendered output in steps of this many bytes (server flow control). */
const ackEvery = 32 * 1024;
const closeCodes = { shellEnded: 4000, replaced: 4001, badTicket: 4003, sessionGone: 4004 };

const LabTerminal = forwardRef<TerminalHandle, TerminalProps>(function LabTerminal({ api, sessionId, token, dark, screenReader, onEvent, onOutput }, ref) {
  const box = useRef<HTMLDivElement>(null);
  const term = useRef<XTerm | undefined>(undefined);
  const socket = useRef<WebSocket | undefined>(undefined);
  const connect = useRef<() => void>(() => undefined);
  const handlers = useRef({ onEvent, onOutput });
  handlers.current = { onEvent, onOutput };

  useImperativeHandle(ref, () => ({
    type(text) {
      const ws = socket.current;
      if (ws?.readyState === WebSocket.OPEN) ws.send(new TextEncoder().encode(text));
      term.current?.focus();
    },
    focus: () => term.current?.focus(),
    async copySelection() {
      const selection = term.current?.getSelection();
      if (selection) await navigator.clipboard.writeText(selection);
    },
    async paste() {
      const text = await navigator.clipboard.readText();
      if (text) term.current?.paste(text);
    },
    reconnect: () => connect.current(),
  }));

  useEffect(() => {
    const xterm = new XTerm({
      cursorBlink: true,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
      fontSize: 14,
      scrollback: 5000,
      theme: dark ? darkTheme : lightTheme,
      screenReaderMode: screenReader,
      allowProposedApi: false,
      // OSC 8 hyperlinks: http(s) only, confirmed, opened without an opener.
      linkHandler: {
        activate: (_event, uri) => {
          if (window.confirm(`Open ${uri} in a new tab?`)) openLink(uri);
        },
      },
    });
    term.current = xterm;
    const fit = new FitAddon();
    const disposables: IDisposable[] = [];
    xterm.loadAddon(fit);
    xterm.loadAddon(new WebLinksAddon((_event, uri) => openLink(uri)));
    xterm.open(box.current!);
    // xterm draws nothing while off-screen; bring the new terminal into view.
    box.current!.scrollIntoView({ block: 'nearest' });
    fit.fit();

    // Ctrl/Cmd+Shift+C copies, Ctrl/Cmd+Shift+V pastes; everything else goes to the shell.
    xterm.attachCustomKeyEventHandler((event) => {
      if (event.type !== 'keydown' || !event.shiftKey || !(event.ctrlKey || event.metaKey)) return true;
      if (event.code === 'KeyC') {
        const selection = xterm.getSelection();
        if (selection) void navigator.clipboard.writeText(selection);
        return false;
      }
      if (event.code === 'KeyV') {
        void navigator.clipboard.readText().then((text) => text && xterm.paste(text));
        return false;
      }
      return true;
    });

    const decoder = new TextDecoder();
    let rendered = 0;
    let acked = 0;
    let retries = 0;
    let stopped = false;
    let retryTimer: number | undefined;

    const send = (data: string | Uint8Array) => {
      const ws = socket.current;
      if (ws?.readyState === WebSocket.OPEN) ws.send(data);
    };
    const clamp = (n: number) => Math.min(500, Math.max(1, Math.round(n) || 1));
    const sendSize = () => send(JSON.stringify({ type: 'resize', cols: clamp(xterm.cols), rows: clamp(xterm.rows) }));

    const onControl = (message: ServerMessage) => {
      if (message.type === 'status') {
        if (message.state === 'replaced') handlers.current.onEvent({ kind: 'replaced' });
        else {
          retries = 0;
          handlers.current.onEvent({ kind: 'connected', reattached: message.state === 'reattached' });
        }
      } else if (message.type === 'exit') {
        if (message.reason === 'shell-exited') handlers.current.onEvent({ kind: 'shell-exited' });
        else handlers.current.onEvent({ kind: 'session-over', reason: message.reason, message: message.message });
      }
    };

    const open = async () => {
      socket.current?.close();
      rendered = 0;
      acked = 0;
      let ticket: string;
      try {
        ticket = (await api.ticket(sessionId, token)).ticket;
      } catch (error) {
        const gone = (error as { kind?: string }).kind === 'gone';
        if (gone) handlers.current.onEvent({ kind: 'session-over', reason: 'session-ended', message: 'This session has ended or expired.' });
        else scheduleRetry();
        return;
      }
      if (stopped) return;
      const ws = new WebSocket(api.terminalUrl(sessionId, ticket));
      ws.binaryType = 'arraybuffer';
      socket.current = ws;
      ws.onopen = () => sendSize();
      ws.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
        if (typeof event.data === 'string') {
          let message: unknown;
          try {
            message = JSON.parse(event.data);
          } catch {
            return;
          }
          const parsed = serverMessageSchema.safeParse(message);
          if (parsed.success) onControl(parsed.data);
          return;
        }
        const bytes = new Uint8Array(event.data);
        handlers.current.onOutput(decoder.decode(bytes, { stream: true }));
        xterm.write(bytes, () => {
          rendered += bytes.length;
          if (rendered - acked >= ackEvery) {
            acked = rendered;
            send(JSON.stringify({ type: 'ack', bytes: rendered }));
          }
        });
      };
      ws.onclose = (event) => {
        if (socket.current !== ws || stopped) return;
        if (event.code === closeCodes.replaced || event.code === closeCodes.shellEnded || event.code === closeCodes.sessionGone) return;
        scheduleRetry();
      };
    };

    const scheduleRetry = () => {
      if (stopped) return;
      retries += 1;
      const retrying = retries <= 6;
      handlers.current.onEvent({ kind: 'disconnected', retrying });
      if (retrying) retryTimer = window.setTimeout(() => void open(), Math.min(8000, 500 * 2 ** (retries - 1)));
    };

    connect.current = () => {
      retries = 0;
      void open();
    };

    disposables.push(
      xterm.onData((data) => {
        if (!reportReply.test(data)) send(new TextEncoder().encode(data));
      }),
      xterm.onBinary((data) => send(Uint8Array.from(data, (c) => c.charCodeAt(0)))),
      xterm.onResize(() => sendSize()),
    );
    const observer = new ResizeObserver(() => {
      try {
        fit.fit();
      } catch {
        // Not laid out yet.
      }
    });
    observer.observe(box.current!);
    void open();
    xterm.focus();

    return () => {
      stopped = true;
      window.clearTimeout(retryTimer);
      observer.disconnect();
      disposables.forEach((d) => d.dispose());
      socket.current?.close();
      socket.current = undefined;
      xterm.dispose();
    };
    // The terminal lives as long as its session; theme and reader mode update below without reconnecting.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, sessionId, token]);

  useEffect(() => {
    if (term.current) term.current.options.theme = dark ? darkTheme : lightTheme;
  }, [dark]);
  useEffect(() => {
    if (term.current) term.current.options.screenReaderMode = screenReader;
  }, [screenReader]);

  return (
    <div
      ref={box}
      className={styles.terminal}
      data-testid="lab-terminal"
      data-theme-mode={dark ? 'dark' : 'light'}
      onContextMenu={(event) => {
        // Right-click pastes, as in most terminals.
        event.preventDefault();
        void navigator.clipboard.readText().then((text) => text && term.current?.paste(text)).catch(() => undefined);
      }}
    />
  );
});

export default LabTerminal;
