/**
 * What a session has on the provider under test, so one integration test runs on Docker and on a
 * live Kubernetes cluster. The provider is SSH_LAB_PROVIDER (default docker), the same variable the
 * test servers read (tests/helpers/server.ts passes the environment through):
 *   docker      the session's labelled containers and networks on this machine's engine
 *   kubernetes  its Pods, Secrets and NetworkPolicies, listed through the provider's own LabCluster
 *               (KUBECONFIG, namespace SSH_LAB_K8S_NAMESPACE or ssh-lab)
 */
import type { LabCluster } from '../../src/server/environments/kubernetes/cluster-types.js';
import { labelledContainers, labelledNetworks } from './docker.js';

export type ProviderName = 'docker' | 'kubernetes';

export const providerName: ProviderName = process.env.SSH_LAB_PROVIDER === 'kubernetes' ? 'kubernetes' : 'docker';
const namespace = process.env.SSH_LAB_K8S_NAMESPACE || 'ssh-lab';
const liveCluster = Boolean(process.env.KUBECONFIG && process.env.SSH_LAB_K8S_POD_IP);

/** One line for test titles and diagnostics: which provider, and where. */
export const providerUnderTest =
  providerName === 'docker' ? "docker (this machine's engine)" : `kubernetes (namespace ${namespace}, KUBECONFIG=${process.env.KUBECONFIG ?? 'unset'})`;

/**
 * The skip reason of a provider-parameterised suite: false where it can run (Docker, or Kubernetes
 * with a cluster to run on), else one line saying what is missing.
 */
export function needsLiveCluster(suite: string): string | false {
  if (providerName === 'docker' || liveCluster) return false;
  return `SSH_LAB_PROVIDER=kubernetes but KUBECONFIG or SSH_LAB_K8S_POD_IP is unset: the ${suite} suite needs a live cluster and is skipped`;
}

/**
 * The skip reason of a suite that is about Docker itself (docker inspect, Docker networks, iptables,
 * docker exec): false on Docker, else one line saying why and naming the tests that cover the same
 * ground on Kubernetes.
 */
export function dockerOnly(suite: string, why: string, kubernetesCounterpart: string): string | false {
  if (providerName === 'docker') return false;
  return `the ${suite} suite is Docker-only (${why}), skipped on kubernetes; there see ${kubernetesCounterpart}`;
}

/** Settings a test server needs on this provider: pods start slower than containers. */
export function providerTestEnv(): Record<string, string> {
  if (providerName === 'docker') return {};
  return { SSH_LAB_STARTUP_TIMEOUT_MS: process.env.SSH_LAB_STARTUP_TIMEOUT_MS ?? '120000' };
}

let cluster: Promise<LabCluster> | undefined;
/** Loaded on first use: Docker runs never load the Kubernetes client. */
function labCluster(): Promise<LabCluster> {
  cluster ??= import('../../src/server/environments/kubernetes/cluster.js').then(({ kubeCluster }) => kubeCluster(namespace));
  return cluster;
}

async function kubernetesObjects(sessionId: string, kinds: readonly ('Pod' | 'Secret' | 'NetworkPolicy')[]): Promise<string[]> {
  const [{ podLabelKeys }, lab] = await Promise.all([import('../../src/server/environments/kubernetes/labels.js'), labCluster()]);
  const selector = `${podLabelKeys.session}=${sessionId}`;
  const lists = await Promise.all(kinds.map(async (kind) => (await lab.list(kind, selector)).map((o) => `${kind}/${o.name}`)));
  return lists.flat();
}

/** The session's lab hosts as the provider runs them: containers on Docker, Pods on Kubernetes. */
export async function sessionHosts(sessionId: string): Promise<string[]> {
  if (providerName === 'docker') return labelledContainers(sessionId).map((id) => `container/${id}`);
  return kubernetesObjects(sessionId, ['Pod']);
}

/** Everything the session has on the provider: hosts and what they need (networks; Secrets and NetworkPolicies). */
export async function sessionResources(sessionId: string): Promise<string[]> {
  if (providerName === 'docker')
    return [...labelledContainers(sessionId).map((id) => `container/${id}`), ...labelledNetworks(sessionId).map((id) => `network/${id}`)];
  return kubernetesObjects(sessionId, ['Pod', 'Secret', 'NetworkPolicy']);
}
