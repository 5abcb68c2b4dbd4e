import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { Reaper, type ReapableResources } from '../reaper.js';
import { generateEd25519 } from '../ssh.js';
import {
  ProviderCapacityError,
  ProviderUnavailableError,
  type EnvironmentProvider,
  type EnvironmentRecord,
  type EnvironmentSpec,
  type LoginKey,
  type ProviderStatus,
  type StartedEnvironment,
} from '../types.js';
import { ClusterError, type LabCluster, type LabKind, type LabelledObject } from './cluster-types.js';
import { KubernetesEnvironment, type KubernetesEnvironmentOptions } from './environment.js';
import { backendPodLabels, labelValue, podLabelKeys, selector } from './labels.js';
import { PodWatch } from './pod-watch.js';
import { podName, renderSession, type PodLimits } from './render.js';

export interface KubernetesProviderOptions {
  namespace: string;
  /** The lab-host image as the nodes pull it. */
  image: string;
  runtimeClassName?: string;
  limits: PodLimits;
  /** This backend's pod address: lab hosts accept the backend's key from it only. */
  podIp: string;
  startupTimeoutMs: number;
  logger: Logger;
  /** The cluster's API; kubeCluster(namespace) unless a test passes a fake. */
  cluster: () => LabCluster;
  /** This backend's name in the owner label; its pod name (the hostname) unless a test passes one. */
  owner?: string;
  connect?: KubernetesEnvironmentOptions['connect'];
}

/** A ClusterError as the provider contract reports it: no room is capacity, anything else unavailability. */
function providerError(error: unknown): Error {
  if (!(error instanceof ClusterError)) return error as Error;
  // A namespace ResourceQuota that is used up answers 403 "exceeded quota": the namespace is full.
  if (error.problem === 'forbidden' && /exceeded quota/i.test(error.message))
    return new ProviderCapacityError(`the namespace's ResourceQuota is used up (${error.message})`);
  return new ProviderUnavailableError(error.message);
}

/**
 * Lab hosts as pods in one namespace: per session a Secret (password, host keys), a
 * NetworkPolicy and one hardened Pod per host (render.ts), readiness and loss from one pod watch
 * (pod-watch.ts), SSH to each pod's address with its host key pinned (ssh-hosts.ts), leftovers
 * reaped by label like the Docker provider's (reaper.ts). The warm pool needs nothing of its own.
 */
export class KubernetesEnvironmentProvider implements EnvironmentProvider {
  /** This backend's pod: the reaper tells its own from a live replica's and a gone one's by it. */
  readonly owner: string;
  /** The backend's login key: its own, until replicas sharing a directory agree on one (agreeLoginKey). */
  private adminKey: LoginKey = generateEd25519('ssh-lab-backend');
  private clusterApi?: LabCluster;
  private podWatch?: PodWatch;

  constructor(private readonly options: KubernetesProviderOptions) {
    this.owner = labelValue(options.owner ?? hostname());
  }

  private get cluster(): LabCluster {
    this.clusterApi ??= this.options.cluster();
    return this.clusterApi;
  }

  private get watch(): PodWatch {
    // Every lab pod of the namespace, not only this backend's: another replica's sessions can be
    // taken over (a rolling restart) and are then watched from here.
    this.podWatch ??= new PodWatch(this.cluster, podLabelKeys.session, this.options.logger);
    return this.podWatch;
  }

  /** A namespace that is missing or a Role that does not allow what the provider does stops the start-up. */
  async verify(): Promise<void> {
    try {
      await this.cluster.probe();
    } catch (error) {
      if (error instanceof ClusterError && error.problem === 'unreachable') return;
      throw new Error(`SSH_LAB_PROVIDER=kubernetes: ${(error as Error).message}`);
    }
  }

  async status(): Promise<ProviderStatus> {
    try {
      await this.cluster.probe();
      return { available: true };
    } catch (error) {
      return { available: false, message: (error as Error).message };
    }
  }

  close(): void {
    this.podWatch?.close();
  }

