import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiException, type V1Pod } from '@kubernetes/client-node';
import pino from 'pino';
import { loadConfig } from '../../src/server/config.js';
import { clusterError } from '../../src/server/environments/kubernetes/cluster.js';
import {
  ClusterError,
  type LabCluster,
  type LabKind,
  type LabObject,
  type LabelledObject,
  type PodEvents,
  type PodState,
} from '../../src/server/environments/kubernetes/cluster-types.js';
import { backendPodLabels, podLabelKeys } from '../../src/server/environments/kubernetes/labels.js';
import { podState } from '../../src/server/environments/kubernetes/pod-state.js';
import { PodWatch } from '../../src/server/environments/kubernetes/pod-watch.js';
import { KubernetesEnvironmentProvider } from '../../src/server/environments/kubernetes/provider.js';
import { ProviderCapacityError, ProviderUnavailableError, type EnvironmentSpec } from '../../src/server/environments/types.js';

const logger = pino({ level: 'silent' });
const config = loadConfig({});

/** A fake of our own LabCluster: it records what the provider asks and lets the test play the pod watch. */
class FakeCluster implements LabCluster {
  readonly created: LabObject[] = [];
  readonly deletedSessions: string[] = [];
  readonly removed: string[] = [];
  readonly objects = new Map<LabKind, LabelledObject[]>([
    ['Pod', []],
    ['Secret', []],
    ['NetworkPolicy', []],
  ]);
  events?: PodEvents;
  starts = 0;
  startFailure?: Error;
  createFailure?: Error;
  probeFailure?: Error;
  onPodCreated: (pod: LabObject) => void = () => undefined;
  private started?: () => void;
  readonly restarted = new Promise<void>((resolve) => {
    this.started = resolve;
  });

  async create(object: LabObject): Promise<void> {
    if (this.createFailure) throw this.createFailure;
    this.created.push(object);
    if (object.kind === 'Pod') queueMicrotask(() => this.onPodCreated(object));
  }
  async deleteSession(sessionId: string): Promise<void> {
    this.deletedSessions.push(sessionId);
  }
  async list(kind: LabKind, labelSelector: string): Promise<LabelledObject[]> {
    const [key, value] = labelSelector.split(',')[0]!.split('=');
    return this.objects.get(kind)!.filter((o) => key! in o.labels && (value === undefined || o.labels[key!] === value));
  }
  async remove(kind: LabKind, name: string): Promise<void> {
    this.removed.push(`${kind}/${name}`);
  }
  watchPods(_selector: string, events: PodEvents) {
    this.events = events;
    return {
      start: async () => {
        this.starts++;
        if (this.starts > 1) this.started?.();
        if (this.startFailure) throw this.startFailure;
      },
      stop: () => undefined,
    };
  }
  async probe(): Promise<void> {
    if (this.probeFailure) throw this.probeFailure;
  }
  /** The watch reports a pod in this state. */
  pod(name: string, state: Partial<PodState> = {}): void {
    this.events!.change({ name, labels: {}, phase: 'Pending', ready: false, terminating: false, ...state });
  }
}

const running = { phase: 'Running', ready: true, address: '10.0.0.7' } as const;

function provider(cluster: FakeCluster, owner = 'backend-a') {
  return new KubernetesEnvironmentProvider({
    namespace: 'ssh-lab',
    image: 'lab-host:test',
    limits: config.hostLimits,
    podIp: '10.0.0.2',
    startupTimeoutMs: 5_000,
    logger,
    cluster: () => cluster,
    owner,
  });
}

const spec: EnvironmentSpec = {
  sessionId: 'sess00000001',
  labId: 'copy-id',
  password: 'abcd-efgh-jkmn',
  lifetimeSeconds: 600,
  hosts: [
    { name: 'workstation', role: 'workstation', ports: [22], forwarding: 'no', agentForwarding: false },
    { name: 'server', role: 'server', ports: [22, 2222], forwarding: 'no', agentForwarding: false },
  ],
};

test('the pod watch resolves a pod once it is ready and has an address', async () => {
  const cluster = new FakeCluster();
  const watch = new PodWatch(cluster, 'owner=x', logger);
  await watch.open();
  const ready = watch.ready('p1', 5_000);
  cluster.pod('p1', { phase: 'Running' });
  cluster.pod('p1', running);
  assert.equal((await ready).address, '10.0.0.7');
  watch.close();
});

test('a pod that can never start fails its start at once, with the reason', async () => {
  const cluster = new FakeCluster();
  const watch = new PodWatch(cluster, 'owner=x', logger);
  await watch.open();
  const ready = watch.ready('p1', 60_000);
  cluster.pod('p1', { failure: 'host: ErrImagePull (pull access denied)' });
  await assert.rejects(ready, (error: Error) => error instanceof ProviderUnavailableError && /p1 cannot start: host: ErrImagePull/.test(error.message));
  watch.close();
});

