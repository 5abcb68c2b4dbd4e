import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { Pod, Secret } from 'kubernetes-models/v1';
import { loadLabs } from '../../src/labs/load.js';
import { loadConfig } from '../../src/server/config.js';
import { hostMounts } from '../../src/server/environments/host-spec.js';
import { podLabelKeys } from '../../src/server/environments/kubernetes/labels.js';
import { podCapabilities, podCpuLimit, renderSession, sessionObjectList } from '../../src/server/environments/kubernetes/render.js';
import { generateEd25519 } from '../../src/server/environments/ssh.js';
import { environmentSpec } from '../../src/server/labs/provision.js';

const config = loadConfig({});
const adminKey = generateEd25519('ssh-lab-backend');
const labs = loadLabs();

function render(labIndex: number, runtimeClassName?: string) {
  const lab = labs[labIndex]!;
  const spec = environmentSpec(lab, 'abc123def456', 'pass-word-1234', config.sessionLifetimeSeconds);
  const hostKeys = Object.fromEntries(spec.hosts.map((h) => [h.name, generateEd25519(`root@${h.name}`).privateKey]));
  return {
    lab,
    spec,
    objects: renderSession({
      spec,
      namespace: 'ssh-lab',
      image: 'registry.example/ssh-lab/lab-host:abc',
      owner: 'ssh-lab-backend-7d9f-x2',
      limits: config.hostLimits,
      runtimeClassName,
      adminPublicKey: adminKey.publicKey,
      adminFrom: '10.1.2.3',
      hostKeys,
    }),
  };
}

test('every object of every lab validates against the Kubernetes OpenAPI schemas', () => {
  assert.ok(labs.length > 10);
  for (const [index, lab] of labs.entries()) {
    const { objects } = render(index, index % 2 ? 'gvisor' : undefined);
    assert.equal(objects.pods.length, lab.hosts.length, lab.id);
    new Secret(objects.secret).validate();
    new NetworkPolicy(objects.networkPolicy).validate();
    for (const pod of objects.pods) new Pod(pod).validate();
  }
});

test('an invalid object is rejected by the same validation (the check can fail)', () => {
  const { objects } = render(0);
  const broken = structuredClone(objects.pods[0]!);
  (broken.spec!.containers[0]!.securityContext as Record<string, unknown>).allowPrivilegeEscalation = 'no';
  assert.throws(() => new Pod(broken).validate());
});

test('every pod carries the Docker provider hardening, field by field', () => {
  for (const [index, lab] of labs.entries()) {
    const { objects, spec } = render(index, 'gvisor');
    for (const pod of objects.pods) {
      const where = `${lab.id}/${pod.metadata?.name}`;
      const podSpec = pod.spec!;
      assert.equal(podSpec.automountServiceAccountToken, false, where);
      assert.equal(podSpec.enableServiceLinks, false, where);
      assert.equal(podSpec.hostNetwork, false, where);
      assert.equal(podSpec.hostPID, false, where);
      assert.equal(podSpec.hostIPC, false, where);
      assert.equal(podSpec.restartPolicy, 'Never', where);
      assert.equal(podSpec.activeDeadlineSeconds, spec.lifetimeSeconds, where);
      assert.equal(podSpec.runtimeClassName, 'gvisor', where);
      assert.equal(podSpec.dnsPolicy, 'None', where);
      assert.deepEqual(podSpec.dnsConfig?.nameservers, ['127.0.0.1'], where);
      assert.equal(podSpec.securityContext?.seccompProfile?.type, 'RuntimeDefault', where);
      // sshd binds port 22 without NET_BIND_SERVICE, as Docker allows in a container's own network namespace.
      assert.deepEqual(podSpec.securityContext?.sysctls, [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }], where);
      // The mounts get Docker's tmpfs modes before the host starts.
      assert.equal(
        podSpec.initContainers?.[0]?.command?.at(-1),
        hostMounts(config.hostLimits)
          .map((m) => `chmod ${m.mode} ${m.path}`)
          .join(' && '),
        where,
      );
      // No host paths, no other volume kind: memory-backed emptyDirs sized like the Docker tmpfs mounts.
      const mounts = hostMounts(config.hostLimits);
      assert.equal(podSpec.volumes?.length, mounts.length, where);
      for (const volume of podSpec.volumes ?? []) {
        assert.deepEqual(Object.keys(volume).sort(), ['emptyDir', 'name'], where);
        assert.equal(volume.emptyDir?.medium, 'Memory', where);
      }
      const [labHost, ...others] = podSpec.containers;
      assert.equal(others.length, 0, where);
      for (const container of [labHost!, ...(podSpec.initContainers ?? [])]) {
        const sc = container.securityContext!;
        assert.equal(sc.allowPrivilegeEscalation, false, where);
        assert.equal(sc.privileged, false, where);
        assert.equal(sc.readOnlyRootFilesystem, true, where);
        assert.equal(sc.seccompProfile?.type, 'RuntimeDefault', where);
        assert.deepEqual(sc.capabilities?.drop, ['ALL'], where);
        assert.ok(container.resources?.limits?.memory && container.resources.limits.cpu, where);
        assert.ok(container.resources?.requests?.memory && container.resources.requests.cpu, where);
        assert.equal(container.image, 'registry.example/ssh-lab/lab-host:abc', where);
      }
      assert.deepEqual(labHost!.securityContext!.capabilities?.add, [...podCapabilities], where);
      assert.ok(!podCapabilities.includes('NET_ADMIN'), 'NET_ADMIN has no use on a pod');
      assert.deepEqual(podSpec.initContainers![0]!.securityContext!.capabilities?.add, undefined, where);
      assert.deepEqual(labHost!.command, ['/usr/local/sbin/lab-entrypoint'], where);
      assert.deepEqual(labHost!.resources!.limits, { memory: `${config.hostLimits.memoryMb}Mi`, cpu: `${podCpuLimit(config.hostLimits) * 1000}m` }, where);
      for (const mount of mounts) {
        const mountName = labHost!.volumeMounts!.find((m) => m.mountPath === mount.path)?.name;
        const sizeLimit: unknown = podSpec.volumes?.find((v) => v.name === mountName)?.emptyDir?.sizeLimit;
        assert.equal(sizeLimit, `${mount.sizeMb}Mi`, `${where} ${mount.path}`);
      }
      const labels = pod.metadata!.labels!;
      // The cluster label is the Docker replicas' (their reaper tells clusters apart on one engine); pods' owners are backend pods.
      for (const key of Object.values(podLabelKeys).filter((k) => k !== podLabelKeys.cluster)) assert.ok(labels[key], `${where} label ${key}`);
    }
  }
});

