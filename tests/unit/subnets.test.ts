import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SubnetPool, parseCidr } from '../../src/server/environments/subnets.js';

test('a /16 pool of /28 subnets holds 4096 session networks', () => {
  const pool = new SubnetPool('172.29.0.0/16', 28);
  assert.equal(pool.capacity, 4096);
  assert.deepEqual(pool.allocate(), { cidr: '172.29.0.0/28', gateway: '172.29.0.1' });
  assert.deepEqual(pool.allocate(), { cidr: '172.29.0.16/28', gateway: '172.29.0.17' });
});

test('subnets taken elsewhere are skipped; released ones come back', () => {
  const pool = new SubnetPool('10.0.0.0/26', 28);
  const taken = new Set(['10.0.0.0/28']);
  const a = pool.allocate(taken)!;
  assert.equal(a.cidr, '10.0.0.16/28');
  const b = pool.allocate()!;
  const c = pool.allocate()!;
  assert.deepEqual([b.cidr, c.cidr], ['10.0.0.32/28', '10.0.0.48/28']);
  assert.equal(pool.allocate(taken), undefined, 'exhausted');
  pool.release(b.cidr);
  assert.equal(pool.allocate(taken)?.cidr, '10.0.0.32/28');
});

test('bad pools are refused with a reason', () => {
  assert.throws(() => parseCidr('172.29.0.0'), /not a CIDR/);
  assert.throws(() => parseCidr('300.1.1.1/16'), /not an IPv4/);
  assert.throws(() => new SubnetPool('172.29.0.0/24', 20), /between/);
});

test("a subnet overlapping any network in use on the machine is skipped, whatever that network's size", () => {
  const pool = new SubnetPool('10.0.0.0/24', 28);
  // A /32 inside the first subnet, a /27 over the third and fourth, and a wider /16 elsewhere.
  const occupied = ['10.0.0.5/32', '10.0.0.32/27', '192.168.0.0/16'];
  assert.equal(pool.allocate(new Set(), occupied)?.cidr, '10.0.0.16/28');
  assert.equal(pool.allocate(new Set(), occupied)?.cidr, '10.0.0.64/28');
  assert.equal(new SubnetPool('10.0.0.0/26', 28).allocate(new Set(), ['10.0.0.0/16']), undefined, 'the whole pool lies inside a network in use');
});

test('hosts get the addresses after the gateway, as far as the subnet holds them', () => {
  const subnet = { cidr: '10.0.0.16/29', gateway: '10.0.0.17' };
  assert.deepEqual(
    [0, 1, 2].map((i) => SubnetPool.hostAddress(subnet, i)),
    ['10.0.0.18', '10.0.0.19', '10.0.0.20'],
  );
  assert.throws(() => SubnetPool.hostAddress(subnet, 5), /no room for host 6/);
});
