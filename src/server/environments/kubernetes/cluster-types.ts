import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { ISecret } from 'kubernetes-models/v1/Secret';

/** Objects the provider creates, in the API's wire format (render.ts makes them). */
export type LabObject = ISecret | INetworkPolicy | IPod;
export type LabKind = LabObject['kind'];

export interface LabelledObject {
  name: string;
  labels: Record<string, string>;
}

/** What the provider needs to know of a pod, from one watch event. */
export interface PodState {
  name: string;
  labels: Record<string, string>;
  /** Pending, Running, Succeeded, Failed (Unknown when the node is lost). */
  phase: string;
  address?: string;
  /** The Ready condition is true: sshd accepts connections (the startup probe passed). */
  ready: boolean;
  /** Being deleted (deletionTimestamp set). */
  terminating: boolean;
  /** Why the pod cannot run or stopped, in words: an image that cannot be pulled, a container that ended. */
  failure?: string;
  /** The scheduler has no node for it yet (PodScheduled=False, Unschedulable), with its message. */
  unschedulable?: string;
}

export interface PodEvents {
  change(pod: PodState): void;
  gone(pod: PodState): void;
  /** The watch broke; it is not restarted by itself. */
  broken(error: ClusterError): void;
}

export interface PodInformer {
  /** Resolves once the first list is in (every later change is seen); rejects if it failed. */
  start(): Promise<void>;
  stop(): void;
}

/** The calls the provider makes, one namespace. kubeCluster implements it; unit tests fake it. */
export interface LabCluster {
  create(object: LabObject): Promise<void>;
  /** Deletes a session's pods, then its Secret and NetworkPolicy, by the session label. */
  deleteSession(sessionId: string): Promise<void>;
  list(kind: LabKind, labelSelector: string): Promise<LabelledObject[]>;
  /** Deletes one object; one that is already gone is not an error. */
  remove(kind: LabKind, name: string): Promise<void>;
  /** One informer on the pods matching the selector. */
  watchPods(labelSelector: string, events: PodEvents): PodInformer;
  /** Throws a ClusterError unless the namespace exists and objects can be created and listed there. */
  probe(): Promise<void>;
}

export type ClusterProblem = 'unreachable' | 'unauthorised' | 'forbidden' | 'namespace' | 'not-found' | 'conflict' | 'invalid';

export class ClusterError extends Error {
  override readonly name = 'ClusterError';
  constructor(
    readonly problem: ClusterProblem,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Every API call the provider makes, as RBAC rules: deploy/kubernetes/rbac.yaml grants exactly
 * these (a test holds them equal), in the provider's namespace only.
 */
export const requiredPermissions = [
  { apiGroup: '', resource: 'pods', verbs: ['create', 'delete', 'deletecollection', 'list', 'watch'] },
  { apiGroup: '', resource: 'secrets', verbs: ['create', 'delete', 'deletecollection', 'list'] },
  { apiGroup: 'networking.k8s.io', resource: 'networkpolicies', verbs: ['create', 'delete', 'deletecollection', 'list'] },
] as const;
