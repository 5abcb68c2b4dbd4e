import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { setImmediate as flushed } from 'node:timers/promises';
import { closeCodes } from '../../src/protocol/terminal';
import { ReconnectingSocket, SessionGoneError, type SocketEvent, type SocketLike } from '../../src/components/Lab/reconnecting-socket';

/** A WebSocket double: the test opens, closes and reads it. */
class FakeSocket implements SocketLike {
  readyState = 0;
  binaryType: BinaryType = 'blob';
  sent: (string | Uint8Array)[] = [];
  closedWith: number | undefined;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  constructor(readonly url: string) {}
  send(data: string | Uint8Array) {
    this.sent.push(data);
  }
  close(code = 1000) {
    this.closedWith = code;
    this.readyState = 3;
  }
  serverOpens() {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }
  serverCloses(code: number) {
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
  get pings() {
    return this.sent.filter((d) => d === '{"type":"ping"}').length;
  }
}

function harness(options: { url?: () => Promise<string>; random?: () => number } = {}) {
  const sockets: FakeSocket[] = [];
  const events: SocketEvent[] = [];
  let tickets = 0;
  const socket = new ReconnectingSocket({
    url: options.url ?? (async () => `ws://127.0.0.1/t?ticket=${++tickets}`),
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    random: options.random ?? (() => 0.5),
  });
  socket.onEvent((e) => events.push(e));
  return { socket, sockets, events, last: () => sockets.at(-1)! };
}

describe('the reconnecting terminal socket', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  test('one attempt in flight: connect() while a ticket is fetched or a socket opens starts no second one', async () => {
    // Before: each call opened its own socket, and the server "replaced" the learner's first one with the second.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const h = harness({
      url: async () => {
        await gate;
        return 'ws://127.0.0.1/t';
      },
    });
    h.socket.connect();
    h.socket.connect();
    release();
    await flushed();
    h.socket.connect();
    assert.equal(h.sockets.length, 1);
    h.last().serverOpens();
    h.socket.connect();
    assert.equal(h.sockets.length, 1);
    assert.deepEqual(h.events, [{ kind: 'open' }]);
  });

  test('a dropped socket is retried with jittered exponential backoff, then given up after the cap', async () => {
    let random = 0;
    const h = harness({ random: () => random });
    h.socket.connect();
    await flushed();
    h.last().serverOpens();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      random = i % 2 ? 1 - 1e-9 : 0;
      h.last().serverCloses(1006);
      const event = h.events.at(-1)!;
      if (event.kind !== 'retrying') break;
      delays.push(event.delayMs);
      mock.timers.tick(event.delayMs - 1);
      await flushed();
      assert.equal(h.sockets.length, i + 1, 'no attempt before the delay is over');
      mock.timers.tick(1);
      await flushed();
      assert.equal(h.sockets.length, i + 2);
    }
    // 500, 1000, 2000, 4000, 8000, 8000 ms ceilings; half of each plus up to as much again.
    assert.deepEqual(delays, [250, 1000, 1000, 4000, 4000, 8000]);
    assert.deepEqual(h.events.at(-1), { kind: 'closed', reason: 'gave-up' });
    mock.timers.tick(60_000);
    await flushed();
    assert.equal(h.sockets.length, 7, 'no attempt after giving up');
  });

  test('the backoff starts again once a socket opens', async () => {
    const h = harness();
    h.socket.connect();
    await flushed();
    h.last().serverCloses(1006);
    mock.timers.tick(500);
    await flushed();
    h.last().serverOpens();
    h.last().serverCloses(1006);
    assert.deepEqual(h.events.at(-1), { kind: 'retrying', attempt: 1, delayMs: 375 });
  });

  for (const [code, reason] of [
    [closeCodes.sessionGone, 'session-gone'],
    [closeCodes.replaced, 'replaced'],
    [closeCodes.shellEnded, 'shell-ended'],
  ] as const) {
    test(`no retry after close code ${code} (${reason})`, async () => {
      const h = harness();
      h.socket.connect();
      await flushed();
      h.last().serverOpens();
      h.last().serverCloses(code);
      mock.timers.tick(60_000);
      await flushed();
      assert.equal(h.sockets.length, 1);
      assert.deepEqual(h.events.at(-1), { kind: 'closed', reason });
      h.socket.connect(); // "Reconnect here"
      await flushed();
      assert.equal(h.sockets.length, 2);
    });
  }

  test('a server moving the terminal (4010) is reconnected with jittered backoff, marked as moving until a socket opens, with a fresh budget', async () => {
    const h = harness({ random: () => 0 });
    h.socket.connect();
    await flushed();
    h.last().serverOpens();
    // Three ordinary drops use up half the budget...
    for (let i = 0; i < 3; i++) {
      h.last().serverCloses(1006);
      mock.timers.tick((h.events.at(-1) as { delayMs: number }).delayMs);
      await flushed();
    }
    assert.equal(h.sockets.length, 4);
    // ...and then the server says "reconnect elsewhere": that is no failure, the count starts again.
    h.last().serverCloses(closeCodes.serverMoving);
    assert.deepEqual(h.events.at(-1), { kind: 'retrying', attempt: 1, delayMs: 250, moving: true });
    mock.timers.tick(249);
    await flushed();
    assert.equal(h.sockets.length, 4, 'one attempt, after the jittered delay');
    mock.timers.tick(1);
    await flushed();
    assert.equal(h.sockets.length, 5);
    // The replacement replica is not answering yet: still the same move.
    h.last().serverCloses(1006);
    assert.deepEqual(h.events.at(-1), { kind: 'retrying', attempt: 2, delayMs: 500, moving: true });
    mock.timers.tick(500);
    await flushed();
    h.last().serverOpens();
    h.last().serverCloses(1006);
    assert.deepEqual(h.events.at(-1), { kind: 'retrying', attempt: 1, delayMs: 250 }, 'once open again, a drop is an ordinary drop');
  });

  test('4010 while a retry is pending does not start a second attempt', async () => {
    const h = harness();
    h.socket.connect();
    await flushed();
    h.last().serverOpens();
    h.last().serverCloses(closeCodes.serverMoving);
    h.socket.connect(); // the learner clicks, or a focus handler fires: brought forward, still one
    h.socket.connect();
    await flushed();
    assert.equal(h.sockets.length, 2);
  });

  test('a socket superseded on the server (4002) is connected again: the newest socket of a page wins', async () => {
    const h = harness();
    h.socket.connect();
    await flushed();
    h.last().serverOpens();
    h.last().serverCloses(closeCodes.superseded);
    assert.equal(h.events.at(-1)?.kind, 'retrying');
  });

  test('a session that is gone when the ticket is asked for ends the attempts', async () => {
    const h = harness({
      url: async () => {
        throw new SessionGoneError('gone');
      },
    });
    h.socket.connect();
    await flushed();
    assert.deepEqual(h.events, [{ kind: 'closed', reason: 'session-gone' }]);
  });

  test('a ticket request that fails for another reason is retried', async () => {
    let fail = true;
    const h = harness({
      url: async () => {
        if (fail) throw new Error('unreachable');
        return 'ws://127.0.0.1/t';
      },
    });
    h.socket.connect();
    await flushed();
    assert.equal(h.events.at(-1)?.kind, 'retrying');
    fail = false;
    mock.timers.tick(375);
    await flushed();
    assert.equal(h.sockets.length, 1);
  });

  test('a ping every 25 s while open and quiet; typing postpones it; none once closed', async () => {
    // Before: the protocol's ping was never sent, and a proxy with an idle timeout dropped a quiet terminal.
    const h = harness();
    h.socket.connect();
    await flushed();
    const s = h.last();
    s.serverOpens();
    mock.timers.tick(24_999);
    assert.equal(s.pings, 0);
    mock.timers.tick(1);
    assert.equal(s.pings, 1);
    mock.timers.tick(25_000);
    assert.equal(s.pings, 2);
    mock.timers.tick(20_000);
    h.socket.send(new Uint8Array([108]));
    mock.timers.tick(20_000);
    assert.equal(s.pings, 2, 'what the learner types keeps the socket busy');
    mock.timers.tick(5_000);
    assert.equal(s.pings, 3);
    s.serverCloses(closeCodes.replaced);
    mock.timers.tick(100_000);
    assert.equal(s.pings, 3);
  });

  test('dispose closes the socket, cancels a pending retry and silences old callbacks', async () => {
    const h = harness();
    h.socket.connect();
    await flushed();
    h.last().serverOpens();
    h.last().serverCloses(1006);
    h.socket.dispose();
    mock.timers.tick(60_000);
    await flushed();
    assert.equal(h.sockets.length, 1);
    assert.equal(h.socket.send('x'), false);
  });
});
