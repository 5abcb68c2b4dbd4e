import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { MemoryDirectory } from '../../src/server/directory/memory.js';
import { RedisDirectory } from '../../src/server/directory/redis.js';
import { DirectoryUnavailableError, type SessionDirectory, type SessionRecord } from '../../src/server/directory/types.js';
import { TestRedis } from '../helpers/redis.js';

/**
 * The two directories behave alike: the same tests run on the in-memory one and on Redis (a real
 * redis-server on a free loopback port). Each test uses its own replica ids and session ids.
 */

const logger = pino({ level: 'silent' });
const limits = { maxSessions: 3, maxPerClient: 2 };
let redis: TestRedis;
const opened: RedisDirectory[] = [];

before(async () => {
  redis = await TestRedis.start();
});
after(async () => {
  await Promise.all(opened.map((d) => d.close()));
  await redis?.stop();
});

let n = 0;
const unique = (what: string) => `${what}${++n}x${process.pid}`;

function record(id: string, client: string, owner: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  const now = Date.now();
  return {
    id,
    labId: 'keygen',
    client,
    tokenHash: 'ab'.repeat(32),
    password: 'abcd-efgh-jkmn',
    createdAt: now,
    expiresAt: now + 60_000,
    lastActivity: now,
    owner,
    environment: {
      sessionId: id,
      hosts: [{ name: 'workstation', role: 'workstation', ports: [], address: '10.0.0.2', fingerprint: 'f', publicKey: 'k' }],
      provider: { kind: 'fake' },
    },
    ...overrides,
  };
}

interface Kind {
  name: string;
  /** Two replicas' views of one directory (the in-memory one is a single process: the same object). */
  pair(): Promise<[SessionDirectory, SessionDirectory]>;
}

async function redisDirectory(replicaId: string): Promise<RedisDirectory> {
  const directory = new RedisDirectory({ url: redis.url, replicaId, logger });
  opened.push(directory);
  await directory.connect(5_000);
  // Every test starts from an empty store.
  return directory;
}

const kinds: Kind[] = [
  {
    name: 'in memory',
    async pair() {
      const directory = new MemoryDirectory(unique('replica'));
      return [directory, directory];
    },
  },
  {
    name: 'Redis',
    async pair() {
      const a = await redisDirectory(unique('replicaA'));
      await a.client.flushall();
      return [a, await redisDirectory(unique('replicaB'))];
    },
  },
];

