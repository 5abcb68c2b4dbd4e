import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { LabFormatError, loadLab, loadLabs } from '../../src/labs/load.js';
import { fillTemplate } from '../../src/labs/template.js';
import { LabCatalogue } from '../../src/server/labs/catalogue.js';

const minimal = {
  id: 'demo',
  title: 'Demo',
  summary: 'A demo lab.',
  chapter: '/docs/everyday-ssh',
  difficulty: 'beginner',
  minutes: 5,
  hosts: [{ name: 'workstation', role: 'workstation' }],
  steps: [{ id: 'one', title: 'One', instructions: 'Do it.', hint: 'Think.' }],
  solution: { one: ['true'] },
};

function labDir(content: unknown, id = 'demo'): string {
  const dir = mkdtempSync(join(tmpdir(), 'labs-'));
  mkdirSync(join(dir, id));
  writeFileSync(join(dir, id, 'lab.yaml'), stringify(content));
  return dir;
}

test('every lab in labs/ is valid and has a check for each step', async () => {
  const labs = loadLabs();
  assert.ok(labs.length >= 1);
  const catalogue = await LabCatalogue.load();
  assert.equal(catalogue.all().length, labs.length);
});

test('a valid minimal lab loads with defaults', () => {
  const lab = loadLab('demo', labDir(minimal));
  assert.deepEqual(lab.hosts[0]?.ports, [22]);
  assert.equal(lab.hosts[0]?.forwarding, 'no');
});

test('malformed labs are refused with the file and the problem', () => {
  const cases: [unknown, RegExp][] = [
    [{ ...minimal, hosts: [{ name: 'server', role: 'server' }] }, /exactly one host must have role workstation/],
    [{ ...minimal, solution: {} }, /step "one" has no solution/],
    [{ ...minimal, steps: [{ ...minimal.steps[0], hint: '' }] }, /must not be empty/],
    [{ ...minimal, mistakes: [{ name: 'x', step: 'two', commands: ['true'], message: 'y' }] }, /unknown step "two"/],
    [{ ...minimal, setup: [{ host: 'nowhere', run: 'true' }] }, /unknown host "nowhere"/],
    [{ ...minimal, surprise: true }, /surprise/],
  ];
  for (const [content, problem] of cases) {
    assert.throws(
      () => loadLab('demo', labDir(content)),
      (error: Error) => error instanceof LabFormatError && problem.test(error.message) && error.message.includes('lab.yaml'),
    );
  }
  assert.throws(() => loadLab('other', labDir(minimal, 'other')), /must match its folder name/);
});

test('templates fill known values and refuse unknown ones', () => {
  const values = { password: 'pw', user: 'learner', hosts: { server: { fingerprint: 'SHA256:x', address: '10.0.0.2', publicKey: 'ssh-ed25519 A', port: 22 } } };
  assert.equal(fillTemplate('{{ password }} {{hosts.server.fingerprint}}:{{hosts.server.port}}', values), 'pw SHA256:x:22');
  assert.throws(() => fillTemplate('{{hosts.nope.address}}', values), /Unknown placeholder/);
});

test('a step whose solution answers a host-key question tells the learner to compare the fingerprint with the lab panel', () => {
  for (const lab of loadLabs()) {
    for (const step of lab.steps) {
      const actions = lab.solution[step.id] ?? [];
      const asksAboutHostKey = actions.some((action) => typeof action !== 'string' && action.expect?.includes('continue connecting'));
      if (!asksAboutHostKey) continue;
      const text = step.instructions.replace(/\s+/g, ' ');
      assert.ok(
        /fingerprint/.test(text) && /lab panel/.test(text),
        `${lab.id}/${step.id}: its solution answers ssh's host-key question, so its instructions must say to compare the fingerprint with the one in the lab panel`,
      );
    }
  }
});

test('a step that sends the learner into nano says how to save and how to leave', () => {
  const steps = loadLabs().flatMap((lab) => lab.steps.map((step) => ({ where: `${lab.id}/${step.id}`, text: step.instructions })));
  const withNano = steps.filter((s) => /\bnano\b/.test(s.text));
  assert.ok(withNano.length > 0, 'some lab uses nano');
  for (const { where, text } of withNano) {
    assert.ok(/Ctrl-O/.test(text) && /Ctrl-X/.test(text), `${where}: uses nano, so it must say Ctrl-O saves and Ctrl-X leaves`);
  }
});
