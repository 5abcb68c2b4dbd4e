/**
 * The Kubernetes provider against a live cluster, through the real server and API, as a learner
 * uses it. Runs only where KUBECONFIG names a cluster this machine can reach pod addresses on
 * (inside the cluster, or a kind cluster on this Docker engine) and SSH_LAB_K8S_POD_IP is the
 * address lab pods see this process connect from; skipped with one line otherwise. The lab
 * suites run on the same cluster through the same tests as Docker:
 *   SSH_LAB_PROVIDER=kubernetes SSH_LAB_K8S_POD_IP=… npx tsx scripts/test.ts tests/integration/labs.test.ts
 * (tests/helpers/server.ts passes the environment through to the server.)
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiClient } from '../../src/labs/api-client.js';
import { TerminalClient } from '../../src/labs/terminal-client.js';
import { kubeCluster } from '../../src/server/environments/kubernetes/cluster.js';
import type { LabCluster } from '../../src/server/environments/kubernetes/cluster-types.js';
import { podLabelKeys } from '../../src/server/environments/kubernetes/labels.js';
import type { RunningServer } from '../../src/server/main.js';
import { waitFor } from '../helpers/docker.js';
import { startTestServer } from '../helpers/server.js';

const live = Boolean(process.env.KUBECONFIG && process.env.SSH_LAB_K8S_POD_IP);
const skip = live ? false : 'KUBECONFIG or SSH_LAB_K8S_POD_IP is unset: the live Kubernetes suite is skipped';
const namespace = process.env.SSH_LAB_K8S_NAMESPACE || 'ssh-lab';
let server: RunningServer | undefined;
let api: ApiClient;
let cluster: LabCluster;

before(async () => {
  if (!live) return;
  server = await startTestServer({ SSH_LAB_PROVIDER: 'kubernetes', SSH_LAB_STARTUP_TIMEOUT_MS: '120000' });
  api = new ApiClient(server.url);
  cluster = kubeCluster(namespace);
});
after(async () => server?.close());

async function sessionObjects(sessionId: string): Promise<string[]> {
  const selector = `${podLabelKeys.session}=${sessionId}`;
  const [pods, secrets, policies] = await Promise.all([
    cluster.list('Pod', selector),
    cluster.list('Secret', selector),
    cluster.list('NetworkPolicy', selector),
  ]);
  return [...pods.map((p) => `Pod/${p.name}`), ...secrets.map((s) => `Secret/${s.name}`), ...policies.map((p) => `NetworkPolicy/${p.name}`)];
}

test('a two-host session runs as pods: shell, names, check, delete leaves nothing', { skip, timeout: 300_000 }, async () => {
  const session = await api.createSession('copy-id');
  const objects = await sessionObjects(session.id);
  assert.equal(objects.filter((o) => o.startsWith('Pod/')).length, 2, objects.join(', '));
  assert.ok(objects.includes(`NetworkPolicy/ssh-lab-${session.id}`));
  const terminal = await TerminalClient.open(server!.url, session);
  await terminal.waitForPrompt();
  // The workstation finds the server by its lab name and reaches its sshd.
  const from = terminal.received;
  terminal.type('ssh-keyscan -t ed25519 server 2>/dev/null | grep -c ssh-ed25519 && echo name-ok\r');
  await terminal.waitUntil((text) => text.slice(from).includes('1\r\nname-ok'), 30_000, 'the server by name');
  // Every step fails on a fresh environment: the checks ran against the pods.
  const steps = await api.check(session);
  assert.ok(steps.length > 0 && steps.every((s) => !s.passed), JSON.stringify(steps));
  await terminal.close();
  await api.endSession(session);
  await waitFor(async () => (await sessionObjects(session.id)).length === 0, 60_000, `session ${session.id}'s objects to go`);
});

test('the provider reports the cluster healthy', { skip }, async () => {
  const health = (await (await fetch(`${server!.url}/healthz`)).json()) as { environments: { available: boolean; message?: string } };
  assert.equal(health.environments.available, true, health.environments.message);
});
