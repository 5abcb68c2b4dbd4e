import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiClient } from '../../src/labs/api-client.js';
import { loadLabs } from '../../src/labs/load.js';
import { validateFresh, validateMistake, validateSolution, type ValidationCase } from '../../src/labs/validate.js';
import type { RunningServer } from '../../src/server/main.js';
import { startTestServer } from '../helpers/server.js';
import { needsLiveCluster, providerUnderTest } from '../helpers/provider-resources.js';

/** Every lab: its solution, typed through WebSocket → ssh2 → container, passes; a fresh one fails; each mistake fails as intended. */
const labs = loadLabs();
const only = process.env.LAB ? labs.filter((l) => l.id === process.env.LAB) : labs;
let server: RunningServer;
let api: ApiClient;

describe(`every lab on ${providerUnderTest}`, { skip: needsLiveCluster('labs') }, () => {
  before(async () => {
    server = await startTestServer();
    api = new ApiClient(server.url);
  });
  after(async () => server?.close());

  const expectOk = (result: ValidationCase) => assert.ok(result.ok, `${result.name}\n${result.detail}`);

  if (only.length === 0) {
    test(`LAB=${process.env.LAB} names a lab`, () => assert.fail(`no lab "${process.env.LAB}" (labs: ${labs.map((l) => l.id).join(', ')})`));
  }
  for (const lab of only) {
    describe(`lab ${lab.id}`, { concurrency: 2 }, () => {
      test('the reference solution passes every step', async () => expectOk(await validateSolution(api, lab)));
      test('a fresh environment fails every step', async () => expectOk(await validateFresh(api, lab)));
      lab.mistakes.forEach((mistake, index) => {
        test(`mistake: ${mistake.name}`, async () => expectOk(await validateMistake(api, lab, index)));
      });
    });
  }
});
