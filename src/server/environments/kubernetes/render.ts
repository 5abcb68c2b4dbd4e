// Wire-format types (the API's own field names); kubernetes-models validates them offline in the tests.
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import { hostCapabilities, hostMounts, type HostCapability, type HostMountLimits } from '../host-spec.js';
import type { EnvironmentSpec, HostSpec } from '../types.js';
import { backendPodLabels, podLabelKeys } from './labels.js';

/** The limits of one host: config.hostLimits. */
export interface PodLimits extends HostMountLimits {
  memoryMb: number;
  /** The operator's hard CPU ceiling (SSH_LAB_HOST_CPUS); unset, podCpuCeiling. */
  cpus?: number | undefined;
}

/**
 * A pod's CPU limit when the operator set no ceiling. The Docker provider then sets none (equal
 * shares decide); on Kubernetes equal requests give the same fair shares, and a limit of one core
 * lets a learner burst on an idle node while one pod can never take a whole multi-core node.
 */
export const podCpuCeiling = 1;

export function podCpuLimit(limits: PodLimits): number {
  return limits.cpus ?? podCpuCeiling;
}

export interface SessionRenderInput {
  spec: EnvironmentSpec;
  namespace: string;
  image: string;
  owner: string;
  limits: PodLimits;
  /** A RuntimeClass such as gVisor's; unset uses the node's default runtime. */
  runtimeClassName?: string;
  /** The backend's public login key (authorised for root and learner from adminFrom only). */
  adminPublicKey: string;
  /** The address(es) the backend's connections come from, as sshd's `Match Address` takes them. */
  adminFrom: string;
  /** Each host's OpenSSH private host key, by host name: they go into the session's Secret only. */
  hostKeys: Readonly<Record<string, string>>;
}

export interface SessionObjects {
  secret: ISecret;
  networkPolicy: INetworkPolicy;
  pods: IPod[];
}

/**
 * Capabilities a pod keeps: the Docker provider's list without NET_ADMIN. On Kubernetes the
 * entrypoint keeps the default route (SSH_LAB_KEEP_ROUTE=1: the CNI routes pod-to-pod traffic
 * through it) and the session's NetworkPolicy closes everything else, so the one use of NET_ADMIN
 * is gone. SETPCAP stays: the entrypoint still drops the bounding set before sshd starts.
 */
export const podCapabilities: readonly HostCapability[] = hostCapabilities.filter((c) => c !== 'NET_ADMIN');

/** The memory a pod asks the scheduler for, and the CPU: an idle host uses a few MB and no CPU (bench/baseline.json). */
export function podRequests(limits: PodLimits): { memoryMb: number; millicpu: number } {
  return { memoryMb: Math.min(limits.memoryMb, Math.max(16, Math.round(limits.memoryMb / 5))), millicpu: Math.min(Math.round(podCpuLimit(limits) * 1000), 25) };
}

/** One name for every object of a session (Secret, NetworkPolicy) and the prefix of its pods'. */
export function sessionObjectName(sessionId: string): string {
  return `ssh-lab-${sessionId}`;
}

export function podName(sessionId: string, host: string): string {
  return `${sessionObjectName(sessionId)}-${host}`;
}

const secretKeys = {
  password: 'password',
  hostKey: (host: string) => `host-key.${host}`,
};

function sessionLabels(input: SessionRenderInput): Record<string, string> {
  return { [podLabelKeys.session]: input.spec.sessionId, [podLabelKeys.lab]: input.spec.labId, [podLabelKeys.owner]: input.owner };
}

/** Every object the provider creates for one session, in the order it creates them. */
export function renderSession(input: SessionRenderInput): SessionObjects {
  return { secret: renderSecret(input), networkPolicy: renderNetworkPolicy(input), pods: input.spec.hosts.map((host) => renderPod(input, host)) };
}

export function sessionObjectList(objects: SessionObjects): (ISecret | INetworkPolicy | IPod)[] {
  return [objects.secret, objects.networkPolicy, ...objects.pods];
}

/** The learner's password and the host keys: kept out of the Pod specs, read through secretKeyRef. */
function renderSecret(input: SessionRenderInput): ISecret {
  const stringData: Record<string, string> = { [secretKeys.password]: input.spec.password };
  for (const host of input.spec.hosts) {
    const key = input.hostKeys[host.name];
    if (!key) throw new Error(`No host key for host "${host.name}"`);
    // The entrypoint takes the key base64-encoded, as the Docker provider passes it.
    stringData[secretKeys.hostKey(host.name)] = Buffer.from(key).toString('base64');
  }
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: sessionObjectName(input.spec.sessionId), namespace: input.namespace, labels: sessionLabels(input) },
    type: 'Opaque',
    immutable: true,
    stringData,
  };
}

/**
 * The session's pods talk to each other on any port (a lab's service on server:8080 as on the
 * Docker session network), accept SSH from SSH Lab's own pods on their sshd ports, and reach
 * nothing else: no other session, no cluster DNS (names resolve from /etc/hosts), no API server,
 * no other node, no internet. Replies to the backend's connections pass (policies are stateful).
 * Traffic to the pod's own node is never policed by a NetworkPolicy: the operator page says how
 * to close it (the CNI's host policies).
 */