test('a pod the scheduler has no node for is a capacity error when its time is up', async () => {
  const cluster = new FakeCluster();
  const watch = new PodWatch(cluster, 'owner=x', logger);
  await watch.open();
  const ready = watch.ready('p1', 50);
  cluster.pod('p1', { unschedulable: '0/3 nodes are available: 3 Insufficient memory.' });
  await assert.rejects(ready, (error: Error) => error instanceof ProviderCapacityError && /room for lab pod p1 \(0\/3 nodes/.test(error.message));
  watch.close();
});

test('loss is reported once from the same watch: a pod that ends, or one deleted', async () => {
  const cluster = new FakeCluster();
  const watch = new PodWatch(cluster, 'owner=x', logger);
  await watch.open();
  const losses: string[] = [];
  watch.watchLoss('p1', (reason) => losses.push(`p1 ${reason}`));
  watch.watchLoss('p2', (reason) => losses.push(`p2 ${reason}`));
  cluster.pod('p1', running);
  cluster.pod('p1', { phase: 'Failed', failure: 'the pod failed (DeadlineExceeded)' });
  cluster.pod('p1', { phase: 'Failed', failure: 'the pod failed (DeadlineExceeded)' });
  cluster.events!.gone({ name: 'p2', labels: {}, phase: 'Running', ready: true, terminating: false });
  assert.deepEqual(losses, ['p1 the pod failed (DeadlineExceeded)', 'p2 the pod was deleted']);
  // A pod already gone when it is watched is reported too; one the provider deleted itself is not.
  watch.watchLoss('p2', (reason) => losses.push(`late ${reason}`));
  await new Promise<void>((resolve) => queueMicrotask(resolve));
  assert.equal(losses.at(-1), 'late the pod was deleted');
  watch.watchLoss('p3', (reason) => losses.push(`p3 ${reason}`));
  watch.forget('p3');
  cluster.events!.gone({ name: 'p3', labels: {}, phase: 'Running', ready: true, terminating: true });
  assert.equal(losses.length, 3);
  watch.close();
});

test('a broken watch is reopened (one informer again, not a poll)', async () => {
  const cluster = new FakeCluster();
  const watch = new PodWatch(cluster, 'owner=x', logger);
  await watch.open();
  cluster.events!.broken(new ClusterError('unreachable', 'connection reset'));
  await cluster.restarted;
  assert.equal(cluster.starts, 2);
  watch.close();
});

test('start creates the Secret, then the NetworkPolicy, then the pods, all labelled with the owner', async () => {
  const cluster = new FakeCluster();
  // The first pod never gets ready: start must fail and remove the whole session.
  cluster.onPodCreated = (pod) => cluster.pod(pod.metadata!.name!, { failure: 'host ended (Error, exit 70: lab-entrypoint: FATAL: …)' });
  const labs = provider(cluster);
  await assert.rejects(labs.start(spec), (error: Error) => error instanceof ProviderUnavailableError && /lab-entrypoint: FATAL/.test(error.message));
  assert.deepEqual(
    cluster.created.map((o) => o.kind),
    ['Secret', 'NetworkPolicy', 'Pod', 'Pod'],
  );
  for (const object of cluster.created) assert.equal(object.metadata?.labels?.[podLabelKeys.owner], 'backend-a');
  assert.deepEqual(cluster.deletedSessions, [spec.sessionId]);
  labs.close();
});

test('a used-up ResourceQuota is a capacity error; a cluster that does not answer is unavailable', async () => {
  const cluster = new FakeCluster();
  cluster.createFailure = new ClusterError('forbidden', 'RBAC forbids creating Pod x: pods "x" is forbidden: exceeded quota: lab-pods, requested: pods=1');
  await assert.rejects(provider(cluster).start(spec), ProviderCapacityError);
  const down = new FakeCluster();
  down.startFailure = new ClusterError('unreachable', 'The Kubernetes API does not answer (ECONNREFUSED)');
  await assert.rejects(provider(down).start(spec), (error: Error) => error instanceof ProviderUnavailableError && /ECONNREFUSED/.test(error.message));
});

test('verify stops the start-up for a missing namespace or RBAC, not for a cluster that is merely down', async () => {
  const cluster = new FakeCluster();
  cluster.probeFailure = new ClusterError('namespace', 'The namespace ssh-lab does not exist: create it');
  await assert.rejects(provider(cluster).verify(), /SSH_LAB_PROVIDER=kubernetes: The namespace ssh-lab does not exist/);
  cluster.probeFailure = new ClusterError('forbidden', 'RBAC forbids creating secrets (dry run) in namespace ssh-lab');
  await assert.rejects(provider(cluster).verify(), /RBAC forbids/);
  assert.deepEqual(await provider(cluster).status(), { available: false, message: 'RBAC forbids creating secrets (dry run) in namespace ssh-lab' });
  cluster.probeFailure = new ClusterError('unreachable', 'The Kubernetes API does not answer');
  await provider(cluster).verify();
  cluster.probeFailure = undefined;
  assert.deepEqual(await provider(cluster).status(), { available: true });
});

test('the reaper removes its own dead sessions and a gone backend’s, never a live backend’s nor a live session', async () => {
  const cluster = new FakeCluster();
  const labels = (session: string, owner: string) => ({ [podLabelKeys.session]: session, [podLabelKeys.owner]: owner });
  cluster.objects.set('Pod', [
    { name: 'mine-live', labels: labels('live1', 'backend-a') },
    { name: 'mine-ended', labels: labels('ended', 'backend-a') },
    { name: 'other-live', labels: labels('s2', 'backend-b') },
    { name: 'gone-backend', labels: labels('s3', 'backend-old') },
    // A session taken over after its replica was replaced (rolling restart): live, so kept.
    { name: 'taken-over', labels: labels('moved', 'backend-replaced') },
    { name: 'backend-b', labels: { ...backendPodLabels } },
  ]);
  cluster.objects.set('Secret', [{ name: 'ssh-lab-ended', labels: labels('ended', 'backend-a') }]);
  cluster.objects.set('NetworkPolicy', [
    { name: 'ssh-lab-s3', labels: labels('s3', 'backend-old') },
    { name: 'ssh-lab-s2', labels: labels('s2', 'backend-b') },
  ]);
  const removed = await provider(cluster).reap(new Set(['live1', 'moved']));
  assert.deepEqual(cluster.removed.sort(), ['NetworkPolicy/ssh-lab-s3', 'Pod/gone-backend', 'Pod/mine-ended', 'Secret/ssh-lab-ended']);
  assert.equal(removed, 4);
});

test('pod states: ready, an image that cannot be pulled, the lifetime deadline, no node', () => {
  const pod = (status: V1Pod['status'], deleting = false): V1Pod => ({
    metadata: { name: 'p', labels: {}, ...(deleting ? { deletionTimestamp: new Date() } : {}) },
    status,
  });
  assert.deepEqual(podState(pod({ phase: 'Running', podIP: '10.1.1.1', conditions: [{ type: 'Ready', status: 'True' }] })), {
    name: 'p',
    labels: {},
    phase: 'Running',
    address: '10.1.1.1',
    ready: true,
    terminating: false,
  });
  const pull = podState(
    pod({
      phase: 'Pending',
      containerStatuses: [
        {
          name: 'host',
          image: 'x',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' } },
        },
      ],
    }),
  );
  assert.equal(pull.failure, 'host: ImagePullBackOff (Back-off pulling image "x")');
  const init = podState(
    pod({
      phase: 'Pending',
      initContainerStatuses: [
        { name: 'mount-modes', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      ],
    }),
  );
  assert.equal(init.failure, undefined, 'an init container that completed is no failure');
  assert.match(
    podState(pod({ phase: 'Failed', reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' })).failure!,
    /DeadlineExceeded/,
  );
  assert.equal(podState(pod({ phase: 'Running' }, true)).terminating, true);
  assert.equal(
    podState(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available' }] }))
      .unschedulable,
    '0/1 nodes are available',
  );
});

test('API errors become operator messages: RBAC, a missing namespace, an API that does not answer', () => {
  const forbidden = clusterError(
    new ApiException(
      403,
      'Forbidden',
      JSON.stringify({ kind: 'Status', message: 'pods is forbidden: User "system:serviceaccount:ssh-lab:ssh-lab" cannot create resource "pods"' }),
      {},
    ),
    'ssh-lab',
    'creating Pod x',
  );
  assert.equal(forbidden.problem, 'forbidden');
  assert.match(forbidden.message, /RBAC forbids creating Pod x in namespace ssh-lab: pods is forbidden.*Apply deploy\/kubernetes\/rbac\.yaml/);
  const missing = clusterError(
    new ApiException(404, 'Not Found', { kind: 'Status', reason: 'NotFound', details: { name: 'labs', kind: 'namespaces' } }, {}),
    'labs',
    'creating secrets',
  );
  assert.equal(missing.problem, 'namespace');
  assert.match(missing.message, /The namespace labs does not exist/);
  const down = clusterError(new Error('connect ECONNREFUSED 127.0.0.1:6443'), 'ssh-lab', 'listing pods');
  assert.equal(down.problem, 'unreachable');
  assert.match(down.message, /does not answer \(connect ECONNREFUSED 127\.0\.0\.1:6443\) while listing pods/);
});

test('the client adapter: an API server that does not answer is "unreachable", with the address', async () => {
  const { createServer } = await import('node:net');
  const { KubeConfig } = await import('@kubernetes/client-node');
  const { kubeCluster } = await import('../../src/server/environments/kubernetes/cluster.js');
  // A free loopback port with nothing listening on it.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser({ name: 'test', server: `https://127.0.0.1:${port}`, skipTLSVerify: false }, { name: 'test', token: 'x' });
  await assert.rejects(kubeCluster('ssh-lab', kc).probe(), (error: ClusterError) => {
    assert.equal(error.problem, 'unreachable');
    assert.match(error.message, /The Kubernetes API does not answer \(.*\) while creating secrets \(dry run\)/);
    return true;
  });
});
