import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { requiredPermissions } from '../../src/server/environments/kubernetes/cluster-types.js';
import { backendPodLabels } from '../../src/server/environments/kubernetes/labels.js';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are read as plain YAML and validated below
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  rules?: any[];
  // biome-ignore lint/suspicious/noExplicitAny: as above
  subjects?: any[];
}

const haveKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
const skip = haveKubectl ? false : 'kubectl is not installed: deploy/kubernetes not rendered (kubectl kustomize)';

const validators: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'networking.k8s.io/v1/Ingress': Ingress,
};

function parse(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((m): m is Manifest => Boolean(m));
}

function validate(manifest: Manifest): void {
  const Model = validators[`${manifest.apiVersion}/${manifest.kind}`];
  assert.ok(Model, `no validator for ${manifest.apiVersion} ${manifest.kind}: an unexpected kind`);
  new Model(manifest as never).validate();
}

const rendered = haveKubectl ? parse(execFileSync('kubectl', ['kustomize', 'deploy/kubernetes'], { encoding: 'utf8' })) : [];
const find = (kind: string, name: string) => rendered.find((m) => m.kind === kind && m.metadata.name === name);

test('kubectl kustomize deploy/kubernetes renders objects that all validate, in one namespace', { skip }, () => {
  assert.ok(rendered.length >= 12);
  for (const manifest of rendered) {
    validate(manifest);
    if (manifest.kind !== 'Namespace') assert.equal(manifest.metadata.namespace, 'ssh-lab', `${manifest.kind}/${manifest.metadata.name}`);
  }
  validate(parse(readFileSync('deploy/kubernetes/ingress-example.yaml', 'utf8'))[0]!);
});

test('the Role grants exactly what the provider calls, in its namespace; no cluster-wide role', { skip }, () => {
  assert.ok(!rendered.some((m) => m.kind === 'ClusterRole' || m.kind === 'ClusterRoleBinding'));
  const role = find('Role', 'ssh-lab-provider')!;
  const granted = role.rules!.flatMap((r: { apiGroups: string[]; resources: string[]; verbs: string[] }) =>
    r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}/${res}:${v}`))),
  );
  const needed = requiredPermissions.flatMap((p) => p.verbs.map((v) => `${p.apiGroup}/${p.resource}:${v}`));
  assert.deepEqual(granted.sort(), [...needed].sort());
  const binding = find('RoleBinding', 'ssh-lab-provider')!;
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'ssh-lab', namespace: 'ssh-lab' }]);
});

test('the backend Deployment: replicas, probes, preStop, non-root, read-only root, Redis, gateway key', { skip }, () => {
  const deployment = find('Deployment', 'ssh-lab')!;
  assert.ok(deployment.spec.replicas >= 2);
  assert.equal(deployment.spec.strategy.rollingUpdate.maxUnavailable, 0);
  const pod = deployment.spec.template.spec;
  // Each session's NetworkPolicy admits the backend by these labels.
  for (const [key, value] of Object.entries(backendPodLabels)) assert.equal(deployment.spec.template.metadata.labels[key], value, key);
  assert.equal(pod.serviceAccountName, 'ssh-lab');
  assert.equal(pod.securityContext.runAsNonRoot, true);
  const [backend] = pod.containers;
  assert.equal(backend.readinessProbe.httpGet.path, '/healthz');
  assert.equal(backend.livenessProbe.httpGet.path, '/healthz');
  assert.ok(backend.lifecycle.preStop);
  assert.equal(backend.securityContext.readOnlyRootFilesystem, true);
  assert.equal(backend.securityContext.allowPrivilegeEscalation, false);
  assert.deepEqual(backend.securityContext.capabilities.drop, ['ALL']);
  const env = Object.fromEntries(backend.env.map((e: { name: string; value?: string; valueFrom?: unknown }) => [e.name, e.value ?? e.valueFrom]));
  assert.equal(env.SSH_LAB_PROVIDER, 'kubernetes');
  assert.match(env.SSH_LAB_REDIS_URL, /^redis:\/\/ssh-lab-redis:6379$/);
  assert.deepEqual(env.SSH_LAB_K8S_POD_IP, { fieldRef: { fieldPath: 'status.podIP' } });
  assert.ok(backend.ports.some((p: { containerPort: number }) => p.containerPort === 2222));
  const keyMount = backend.volumeMounts.find((m: { mountPath: string }) => m.mountPath === env.SSH_LAB_DATA_DIR);
  assert.equal(pod.volumes.find((v: { name: string }) => v.name === keyMount.name).secret.secretName, 'ssh-lab-gateway-key');
  assert.equal(find('PodDisruptionBudget', 'ssh-lab')!.spec.minAvailable, 1);
  const config = rendered.find((m) => m.kind === 'ConfigMap' && m.metadata.name.startsWith('ssh-lab-config-'))!;
  assert.equal(backend.envFrom[0].configMapRef.name, config.metadata.name);
});

test('the Ingress example keeps WebSockets open for a session', () => {
  const [ingress] = parse(readFileSync('deploy/kubernetes/ingress-example.yaml', 'utf8'));
  const annotations = ingress!.metadata.annotations ?? {};
  assert.ok(Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout']) >= 3600);
  assert.ok(Number(annotations['nginx.ingress.kubernetes.io/proxy-send-timeout']) >= 3600);
});