function renderNetworkPolicy(input: SessionRenderInput): INetworkPolicy {
  const sameSession = { podSelector: { matchLabels: { [podLabelKeys.session]: input.spec.sessionId } } };
  const sshdPorts = [...new Set(input.spec.hosts.flatMap((h) => h.ports))].sort((a, b) => a - b);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: sessionObjectName(input.spec.sessionId), namespace: input.namespace, labels: sessionLabels(input) },
    spec: {
      podSelector: sameSession.podSelector,
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { from: [sameSession] },
        { from: [{ podSelector: { matchLabels: { ...backendPodLabels } } }], ports: sshdPorts.map((port) => ({ protocol: 'TCP', port })) },
      ],
      egress: [{ to: [sameSession] }],
    },
  };
}

const securityContext = (capabilities: readonly string[]): ISecurityContext => ({
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'], ...(capabilities.length ? { add: [...capabilities] } : {}) },
  seccompProfile: { type: 'RuntimeDefault' },
  procMount: 'Default',
});

function volumeName(path: string): string {
  return path.slice(1).replace(/\//g, '-');
}

function renderPod(input: SessionRenderInput, host: HostSpec): IPod {
  const { spec, limits } = input;
  const secretName = sessionObjectName(spec.sessionId);
  const mounts = hostMounts(limits);
  const requests = podRequests(limits);
  const fromSecret = (name: string, key: string): IEnvVar => ({ name, valueFrom: { secretKeyRef: { name: secretName, key } } });
  const volumeMounts = mounts.map((m) => ({ name: volumeName(m.path), mountPath: m.path }));
  const sshdPort = host.ports[0] ?? 22;
  const labHost: IContainer = {
    name: 'host',
    image: input.image,
    imagePullPolicy: 'IfNotPresent',
    // The entrypoint as PID 1, exactly as the Docker provider starts it (it execs tini itself).
    command: ['/usr/local/sbin/lab-entrypoint'],
    env: [
      fromSecret('SSH_LAB_HOST_KEY', secretKeys.hostKey(host.name)),
      fromSecret('SSH_LAB_PASSWORD', secretKeys.password),
      { name: 'SSH_LAB_ADMIN_KEY', value: input.adminPublicKey.trim() },
      { name: 'SSH_LAB_ADMIN_FROM', value: input.adminFrom },
      { name: 'SSH_LAB_PORTS', value: host.ports.join(' ') },
      { name: 'SSH_LAB_FORWARDING', value: host.forwarding },
      { name: 'SSH_LAB_AGENT_FORWARDING', value: host.agentForwarding ? 'yes' : 'no' },
      { name: 'SSH_LAB_LIFETIME', value: String(spec.lifetimeSeconds) },
      // Pod-to-pod traffic takes the default route; the NetworkPolicy is what closes the way out.
      { name: 'SSH_LAB_KEEP_ROUTE', value: '1' },
    ],
    ports: host.ports.map((port) => ({ name: `sshd-${port}`, containerPort: port, protocol: 'TCP' })),
    resources: {
      limits: { memory: `${limits.memoryMb}Mi`, cpu: `${Math.round(podCpuLimit(limits) * 1000)}m` },
      requests: { memory: `${requests.memoryMb}Mi`, cpu: `${requests.millicpu}m` },
    },
    securityContext: securityContext(podCapabilities),
    volumeMounts,
    // Ready once sshd accepts connections; a startup probe stops probing after that.
    startupProbe: { tcpSocket: { port: sshdPort }, periodSeconds: 1, failureThreshold: 120, timeoutSeconds: 1 },
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
  // emptyDir roots are 0777 without the sticky bit: give each mount the mode a tmpfs has in the
  // Docker provider (see hostMounts), or a learner could rename root's files in /tmp or /run.
  const modes: IContainer = {
    name: 'mount-modes',
    image: input.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['/bin/sh', '-c', mounts.map((m) => `chmod ${m.mode} ${m.path}`).join(' && ')],
    resources: { limits: { memory: '16Mi', cpu: '100m' }, requests: { memory: '16Mi', cpu: '10m' } },
    securityContext: securityContext([]),
    volumeMounts: volumeMounts.map((m) => ({ ...m })),
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName(spec.sessionId, host.name),
      namespace: input.namespace,
      labels: { ...sessionLabels(input), [podLabelKeys.role]: host.role, [podLabelKeys.host]: host.name },
    },
    spec: {
      hostname: host.name,
      restartPolicy: 'Never',
      // The host ends itself at the end of the session's lifetime, as the container does.
      activeDeadlineSeconds: spec.lifetimeSeconds,
      terminationGracePeriodSeconds: 1,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      hostNetwork: false,
      hostPID: false,
      hostIPC: false,
      shareProcessNamespace: false,
      // Nothing outside the session resolves: the backend writes the hosts' names into /etc/hosts.
      dnsPolicy: 'None',
      dnsConfig: { nameservers: ['127.0.0.1'] },
      ...(input.runtimeClassName ? { runtimeClassName: input.runtimeClassName } : {}),
      securityContext: {
        seccompProfile: { type: 'RuntimeDefault' },
        // sshd binds port 22 as root without NET_BIND_SERVICE: let any process of the pod's own
        // network namespace bind low ports, as Docker does for every container (a "safe" sysctl).
        sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
      },
      initContainers: [modes],
      containers: [labHost],
      volumes: mounts.map((m) => ({ name: volumeName(m.path), emptyDir: { medium: 'Memory', sizeLimit: `${m.sizeMb}Mi` } })),
    },
  };
}

/** /etc/hosts for every host of a session once the pods have their addresses: how `ssh server` finds server. */
export function hostsFile(addresses: ReadonlyMap<string, string>): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  for (const [name, address] of addresses) lines.push(`${address}\t${name}`);
  return `${lines.join('\n')}\n`;
}
