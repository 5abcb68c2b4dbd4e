import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FlowControlledAttach, pendingInputLimitBytes, type AttachableTerminal, type AttachSocket } from '../../src/components/Lab/flow-controlled-attach';
import type { SocketEvent } from '../../src/components/Lab/reconnecting-socket';

type Handler<T> = (value: T) => void;
function emitter<T>() {
  const handlers = new Set<Handler<T>>();
  return {
    handlers,
    on: (h: Handler<T>) => {
      handlers.add(h);
      return { dispose: () => void handlers.delete(h) };
    },
    fire: (v: T) => {
      for (const h of handlers) h(v);
    },
  };
}

function harness() {
  const events = emitter<SocketEvent>();
  const messages = emitter<unknown>();
  const sent: (string | Uint8Array)[] = [];
  const link = { open: true };
  const socket: AttachSocket = {
    send: (d) => {
      if (!link.open) return false;
      sent.push(d);
      return true;
    },
    onEvent: events.on,
    onMessage: messages.on,
  };
  const data = emitter<string>();
  const binary = emitter<string>();
  const resize = emitter<{ cols: number; rows: number }>();
  const pendingRenders: (() => void)[] = [];
  const terminal = {
    cols: 80,
    rows: 24,
    onData: data.on,
    onBinary: binary.on,
    onResize: resize.on,
    write: (_bytes: Uint8Array, rendered?: () => void) => void pendingRenders.push(rendered ?? (() => undefined)),
  } as unknown as AttachableTerminal;
  const controls: unknown[] = [];
  const output: string[] = [];
  const addon = new FlowControlledAttach(socket, { ackEvery: 1000, onControl: (m) => controls.push(m), onOutput: (t) => output.push(t) });
  addon.activate(terminal);
  const render = () => {
    for (const done of pendingRenders.splice(0)) done();
  };
  const acks = () => sent.filter((s): s is string => typeof s === 'string' && s.includes('"ack"')).map((s) => (JSON.parse(s) as { bytes: number }).bytes);
  return { addon, link, events, messages, sent, data, binary, resize, render, acks, controls, output, all: [events, messages, data, binary, resize] };
}

const bytes = (n: number) => new TextEncoder().encode('x'.repeat(n)).buffer;

describe('FlowControlledAttach (the ack protocol as an xterm addon)', () => {
  test('sends the size when a socket opens and when the terminal resizes', () => {
    const h = harness();
    h.events.fire({ kind: 'open' });
    h.resize.fire({ cols: 100, rows: 30 });
    assert.deepEqual(h.sent.slice(0, 2), ['{"type":"resize","cols":80,"rows":24}', '{"type":"resize","cols":80,"rows":24}']);
  });

  test('acknowledges output only once rendered, in steps', () => {
    const h = harness();
    h.events.fire({ kind: 'open' });
    h.messages.fire(bytes(600));
    h.messages.fire(bytes(600));
    assert.deepEqual(h.acks(), [], 'nothing rendered yet');
    h.render();
    assert.deepEqual(h.acks(), [1200]);
    h.messages.fire(bytes(300));
    h.render();
    assert.deepEqual(h.acks(), [1200], 'below the step');
    assert.equal(h.output.join(''), 'x'.repeat(1500));
  });

  test('counts from zero on each new socket; renders of the old one acknowledge nothing', () => {
    const h = harness();
    h.events.fire({ kind: 'open' });
    h.messages.fire(bytes(900));
    h.events.fire({ kind: 'open' }); // reconnected before xterm rendered it
    h.render();
    h.messages.fire(bytes(1000));
    h.render();
    assert.deepEqual(h.acks(), [1000]);
  });

  test('keystrokes go to the shell; replies to report requests do not', () => {
    const h = harness();
    h.data.fire('ls\r');
    h.data.fire('\x1b[?1;2c');
    h.data.fire('\x1b]11;rgb:0000/0000/0000\x07');
    h.binary.fire('\x80');
    assert.deepEqual(
      h.sent.map((s) => Array.from(s as Uint8Array)),
      [[108, 115, 13], [128]],
    );
  });

  test('keystrokes typed while disconnected are kept, in order, and sent first on the next socket after its size', () => {
    const h = harness();
    h.events.fire({ kind: 'open' });
    h.data.fire('ec');
    h.link.open = false;
    h.events.fire({ kind: 'retrying', attempt: 1, delayMs: 250, moving: true });
    h.data.fire('ho ');
    assert.equal(h.addon.type('kept\r'), true, 'typed text is kept too');
    assert.equal(h.addon.pendingInputBytes, 8);
    h.link.open = true;
    h.events.fire({ kind: 'open' });
    h.data.fire('ls\r');
    const text = h.sent.map((s) => (typeof s === 'string' ? s : new TextDecoder().decode(s)));
    assert.deepEqual(text, ['{"type":"resize","cols":80,"rows":24}', 'ec', '{"type":"resize","cols":80,"rows":24}', 'ho ', 'kept\r', 'ls\r']);
    assert.equal(h.addon.pendingInputBytes, 0);
  });

  test('what is kept is bounded, and dropped when the terminal stops for good (no replay into a later "Reconnect here")', () => {
    const h = harness();
    h.link.open = false;
    const paste = 'x'.repeat(pendingInputLimitBytes - 1);
    assert.equal(h.addon.type(paste), true);
    assert.equal(h.addon.type('yy'), false, 'beyond the bound: refused');
    assert.equal(h.addon.pendingInputBytes, pendingInputLimitBytes - 1);
    h.events.fire({ kind: 'closed', reason: 'replaced' });
    assert.equal(h.addon.pendingInputBytes, 0);
    assert.equal(h.addon.type('z'), false, 'a stopped terminal keeps nothing');
    h.link.open = true;
    h.events.fire({ kind: 'open' });
    assert.deepEqual(h.sent, ['{"type":"resize","cols":80,"rows":24}'], 'nothing old is replayed');
    assert.equal(h.addon.type('z'), true, 'after Reconnect here, typing works again');
  });

  test('valid control messages reach onControl; others are ignored', () => {
    const h = harness();
    h.messages.fire('{"type":"status","state":"reattached"}');
    h.messages.fire('{"type":"nonsense"}');
    h.messages.fire('not json');
    assert.deepEqual(h.controls, [{ type: 'status', state: 'reattached' }]);
  });

  test('dispose removes every listener it added', () => {
    const h = harness();
    h.addon.dispose();
    assert.ok(h.all.every((e) => e.handlers.size === 0));
  });
});
