/**
 * npm run lab:validate [id…]: for lab authors. Starts the real server and, for each lab,
 * replays its solution through the terminal (must pass every step), checks a fresh environment
 * (must fail every step) and replays each listed mistake (must fail its step with its message).
 */
import { ApiClient } from '../src/labs/api-client.js';
import { loadLab, labFolders } from '../src/labs/load.js';
import { validateFresh, validateMistake, validateSolution, type ValidationCase } from '../src/labs/validate.js';
import { startServer } from '../src/server/main.js';
import { ensureImages } from './images.js';

process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
const ids = process.argv.slice(2).length ? process.argv.slice(2) : labFolders();
const labs = ids.map((id) => loadLab(id));

await ensureImages();
const server = await startServer({
  ...process.env,
  PORT: '0',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  SSH_LAB_MAX_SESSIONS_PER_CLIENT: '20',
  SSH_LAB_SESSION_CREATE_PER_MINUTE: '10000',
  // Every case needs a fresh environment in turn: a pool would only compete with them for the CPU.
  SSH_LAB_POOL_SIZE: '0',
});
const api = new ApiClient(server.url);
let failures = 0;
let passes = 0;
try {
  for (const lab of labs) {
    console.log(`\n${lab.id} — ${lab.title}`);
    const cases: (() => Promise<ValidationCase>)[] = [
      () => validateSolution(api, lab),
      () => validateFresh(api, lab),
      ...lab.mistakes.map((_, i) => () => validateMistake(api, lab, i)),
    ];
    for (const run of cases) {
      const started = Date.now();
      let result: ValidationCase;
      try {
        result = await run();
      } catch (error) {
        result = { name: 'replay', ok: false, detail: (error as Error).message };
      }
      result.ok ? passes++ : failures++;
      console.log(`  ${result.ok ? '✔' : '✘'} ${result.name} (${Date.now() - started} ms)`);
      if (!result.ok || process.env.VERBOSE) console.log(result.detail.replace(/^/gm, '      '));
    }
  }
} finally {
  await server.close();
}
console.log(`\n${passes} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
