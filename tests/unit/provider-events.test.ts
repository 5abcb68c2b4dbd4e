import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type Dockerode from 'dockerode';
import pino from 'pino';
import { HostStopEvents, type EventEngine } from '../../src/server/environments/docker-events.js';

/** An engine whose event streams the test writes to and breaks. */
class FakeEngine implements EventEngine {
  readonly requests: Dockerode.GetEventsOptions[] = [];
  readonly streams: PassThrough[] = [];
  async getEvents(options: Dockerode.GetEventsOptions): Promise<NodeJS.ReadableStream> {
    this.requests.push(options);
    const stream = new PassThrough();
    this.streams.push(stream);
    return stream;
  }
  emit(event: object, stream = this.streams.at(-1)!): void {
    stream.write(`${JSON.stringify(event)}\n`);
  }
}

const stop = (id: string, action: string, attributes: Record<string, string> = {}) => ({
  Type: 'container',
  Action: action,
  Actor: { ID: id, Attributes: attributes },
});
const logger = pino({ level: 'silent' });
const settle = () => new Promise((r) => setImmediate(r));

test("one stream for every host, filtered to this backend's containers and to the events that stop one", async () => {
  const engine = new FakeEngine();
  const events = new HostStopEvents(async () => engine, 'me:1:x', logger);
  await events.open();
  await events.open();
  const seen: string[] = [];
  events.watch('a', (action) => seen.push(`a ${action}`));
  events.watch('b', (action) => seen.push(`b ${action}`));
  assert.equal(engine.requests.length, 1, 'one stream, however many hosts');
  assert.deepEqual(engine.requests[0]?.filters, { type: ['container'], label: ['ssh-lab.owner=me:1:x'], event: ['die', 'destroy'] });

  engine.emit(stop('a', 'kill', { signal: '28' }));
  // A learner's memory hog killed by the cgroup: the host runs on.
  engine.emit(stop('a', 'oom'));
  // Split across two chunks, as a socket may deliver it.
  const line = JSON.stringify(stop('b', 'die'));
  engine.streams[0]!.write(line.slice(0, 10));
  engine.streams[0]!.write(`${line.slice(10)}\n`);
  engine.emit(stop('a', 'die'));
  engine.emit(stop('a', 'destroy'));
  await settle();
  assert.deepEqual(seen, ['b die', 'a die'], 'a SIGWINCH or an OOM kill inside the host is not a stop; each host is reported once');
  events.close();
});

test('a host that stopped before anyone watched it is reported when watched', async () => {
  const engine = new FakeEngine();
  const events = new HostStopEvents(async () => engine, 'me', logger);
  await events.open();
  engine.emit(stop('early', 'die'));
  await settle();
  const seen: string[] = [];
  events.watch('early', (action) => seen.push(action));
  await settle();
  assert.deepEqual(seen, ['die']);
  events.close();
});

test('a broken stream is reopened with since, so the engine replays what was missed', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_700_000_000_000 });
  const engine = new FakeEngine();
  const events = new HostStopEvents(async () => engine, 'me', logger);
  await events.open();
  const seen: string[] = [];
  events.watch('a', (action) => seen.push(action));
  engine.streams[0]!.destroy(new Error('engine restarted'));
  await settle();
  t.mock.timers.tick(100);
  await settle();
  assert.equal(engine.requests.length, 2, 'reopened after a short delay');
  assert.equal(engine.requests[1]?.since, 1_700_000_000 - 1);
  engine.emit(stop('a', 'die'));
  await settle();
  assert.deepEqual(seen, ['die']);
  events.close();
});
