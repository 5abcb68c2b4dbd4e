import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlowController } from '../../src/server/terminal/flow-controller.js';
import { FakeChannel } from '../helpers/fakes.js';

function controller(slowClientMs = 1_000) {
  const channel = new FakeChannel();
  let slow = 0;
  const flow = new FlowController({ highBytes: 1_000, lowBytes: 200, slowClientMs, onSlowClient: () => slow++ }, () => channel);
  return { flow, channel, slow: () => slow };
}

test('pauses above the high mark (unacknowledged or unsent), resumes only below the low mark', () => {
  const { flow, channel } = controller();
  flow.sentFrame(1_000, 0);
  assert.ok(!channel.paused, 'at the mark is not above it');
  flow.sentFrame(1, 0);
  assert.ok(channel.paused);
  flow.ack(700, 0);
  assert.ok(channel.paused, '301 unacknowledged is not below the low mark...');
  assert.equal(flow.unacknowledged, 301);
  flow.ack(1_001, 500);
  assert.ok(channel.paused, '...and neither is a socket still holding 500 bytes');
  flow.maybeResume(0);
  assert.ok(!channel.paused);
  assert.equal(channel.pauses, 1);
  assert.equal(channel.resumes, 1);

  flow.sentFrame(10, 5_000);
  assert.ok(channel.paused, 'a socket buffering more than the high mark pauses too');
});

test('an acknowledgement of more than was sent, or going backwards, is ignored', () => {
  const { flow } = controller();
  flow.sentFrame(500, 0);
  flow.ack(5_000, 0);
  assert.equal(flow.unacknowledged, 500);
  flow.ack(300, 0);
  flow.ack(100, 0);
  assert.equal(flow.unacknowledged, 200);
});

test('a client that stays paused for slowClientMs is reported once; one that acknowledges in time is not', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const { flow, slow } = controller(1_000);
  flow.sentFrame(2_000, 0);
  t.mock.timers.tick(999);
  flow.ack(2_000, 0);
  t.mock.timers.tick(10_000);
  assert.equal(slow(), 0, 'resumed in time');

  flow.sentFrame(2_000, 0);
  t.mock.timers.tick(999);
  assert.equal(slow(), 0);
  t.mock.timers.tick(1);
  assert.equal(slow(), 1);
});

test('reset (a new client) forgets the counts and resumes', () => {
  const { flow, channel } = controller();
  flow.sentFrame(5_000, 0);
  assert.ok(channel.paused);
  flow.reset();
  assert.ok(!channel.paused);
  assert.equal(flow.unacknowledged, 0);
});