for (const kind of kinds) {
  describe(`the session directory (${kind.name})`, () => {
    test('reservations hold the global and per-client caps; a released place is free again', async () => {
      const [a, b] = await kind.pair();
      assert.equal(await a.reserve('p1', 'alice', limits, 60_000), 'reserved');
      assert.equal(await b.reserve('p2', 'alice', limits, 60_000), 'reserved');
      assert.equal(await b.reserve('p3', 'alice', limits, 60_000), 'client-limit', 'alice counted across replicas');
      assert.equal(await a.reserve('p4', 'bob', limits, 60_000), 'reserved');
      assert.equal(await b.reserve('p5', 'carol', limits, 60_000), 'full');
      await a.release('p4', 'bob');
      assert.equal(await b.reserve('p6', 'carol', limits, 60_000), 'reserved');
      assert.equal(await a.count(), 3);
    });

    test('concurrent reservations for the last places never overshoot the cap', async () => {
      const [a, b] = await kind.pair();
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).reserve(`c${i}`, `client${i}`, limits, 60_000)));
      assert.equal(answers.filter((x) => x === 'reserved').length, 3);
      assert.equal(await a.count(), 3);
    });

    test('a committed session is read by every replica and removed exactly once', async () => {
      const [a, b] = await kind.pair();
      const id = unique('s');
      await a.reserve('place', 'alice', limits, 60_000);
      await a.commit('place', record(id, 'alice', a.replicaId));
      const seen = await b.get(id);
      assert.equal(seen?.labId, 'keygen');
      assert.deepEqual(seen?.environment.hosts[0]?.ports, [], 'an empty list stays a list');
      assert.equal(seen?.owner, a.replicaId);
      assert.equal((await b.list()).length, 1);
      assert.equal(await a.count(), 1, 'the place is the session now, not both');
      const removals = await Promise.all([a.remove(id), b.remove(id), a.remove(id)]);
      assert.equal(removals.filter(Boolean).length, 1, 'one caller disposes');
      assert.equal(await b.get(id), undefined);
      assert.equal(await a.count(), 0);
      assert.equal(await a.reserve('again', 'alice', limits, 60_000), 'reserved', "alice's place is free again");
    });

    test('a ticket opens one socket: presented twice at once, exactly one redemption wins', async () => {
      const [a, b] = await kind.pair();
      const ticket = await a.issueTicket('s1', 30_000);
      const results = await Promise.all([a.redeemTicket(ticket, 's1'), b.redeemTicket(ticket, 's1'), b.redeemTicket(ticket, 's1')]);
      assert.equal(results.filter(Boolean).length, 1);
      const other = await b.issueTicket('s1', 30_000);
      assert.equal(await a.redeemTicket(other, 's2'), false, 'only for its own session');
      assert.equal(await a.redeemTicket(other, 's1'), false, 'and spent by the wrong try');
    });

    test('activity only moves forward; the owner changes only from the owner named', async () => {
      const [a, b] = await kind.pair();
      const id = unique('s');
      await a.reserve(id, 'alice', limits, 60_000);
      await a.commit(id, record(id, 'alice', 'gone-replica', { lastActivity: 1000 }));
      await b.touch(id, 5000);
      await a.touch(id, 3000);
      assert.equal((await a.get(id))?.lastActivity, 5000);
      assert.equal(await b.claim(id, 'someone-else'), false);
      assert.equal(await b.claim(id, 'gone-replica'), true);
      assert.equal((await a.get(id))?.owner, b.replicaId);
      if (a !== b) assert.equal(await a.claim(id, 'gone-replica'), false, 'adopted once');
      await a.touch('no-such-session', Date.now());
      assert.equal(await a.get('no-such-session'), undefined, 'a touch never recreates an ended session');
    });

    test('heartbeats: live replicas with their pooled counts; one that left is gone', async () => {
      const [a, b] = await kind.pair();
      await a.heartbeat(2, 5_000);
      await b.heartbeat(3, 5_000);
      const live = await a.replicas();
      assert.equal(live.get(b.replicaId), 3);
      if (a !== b) {
        assert.equal(live.get(a.replicaId), 2);
        await b.leave();
        assert.equal((await a.replicas()).has(b.replicaId), false);
      }
    });

    test('the login key: the first one offered is everyone’s', async () => {
      const [a, b] = await kind.pair();
      const first = await a.loginKey({ privateKey: 'private-a', publicKey: 'public-a' });
      const second = await b.loginKey({ privateKey: 'private-b', publicKey: 'public-b' });
      assert.deepEqual(first, { privateKey: 'private-a', publicKey: 'public-a' });
      assert.deepEqual(second, first);
    });

    test('gateway credentials: put replaces the session’s credential; removeSession forgets it', async () => {
      const [a, b] = await kind.pair();
      const expiresAt = Date.now() + 60_000;
      await a.gatewayCredentials.put({ sessionId: 's1', username: 'lab-one', passwordHash: 'scrypt$aa$bb', expiresAt });
      assert.equal((await b.gatewayCredentials.byUsername('lab-one'))?.sessionId, 's1');
      await b.gatewayCredentials.put({ sessionId: 's1', username: 'lab-two', passwordHash: 'scrypt$cc$dd', expiresAt });
      assert.equal(await a.gatewayCredentials.byUsername('lab-one'), undefined, 'rotated away');
      assert.equal((await a.gatewayCredentials.byUsername('lab-two'))?.passwordHash, 'scrypt$cc$dd');
      await a.gatewayCredentials.removeSession('s1');
      assert.equal(await b.gatewayCredentials.byUsername('lab-two'), undefined);
    });
  });
}

describe('the Redis directory while Redis is away', () => {
  test('every call fails at once with DirectoryUnavailableError, and works again once Redis is back', { timeout: 30_000 }, async () => {
    const directory = await redisDirectory(unique('replica'));
    await redis.stop();
    try {
      const started = Date.now();
      await assert.rejects(directory.reserve('p', 'alice', limits, 60_000), DirectoryUnavailableError);
      await assert.rejects(directory.get('s'), DirectoryUnavailableError);
      assert.ok(Date.now() - started < 10_000, 'no command waits for a store that is down');
    } finally {
      await redis.start();
    }
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        assert.equal(await directory.reserve(unique('p'), unique('client'), { maxSessions: 100, maxPerClient: 1 }, 60_000), 'reserved');
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  });
});
