import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { closeCodes } from '../../src/protocol/terminal.js';
import { ShellTerminal, type ShellTerminalOptions } from '../../src/server/terminal/shell-terminal.js';
import { FakeChannel, FakeSocket } from '../helpers/fakes.js';

const logger = pino({ level: 'silent' });
/** Lets queued microtasks and setImmediate callbacks (the output batcher's) run. */
const settle = () => new Promise((r) => setImmediate(r));

function terminal(overrides: Partial<ShellTerminalOptions> = {}) {
  const shells: FakeChannel[] = [];
  const options: ShellTerminalOptions = {
    openShell: async () => {
      const channel = new FakeChannel();
      shells.push(channel);
      return channel.asChannel();
    },
    flow: { highBytes: 1000, lowBytes: 100 },
    graceMs: 30_000,
    slowClientMs: 60_000,
    logger,
    onActivity: () => undefined,
    ...overrides,
  };
  return { terminal: new ShellTerminal(options), shells };
}

const states = (socket: FakeSocket) => socket.controls.filter((c) => c.type === 'status').map((c) => (c.type === 'status' ? c.state : ''));

describe('attaching and taking over', () => {
  test('a socket from another tab that was working hears "replaced"', async () => {
    const { terminal: t } = terminal();
    const first = new FakeSocket();
    await t.attach(first, { tab: 'tab-a' });
    const second = new FakeSocket();
    await t.attach(second, { tab: 'tab-b' });
    assert.deepEqual(states(first), ['attached', 'replaced']);
    assert.equal(first.closedWith?.code, closeCodes.replaced);
    assert.deepEqual(states(second), ['reattached']);
  });

  test('a newer socket of the same tab supersedes the older quietly: no "replaced" on the learner\'s own tab', async () => {
    const { terminal: t } = terminal();
    const first = new FakeSocket();
    await t.attach(first, { tab: 'tab-a' });
    const second = new FakeSocket();
    await t.attach(second, { tab: 'tab-a' });
    assert.deepEqual(states(first), ['attached']);
    assert.equal(first.closedWith?.code, closeCodes.superseded);
    assert.deepEqual(states(second), ['reattached']);
  });

  test('a socket overtaken before it was attached is superseded quietly, even without a tab id', async () => {
    let open!: (channel: FakeChannel) => void;
    const { terminal: t } = terminal({ openShell: () => new Promise((resolve) => (open = (c) => resolve(c.asChannel()))) });
    const first = new FakeSocket();
    const firstAttach = t.attach(first);
    const second = new FakeSocket();
    const secondAttach = t.attach(second);
    open(new FakeChannel());
    await Promise.all([firstAttach, secondAttach]);
    assert.deepEqual(states(first), [], 'the overtaken attempt is told nothing');
    assert.equal(first.closedWith?.code, closeCodes.superseded);
    assert.deepEqual(states(second), ['attached']);
  });
});

describe('output and input', () => {
  test('output is batched into one frame per turn; keystrokes and resizes reach the channel', async () => {
    const { terminal: t, shells } = terminal();
    const socket = new FakeSocket();
    await t.attach(socket);
    const shell = shells[0]!;
    shell.output('a');
    shell.output('b');
    shell.output('c');
    await settle();
    assert.equal(socket.frames.length, 1);
    assert.equal(socket.screen, 'abc');
    socket.receive(Buffer.from('ls\r'));
    assert.equal(Buffer.concat(shell.written).toString(), 'ls\r');
    socket.receive({ type: 'resize', cols: 120, rows: 40 });
    assert.deepEqual(shell.window, { rows: 40, cols: 120 });
    socket.receive({ type: 'ping' });
    assert.equal(socket.controls.at(-1)?.type, 'pong');
  });

  test('a hundred malformed control messages close only that socket', async () => {
    const { terminal: t } = terminal();
    const socket = new FakeSocket();
    await t.attach(socket);
    for (let i = 0; i < 100; i++) socket.emit('message', Buffer.from('not json'), false);
    assert.equal(socket.closedWith?.code, closeCodes.badMessage);
    assert.equal(socket.controls.filter((c) => c.type === 'error').length, 100);
  });
});