test('secrets stay out of the pod specs: the password and host keys come from the session Secret', () => {
  const { objects, spec } = render(labs.findIndex((l) => l.hosts.length > 1));
  const podText = JSON.stringify(objects.pods);
  assert.ok(!podText.includes(spec.password));
  assert.ok(!podText.includes('PRIVATE KEY'));
  for (const pod of objects.pods) {
    const env = pod.spec!.containers[0]!.env!;
    for (const name of ['SSH_LAB_HOST_KEY', 'SSH_LAB_PASSWORD']) {
      const entry = env.find((e) => e.name === name);
      assert.equal(entry?.valueFrom?.secretKeyRef?.name, objects.secret.metadata!.name, name);
      assert.ok(entry?.valueFrom?.secretKeyRef?.key && objects.secret.stringData![entry.valueFrom.secretKeyRef.key], name);
    }
  }
  const hostKey = Buffer.from(objects.secret.stringData!['host-key.workstation']!, 'base64').toString();
  assert.match(hostKey, /BEGIN OPENSSH PRIVATE KEY/);
});

test('the network policy: same session on any port, the backend on sshd ports only, no way out', () => {
  const { objects, spec } = render(labs.findIndex((l) => l.hosts.length > 1));
  const policy = objects.networkPolicy.spec!;
  const session = { [podLabelKeys.session]: spec.sessionId };
  assert.deepEqual(policy.podSelector?.matchLabels, session);
  assert.deepEqual(policy.policyTypes, ['Ingress', 'Egress']);
  assert.deepEqual(policy.egress, [{ to: [{ podSelector: { matchLabels: session } }] }]);
  assert.equal(policy.ingress?.length, 2);
  assert.deepEqual(policy.ingress![0], { from: [{ podSelector: { matchLabels: session } }] });
  const backend = policy.ingress![1]!;
  assert.equal(backend.from?.[0]?.namespaceSelector, undefined, 'the backend in the same namespace only');
  assert.deepEqual(
    backend.ports?.map((p) => p.port),
    [...new Set(spec.hosts.flatMap((h) => h.ports))].sort((a, b) => a - b),
  );
});

test('every object survives the client library serialiser unchanged (its models rename some fields)', () => {
  const { objects } = render(labs.findIndex((l) => l.hosts.length > 1));
  const types = { Secret: 'V1Secret', NetworkPolicy: 'V1NetworkPolicy', Pod: 'V1Pod' } as const;
  for (const object of sessionObjectList(objects)) {
    const type = types[object.kind];
    const wire = ObjectSerializer.serialize(ObjectSerializer.deserialize(structuredClone(object), type), type);
    assert.deepEqual(JSON.parse(JSON.stringify(wire)), JSON.parse(JSON.stringify(object)), object.kind);
  }
});
