import '@xterm/xterm/css/xterm.css';
import { FitAddon } from '@xterm/addon-fit';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal as XTerm, type IDisposable, type ITheme } from '@xterm/xterm';
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import { LabApiError, type LabApi } from './api';
import { FlowControlledAttach } from './flow-controlled-attach';
import { ReconnectingSocket, SessionGoneError, type SocketLike } from './reconnecting-socket';
import { terminalEventOfControl, terminalEventOfSocket, type TerminalEvent } from './session-state';
import styles from './styles.module.css';

/**
 * The lab's terminal: xterm.js, attached by FlowControlledAttach (the ack protocol) to a
 * ReconnectingSocket. This component only wires them to the page: theme, size, clipboard keys.
 */

export type { TerminalEvent } from './session-state';

export interface TerminalHandle {
  /** Types text at the prompt without pressing Enter: the learner decides to run it. */
  type(text: string): void;
  focus(): void;
  copySelection(): Promise<void>;
  paste(): Promise<void>;
  /** Connects again after the terminal stopped trying (replaced, shell ended, gave up). */
  reconnect(): void;
}

export interface TerminalProps {
  api: LabApi;
  sessionId: string;
  token: string;
  dark: boolean;
  screenReader: boolean;
  /** The learner started this session: bring the terminal into view and focus it. Not on an automatic resume at page load. */
  takeFocus: boolean;
  onEvent(event: TerminalEvent): void;
  onOutput(text: string): void;
}

const lightTheme: ITheme = {
  background: '#fbfbfd',
  foreground: '#1c1e21',
  cursor: '#1f7a5a',
  selectionBackground: '#b3d7ff',
  black: '#1c1e21',
  green: '#1a7f37',
  blue: '#0550ae',
  brightBlack: '#57606a',
  yellow: '#9a6700',
  red: '#cf222e',
  magenta: '#8250df',
  cyan: '#1b7c83',
  white: '#6e7781',
  brightWhite: '#8c959f',
};
const darkTheme: ITheme = {
  background: '#16181d',
  foreground: '#e3e3e3',
  cursor: '#5fd4a4',
  selectionBackground: '#3a4a5a',
  black: '#484f58',
  green: '#5fd4a4',
  blue: '#79c0ff',
  brightBlack: '#6e7681',
  yellow: '#e3b341',
  red: '#ff7b72',
  magenta: '#d2a8ff',
  cyan: '#56d4dd',
  white: '#c9d1d9',
  brightWhite: '#f0f6fc',
};

/** Opens a web link from the terminal in a new tab that cannot reach back into this page. */
function openLink(uri: string): void {
  if (!/^https?:\/\//i.test(uri)) return;
  window.open(uri, '_blank', 'noopener,noreferrer');
}

/**
 * This page's id on the terminal URL (?tab=): a newer socket from this page supersedes an older
 * one quietly on the server, instead of announcing "replaced" as it does for another tab.
 * getRandomValues, unlike randomUUID, also works on plain http.
 */
const tabId = Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) => byte.toString(16).padStart(2, '0')).join('');

function pasteFromClipboard(xterm: XTerm): void {
  void navigator.clipboard
    .readText()
    .then((text) => text && xterm.paste(text))
    .catch(() => undefined); // permission refused: the browser's own paste still works
}

const LabTerminal = forwardRef<TerminalHandle, TerminalProps>(function LabTerminal(
  { api, sessionId, token, dark, screenReader, takeFocus, onEvent, onOutput },
  ref,
) {
  const box = useRef<HTMLDivElement>(null);
  const term = useRef<XTerm | undefined>(undefined);
  const socket = useRef<ReconnectingSocket | undefined>(undefined);
  const attach = useRef<FlowControlledAttach | undefined>(undefined);
  const latest = useRef({ onEvent, onOutput, takeFocus });
  latest.current = { onEvent, onOutput, takeFocus };

  useImperativeHandle(ref, () => ({
    type(text) {
      attach.current?.type(text);
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
    reconnect() {
      socket.current?.connect();
      term.current?.focus();
    },
  }));

  useEffect(() => {
    const element = box.current;
    if (!element) return;
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
    const connection = new ReconnectingSocket({
      async url() {
        try {
          return api.terminalUrl(sessionId, (await api.ticket(sessionId, token)).ticket, tabId);
        } catch (error) {
          throw error instanceof LabApiError && error.kind === 'gone' ? new SessionGoneError(error.message) : error;
        }
      },
      createSocket: (url): SocketLike => new WebSocket(url),
    });
    const attachment = new FlowControlledAttach(connection, {
      onControl(message) {
        const event = terminalEventOfControl(message);
        if (event) latest.current.onEvent(event);
      },
      onOutput: (text) => latest.current.onOutput(text),
    });
    const fit = new FitAddon();
    const disposables: IDisposable[] = [
      connection.onEvent((socketEvent) => {
        const event = terminalEventOfSocket(socketEvent);
        if (event) latest.current.onEvent(event);
      }),
      { dispose: () => connection.dispose() },
    ];
    term.current = xterm;
    socket.current = connection;
    attach.current = attachment;
    xterm.loadAddon(fit);
    xterm.loadAddon(new WebLinksAddon((_event, uri) => openLink(uri)));
    xterm.loadAddon(attachment);
    xterm.open(element);
    fit.fit();
    if (latest.current.takeFocus) {
      // xterm draws nothing while off-screen; the learner just asked for it, so bring it into view.
      element.scrollIntoView({ block: 'nearest' });
      xterm.focus();
    }

    // Ctrl/Cmd+Shift+C copies, Ctrl/Cmd+Shift+V pastes; everything else goes to the shell.
    xterm.attachCustomKeyEventHandler((event) => {
      if (event.type !== 'keydown' || !event.shiftKey || !(event.ctrlKey || event.metaKey)) return true;
      if (event.code === 'KeyC') {
        const selection = xterm.getSelection();
        if (selection) void navigator.clipboard.writeText(selection);
        return false;
      }
      if (event.code === 'KeyV') {
        pasteFromClipboard(xterm);
        return false;
      }
      return true;
    });

    const observer = new ResizeObserver(() => {
      try {
        fit.fit();
      } catch {
        // Not laid out yet.
      }
    });
    observer.observe(element);
    disposables.push({ dispose: () => observer.disconnect() });
    connection.connect();

    return () => {
      for (const disposable of disposables) disposable.dispose();
      // Disposes its addons too, the attachment among them.
      xterm.dispose();
      term.current = undefined;
      socket.current = undefined;
      attach.current = undefined;
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

  // Right-click is left to the browser (its menu has Paste); Ctrl/Cmd+Shift+V and the Paste button paste too.
  return <div ref={box} className={styles.terminal} data-testid="lab-terminal" data-theme-mode={dark ? 'dark' : 'light'} />;
});

export default LabTerminal;
