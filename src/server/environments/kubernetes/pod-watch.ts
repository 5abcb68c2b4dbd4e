import type { Logger } from 'pino';
import { ProviderCapacityError, ProviderUnavailableError } from '../types.js';
import type { ClusterError, LabCluster, PodInformer, PodState } from './cluster-types.js';

export type LossListener = (reason: string) => void;

interface ReadyWaiter {
  resolve: (pod: PodState) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Why a pod that was running is lost, or undefined while it runs on. */
function lossOf(pod: PodState): string | undefined {
  if (pod.failure) return pod.failure;
  if (pod.terminating) return 'the pod is being deleted';
  if (pod.phase === 'Unknown') return "the pod's node stopped answering";
  return undefined;
}

/**
 * One pod informer per provider (one watch on the API server for all of this backend's pods,
 * selected by its owner label) instead of one poll per pod: start() waits on it for a pod to
 * become ready, an environment hears from it when a pod stops. A watch that breaks is reopened
 * with backoff; the informer relists then, so a pod deleted meanwhile is reported gone.
 */
export class PodWatch {
  private informer?: PodInformer;
  private opening?: Promise<void>;
  private readonly pods = new Map<string, PodState>();
  /** Pods that went away recently, so a late waiter or watcher still hears why. */
  private readonly gone = new Map<string, string>();
  private readonly waiters = new Map<string, ReadyWaiter>();
  private readonly losses = new Map<string, LossListener>();
  private retryTimer?: NodeJS.Timeout;
  private failures = 0;
  private closed = false;

  constructor(
    private readonly cluster: LabCluster,
    private readonly labelSelector: string,
    private readonly logger: Logger,
  ) {}

  /** Resolves once the watch has its first list: a pod created afterwards cannot change unseen. */
  open(): Promise<void> {
    if (this.informer || this.closed) return Promise.resolve();
    this.opening ??= this.connect().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async connect(): Promise<void> {
    const informer = this.cluster.watchPods(this.labelSelector, {
      change: (pod) => this.changed(pod),
      gone: (pod) => this.removed(pod, 'the pod was deleted'),
      broken: (error) => this.broken(informer, error),
    });
    await informer.start();
    if (this.closed) {
      informer.stop();
      return;
    }
    this.informer = informer;
    this.failures = 0;
  }

  private broken(informer: PodInformer, error: ClusterError): void {
    if (this.informer !== informer || this.closed) return;
    this.informer = undefined;
    informer.stop();
    this.logger.warn({ err: error }, 'the pod watch broke; reopening it');
    this.retry();
  }

  private retry(): void {
    clearTimeout(this.retryTimer);
    const delayMs = Math.min(10_000, 200 * 2 ** Math.min(this.failures, 6));
    this.retryTimer = setTimeout(() => {
      this.open().catch((error: Error) => {
        this.failures++;
        this.logger.debug({ err: error }, 'the pod watch could not be reopened yet');
        this.retry();
      });
    }, delayMs);
    this.retryTimer.unref();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.informer?.stop();
    this.informer = undefined;
    for (const [name, waiter] of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new ProviderUnavailableError(`pod ${name}: the provider is closing`));
    }
    this.waiters.clear();
    this.losses.clear();
  }

  /** Resolves with the pod once it is ready and has an address; rejects when it cannot become so. */
  ready(name: string, timeoutMs: number): Promise<PodState> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(name);
        const pod = this.pods.get(name);
        if (pod?.unschedulable) reject(new ProviderCapacityError(`no node of the cluster has room for lab pod ${name} (${pod.unschedulable})`));
        else reject(new ProviderUnavailableError(`lab pod ${name} was not ready within ${Math.round(timeoutMs / 1000)} s (phase ${pod?.phase ?? 'not seen'})`));
      }, timeoutMs);
      timer.unref();
      this.waiters.get(name)?.reject(new Error(`pod ${name} is awaited twice`));
      this.waiters.set(name, { resolve, reject, timer });
      const pod = this.pods.get(name);
      if (pod) this.settle(pod);
      const gone = this.gone.get(name);
      if (gone) this.fail(name, gone);
    });
  }

  /** Calls listener once when the pod stops or goes; returns the way to stop listening. */
  watchLoss(name: string, listener: LossListener): () => void {
    const already = this.gone.get(name) ?? (this.pods.get(name) && lossOf(this.pods.get(name)!));
    if (already) {
      queueMicrotask(() => listener(already));
      return () => undefined;
    }
    this.losses.set(name, listener);
    return () => {
      if (this.losses.get(name) === listener) this.losses.delete(name);
    };
  }

  /** Forgets a pod the provider deleted itself (dispose), so its deletion is no loss to report. */
  forget(name: string): void {
    this.losses.delete(name);
    this.pods.delete(name);
    this.gone.delete(name);
  }

  private changed(pod: PodState): void {
    this.pods.set(pod.name, pod);
    this.settle(pod);
    const loss = lossOf(pod);
    if (loss) this.lost(pod.name, loss);
  }

  private removed(pod: PodState, reason: string): void {
    this.pods.delete(pod.name);
    const why = pod.failure ?? reason;
    this.gone.set(pod.name, why);
    // Bounded memory: a gone pod is only asked about shortly after it went.
    if (this.gone.size > 1000) this.gone.delete(this.gone.keys().next().value!);
    this.fail(pod.name, why);
    this.lost(pod.name, why);
  }

  private settle(pod: PodState): void {
    const waiter = this.waiters.get(pod.name);
    if (!waiter) return;
    if (pod.ready && pod.address) {
      this.waiters.delete(pod.name);
      clearTimeout(waiter.timer);
      waiter.resolve(pod);
    } else if (pod.failure || pod.terminating) {
      this.fail(pod.name, pod.failure ?? 'the pod is being deleted');
    }
  }

  private fail(name: string, why: string): void {
    const waiter = this.waiters.get(name);
    if (!waiter) return;
    this.waiters.delete(name);
    clearTimeout(waiter.timer);
    waiter.reject(new ProviderUnavailableError(`lab pod ${name} cannot start: ${why}`));
  }

  private lost(name: string, reason: string): void {
    const listener = this.losses.get(name);
    if (!listener) return;
    this.losses.delete(name);
    listener(reason);
  }
}