describe('timers', () => {
  test('flow control pauses the shell above the high mark, resumes it on ack, and drops a client that stays paused', async (t) => {
    const { terminal: term, shells } = terminal();
    const socket = new FakeSocket();
    await term.attach(socket);
    const shell = shells[0]!;
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    shell.output(Buffer.alloc(1500, 'x'));
    await settle();
    assert.ok(shell.paused, 'paused above the high mark');
    socket.receive({ type: 'ack', bytes: 1500 });
    assert.ok(!shell.paused, 'resumed once acknowledged below the low mark');

    t.mock.timers.tick(1_000); // a quiet moment: the next output is not gathered as a flood
    shell.output(Buffer.alloc(1500, 'y'));
    await settle();
    assert.ok(shell.paused);
    t.mock.timers.tick(59_999);
    assert.ok(socket.readyState === socket.OPEN, 'not yet slow');
    t.mock.timers.tick(1);
    assert.equal(socket.closedWith?.code, closeCodes.slowClient);
    t.mock.timers.tick(5_000);
    assert.ok(socket.terminated, 'a client that never completes the close is cut off');
  });

  test('the shell waits graceMs for a reconnect, which repaints the screen; after that it is closed', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const { terminal: term, shells } = terminal();
    const first = new FakeSocket();
    await term.attach(first);
    shells[0]!.output('$ prompt');
    await settle();
    first.close(1001);
    await settle();
    assert.ok(!term.attached);
    t.mock.timers.tick(29_000);
    assert.ok(!shells[0]!.closed, 'the shell outlives its socket for the grace time');

    const second = new FakeSocket();
    await term.attach(second);
    await settle();
    assert.equal(shells.length, 1, 'the same shell');
    assert.deepEqual(states(second), ['reattached']);
    assert.equal(second.screen, '\x1bc$ prompt', 'reset, then the last screen');

    second.close(1001);
    await settle();
    t.mock.timers.tick(30_000);
    assert.ok(shells[0]!.closed, 'no reconnect within the grace time: the shell is closed');
  });

  test('end() tells the socket why and closes it with 4004', async () => {
    const { terminal: t, shells } = terminal();
    const socket = new FakeSocket();
    await t.attach(socket);
    t.end('environment-lost', 'The lab environment stopped (host x stopped).');
    const exit = socket.controls.at(-1);
    assert.equal(exit?.type, 'exit');
    assert.equal(socket.closedWith?.code, closeCodes.sessionGone);
    assert.ok(shells[0]!.closed);
    const late = new FakeSocket();
    await t.attach(late);
    assert.equal(late.closedWith?.code, closeCodes.sessionGone);
  });
});

describe('the end of the shell and of its channel', () => {
  test('the shell exiting (an exit status, then close) ends the terminal with 4000 and says so', async () => {
    const { terminal: t, shells } = terminal();
    const socket = new FakeSocket();
    await t.attach(socket);
    shells[0]!.emit('exit', 0);
    shells[0]!.close();
    assert.equal(socket.closedWith?.code, closeCodes.shellEnded);
    assert.deepEqual(socket.controls.at(-1), { type: 'exit', code: 0, reason: 'shell-exited', message: 'The shell ended. Reconnect to open a new one.' });
  });

  test('a channel that closes without an exit status (the connection dropped) is no shell end: the socket is asked to reconnect, which opens a new channel', async () => {
    const { terminal: t, shells } = terminal();
    const socket = new FakeSocket();
    await t.attach(socket);
    shells[0]!.close();
    assert.equal(socket.closedWith?.code, 1011);
    assert.ok(!Object.values(closeCodes).includes(socket.closedWith?.code as never), 'not one of the codes the widget stops on');
    assert.ok(!socket.controls.some((c) => c.type === 'exit'), 'no "the shell ended"');
    await settle();
    const again = new FakeSocket();
    await t.attach(again);
    assert.equal(shells.length, 2, 'a new channel to the (same, persistent) shell');
    assert.deepEqual(states(again), ['attached']);
  });
});