  async start(spec: EnvironmentSpec): Promise<StartedEnvironment> {
    // Open before any pod exists, so none can change unseen.
    await this.watch.open().catch((error: unknown) => {
      throw providerError(error);
    });
    const keys = new Map(spec.hosts.map((h) => [h.name, generateEd25519(`root@${h.name}`)]));
    const objects = renderSession({
      spec,
      namespace: this.options.namespace,
      image: this.options.image,
      owner: this.owner,
      limits: this.options.limits,
      runtimeClassName: this.options.runtimeClassName,
      adminPublicKey: this.adminKey.publicKey,
      adminFrom: this.options.podIp,
      hostKeys: Object.fromEntries([...keys].map(([name, key]) => [name, key.privateKey])),
    });
    const environment = new KubernetesEnvironment({
      sessionId: spec.sessionId,
      cluster: this.cluster,
      watch: this.watch,
      adminPrivateKey: this.adminKey.privateKey,
      logger: this.options.logger,
      ...(this.options.connect ? { connect: this.options.connect } : {}),
    });
    try {
      // The policy exists before any pod of the session runs: no pod is ever open.
      await this.cluster.create(objects.secret);
      await this.cluster.create(objects.networkPolicy);
      await Promise.all(
        spec.hosts.map(async (host, index) => {
          const name = podName(spec.sessionId, host.name);
          environment.created(name);
          await this.cluster.create(objects.pods[index]!);
          const pod = await this.watch.ready(name, this.options.startupTimeoutMs);
          const key = keys.get(host.name)!;
          environment.addHost(
            {
              info: {
                name: host.name,
                role: host.role,
                ports: host.ports,
                address: pod.address!,
                fingerprint: key.fingerprint,
                publicKey: key.publicKey.trim(),
              },
              hostKey: key.blob,
            },
            name,
          );
        }),
      );
      await environment.writeHostsFile();
      await environment.admitEveryBackend();
      await environment.ready();
      return environment;
    } catch (error) {
      await environment
        .dispose()
        .catch((disposeError: unknown) => this.options.logger.warn({ err: disposeError, session: spec.sessionId }, 'removing a failed start'));
      throw providerError(error);
    }
  }

  async agreeLoginKey(agree: (own: LoginKey) => Promise<LoginKey>): Promise<void> {
    const { privateKey, publicKey } = this.adminKey;
    this.adminKey = await agree({ privateKey, publicKey });
  }

  /**
   * Another replica's session: its pods as the record names them. Nothing is created; SSH opens on
   * first use with the recorded host keys pinned, and the shared pod watch reports the pods' loss.
   */
  async attach(record: EnvironmentRecord): Promise<StartedEnvironment> {
    if (record.provider.kind !== 'kubernetes') throw new Error(`a ${record.provider.kind} environment cannot be attached by the Kubernetes provider`);
    await this.watch.open().catch((error: unknown) => {
      throw providerError(error);
    });
    const environment = new KubernetesEnvironment({
      sessionId: record.sessionId,
      cluster: this.cluster,
      watch: this.watch,
      adminPrivateKey: this.adminKey.privateKey,
      logger: this.options.logger,
      ...(this.options.connect ? { connect: this.options.connect } : {}),
    });
    for (const host of record.hosts) {
      const name = podName(record.sessionId, host.name);
      environment.created(name);
      environment.addHost({ info: host, hostKey: Buffer.from(host.publicKey.split(/\s+/)[1] ?? '', 'base64') }, name);
    }
    return environment;
  }

  async reap(live: ReadonlySet<string>): Promise<number> {
    let backends: Set<string>;
    try {
      backends = new Set((await this.cluster.list('Pod', selector(backendPodLabels))).map((p) => labelValue(p.name)));
    } catch {
      return 0;
    }
    // An owner is alive while its backend pod exists (a restarted container is the same owner).
    const reaper = new Reaper(this.owner, (owner) => owner === this.owner || backends.has(owner));
    return reaper.reap(this.reapable(live), live);
  }

  /**
   * Pods in the reaper's containers, Secrets and NetworkPolicies in its networks; no firewall here.
   * A live session is never a leftover, whoever started it: after a rolling restart the replica
   * that made it is gone while the session lives on.
   */
  private reapable(live: ReadonlySet<string>): ReapableResources {
    const cluster = this.cluster;
    const labelled = podLabelKeys.session;
    const notLive = (o: LabelledObject) => !live.has(o.labels[podLabelKeys.session] ?? '');
    return {
      containers: async () => (await cluster.list('Pod', labelled)).filter(notLive).map((p) => ({ id: p.name, labels: p.labels })),
      networks: async () => {
        const [secrets, policies] = await Promise.all([cluster.list('Secret', labelled), cluster.list('NetworkPolicy', labelled)]);
        return [
          ...secrets.filter(notLive).map((s) => ({ id: `Secret/${s.name}`, labels: s.labels })),
          ...policies.filter(notLive).map((p) => ({ id: `NetworkPolicy/${p.name}`, labels: p.labels })),
        ];
      },
      removeContainer: (id) => cluster.remove('Pod', id),
      removeNetwork: (id) => {
        const [kind, name] = id.split('/') as [LabKind, string];
        return cluster.remove(kind, name);
      },
      blockedBridges: async () => [],
      unblock: async () => undefined,
    };
  }
}
