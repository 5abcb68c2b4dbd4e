import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FlowControlledAttach, type AttachableTerminal, type AttachSocket } from '../../src/components/Lab/flow-controlled-attach';
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
  const socket: AttachSocket = {
    send: (d) => {
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
  return { addon, events, messages, sent, data, binary, resize, render, acks, controls, output, all: [events, messages, data, binary, resize] };
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