describe('handing the shell off to another process', () => {
  test('handOff() flushes the output already read, closes the socket with 4010 and only detaches: no exit is announced', async () => {
    const { terminal: t, shells } = terminal();
    const socket = new FakeSocket();
    await t.attach(socket);
    const shell = shells[0]!;
    shell.output('$ sleep 300 &');
    // Not yet sent: the batcher sends once per turn; handOff must not lose it.
    const released = t.handOff();
    assert.equal(socket.screen, '$ sleep 300 &', 'the output read so far reached the socket first');
    assert.equal(socket.closedWith?.code, closeCodes.serverMoving);
    await released;
    assert.ok(shell.closed, "this process's channel is closed (on the workstation that only detaches)");
    assert.ok(!socket.controls.some((c) => c.type === 'exit'), 'the shell did not end: no exit message');
    assert.ok(!t.attached);
  });

  test('after handOff() a new socket is sent elsewhere at once, and no shell is opened here', async () => {
    const { terminal: t, shells } = terminal();
    const first = new FakeSocket();
    await t.attach(first);
    await t.handOff();
    const late = new FakeSocket();
    await t.attach(late);
    assert.equal(late.closedWith?.code, closeCodes.serverMoving);
    assert.equal(shells.length, 1, 'no second channel');
  });

  test('keystrokes the browser sent before it read the 4010 still reach the shell; the channel is let go once the socket closes', async () => {
    const { terminal: t, shells } = terminal();
    const socket = new FakeSocket();
    await t.attach(socket);
    const shell = shells[0]!;
    // The server's close is on its way while the learner types: these frames arrive after handOff().
    const close = socket.close.bind(socket);
    let finishClose!: () => void;
    socket.close = (code, reason) => {
      socket.closedWith = { code, reason };
      socket.readyState = 2;
      finishClose = () => socket.emit('close', code, reason);
    };
    const released = t.handOff();
    socket.receive(Buffer.from('ls -l'));
    assert.equal(Buffer.concat(shell.written).toString(), 'ls -l');
    assert.ok(!shell.closed, 'the channel waits for the socket to finish closing');
    finishClose();
    await released;
    assert.ok(shell.closed);
    socket.close = close;
  });

  test('keystrokes that arrive before the shell is open are written to it once it is', async () => {
    let open!: (channel: FakeChannel) => void;
    const { terminal: t } = terminal({ openShell: () => new Promise((resolve) => (open = (c) => resolve(c.asChannel()))) });
    const socket = new FakeSocket();
    const attaching = t.attach(socket);
    // What the browser kept while disconnected, sent as soon as the new socket opened.
    socket.receive(Buffer.from('echo kept'));
    socket.receive(Buffer.from('\r'));
    const channel = new FakeChannel();
    open(channel);
    await attaching;
    assert.equal(Buffer.concat(channel.written).toString(), 'echo kept\r');
  });

  test('handOff() while the shell is still opening lets go of the channel once it arrives', async () => {
    let open!: (channel: FakeChannel) => void;
    const { terminal: t } = terminal({ openShell: () => new Promise((resolve) => (open = (c) => resolve(c.asChannel()))) });
    const socket = new FakeSocket();
    const attaching = t.attach(socket);
    t.handOff();
    const channel = new FakeChannel();
    open(channel);
    await attaching;
    assert.equal(socket.closedWith?.code, closeCodes.serverMoving);
    assert.ok(channel.closed, 'the late channel is closed, not kept');
    assert.deepEqual(states(socket), [], 'never announced as attached');
  });

  test('a handOff() without a socket attached still lets go of the shell, and after end() it does nothing', async () => {
    const { terminal: t, shells } = terminal();
    const socket = new FakeSocket();
    await t.attach(socket);
    socket.close(1001);
    await settle();
    await t.handOff();
    assert.ok(shells[0]!.closed);

    const { terminal: ended } = terminal();
    const other = new FakeSocket();
    await ended.attach(other);
    ended.end('session-ended', 'This session has ended.');
    await ended.handOff();
    assert.equal(other.closedWith?.code, closeCodes.sessionGone, 'end() keeps its own close code');
  });
});
