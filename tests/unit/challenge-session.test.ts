import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LoadContext, PluginContentLoadedActions, RouteConfig } from '@docusaurus/types';
import { countGoals } from '../../src/components/Challenge/challenge';
import { initialLabSession, type LabSessionAction, labSessionReducer } from '../../src/components/Lab/session-state';
import { loadLab } from '../../src/labs/load';
import labCataloguePlugin, { labPageData } from '../../src/plugins/lab-catalogue';
import { type LabPageData, labCard } from '../../src/protocol/catalogue';
import { runningSession } from '../helpers/lab-session';

/** The challenge's Check (every step in one request) in the shared lab reducer, and what the site's catalogue gives a challenge. */

const session = runningSession();
const running = (...actions: LabSessionAction[]) =>
  [{ type: 'start', resuming: false } as const, { type: 'started', session } as const, ...actions].reduce(labSessionReducer, initialLabSession);
const stepIds = ['make-key', 'protect-key'];

describe('checking every step at once', () => {
  test('every step is checking until the answer, which sets each step and remembers what passed', () => {
    const checking = running({ type: 'check-all-begun', stepIds });
    assert.deepEqual(
      stepIds.map((id) => checking.steps[id]?.checking),
      [true, true],
    );
    const state = labSessionReducer(checking, {
      type: 'checked-all',
      results: [
        { id: 'make-key', passed: true, message: 'The key is there.' },
        { id: 'protect-key', passed: false, message: 'No work key yet.', hint: 'use -f' },
      ],
    });
    assert.deepEqual(state.steps['make-key'], { status: 'passed', result: { id: 'make-key', passed: true, message: 'The key is there.' } });
    assert.equal(state.steps['protect-key']?.status, 'failed');
    assert.equal(state.steps['protect-key']?.checking, undefined);
    assert.deepEqual(state.completedBefore, { 'make-key': true });
    assert.equal(countGoals({ steps: [{ id: 'make-key' }, { id: 'protect-key', optional: true }] }, state.steps).solved, true);
  });

  test('no answer: the steps keep their last result, the error is shown, a new check clears it', () => {
    const before = running({ type: 'checked-all', results: [{ id: 'make-key', passed: false, message: 'no key' }] });
    const state = labSessionReducer(labSessionReducer(before, { type: 'check-all-begun', stepIds }), {
      type: 'check-all-failed',
      stepIds,
      message: 'The lab service cannot be reached.',
      sessionGone: false,
    });
    assert.equal(state.phase.name, 'running');
    assert.equal(state.checkAllError, 'The lab service cannot be reached.');
    assert.deepEqual(state.steps['make-key'], { status: 'failed', result: { id: 'make-key', passed: false, message: 'no key' } });
    assert.deepEqual(state.steps['protect-key'], { status: 'pending' });
    assert.equal(labSessionReducer(state, { type: 'check-all-begun', stepIds }).checkAllError, undefined);
  });

  test('a session that is gone ends the session; a new start forgets the error', () => {
    const state = running({ type: 'check-all-failed', stepIds, message: 'This session has ended.', sessionGone: true });
    assert.deepEqual(state.phase, { name: 'failed', kind: 'expired', message: 'This session has ended.' });
    assert.equal(labSessionReducer(state, { type: 'start', resuming: false }).checkAllError, undefined);
  });
});

describe('the catalogue a challenge reads', () => {
  test('each step carries its lab.yaml hint, in step order', () => {
    const keygen = loadLab('keygen');
    const page = labPageData(keygen);
    assert.deepEqual(
      page.steps.map((s) => s.hint),
      keygen.steps.map((s) => s.hint),
    );
    assert.ok(page.steps.every((s) => s.hint && s.hint.length > 0));
  });

  test('every lab gets a challenge page at /challenges/<id> with its own data; the global data holds only the cards', async () => {
    const plugin = labCataloguePlugin({ baseUrl: '/' } as LoadContext);
    const content = (await plugin.loadContent?.()) as LabPageData[];
    const routes: RouteConfig[] = [];
    const created = new Map<string, string>();
    let globalData: unknown;
    const actions = {
      addRoute: (route: RouteConfig) => routes.push(route),
      setGlobalData: (data: unknown) => {
        globalData = data;
      },
      createData: async (name: string, data: string) => {
        created.set(`/generated/${name}`, data);
        return `/generated/${name}`;
      },
    } as unknown as PluginContentLoadedActions;
    await plugin.contentLoaded?.({ content, actions });
    assert.ok(content.length > 0);
    assert.deepEqual(globalData, { labs: content.map(labCard) });
    const cards = JSON.stringify(globalData);
    assert.ok(!content.some((lab) => lab.steps.some((step) => cards.includes(step.instructions))), 'no instructions in the global data');
    assert.deepEqual(
      routes.map((r) => [r.path, r.component, r.exact, JSON.parse(created.get(String(r.modules?.lab)) ?? 'null')]),
      content.map((lab) => [`/challenges/${lab.id}`, '@site/src/components/Challenge/ChallengePage', true, lab]),
    );
  });
});
