import { ApiClient } from '../../src/labs/api-client.js';
import { TerminalClient } from '../../src/labs/terminal-client.js';
import { startTestServer } from '../helpers/server.js';
const server = await startTestServer({ SSH_LAB_SUBNET_POOL: '172.31.240.0/20' });
const api = new ApiClient(server.url);
const s = await api.createSession(process.argv[2] ?? 'keygen');
console.log(JSON.stringify(s));
const t = await TerminalClient.open(server.url, s);
await t.waitForPrompt();
t.resize(300, 50);
const cmds = (process.argv[3] ?? '').split(';;');
for (const c of cmds) {
  const from = t.text().length;
  t.type(`${c}; echo "@@$((1000+1))@@"\r`);
  await t.waitUntil((x) => x.slice(from).includes('@@1001@@'), 20000);
  console.log(t.text().slice(from));
}
await new Promise((r) => setTimeout(r, Number(process.env.HOLD ?? 0)));
await server.close();
