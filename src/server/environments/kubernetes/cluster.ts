import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ApiException, CoreV1Api, KubeConfig, makeInformer, NetworkingV1Api, type V1Pod } from '@kubernetes/client-node';
// The library's models rename a few fields (NetworkPolicy's `from` is `_from`): wire objects go through its serialiser.
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { ClusterError, type LabCluster, type LabKind, type LabObject, type LabelledObject, type PodEvents, type PodInformer } from './cluster-types.js';
import { podLabelKeys } from './labels.js';
import { podState } from './pod-state.js';

/** The API's answer as a Status object, when it sent one. */
function statusOf(error: ApiException<unknown>): { message?: string; reason?: string; details?: { kind?: string } } {
  const body = error.body;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as never;
    } catch {
      return { message: body };
    }
  }
  return (body ?? {}) as never;
}

/** One operator-facing message per way a call to the cluster can fail. */
export function clusterError(error: unknown, namespace: string, doing: string): ClusterError {
  if (error instanceof ClusterError) return error;
  if (error instanceof ApiException) {
    const status = statusOf(error);
    const said = status.message ? `: ${status.message}` : '';
    if (error.code === 401)
      return new ClusterError('unauthorised', `The cluster refused SSH Lab's credentials while ${doing} (401): check KUBECONFIG or the ServiceAccount token.`);
    if (error.code === 403)
      return new ClusterError(
        'forbidden',
        `RBAC forbids ${doing} in namespace ${namespace}${said}. Apply deploy/kubernetes/rbac.yaml (Role ssh-lab-provider) and bind it to the backend's ServiceAccount.`,
      );
    if (error.code === 404 && status.details?.kind === 'namespaces')
      return new ClusterError(
        'namespace',
        `The namespace ${namespace} does not exist: create it (deploy/kubernetes/namespace.yaml) or set SSH_LAB_K8S_NAMESPACE.`,
      );
    if (error.code === 404) return new ClusterError('not-found', `Not found while ${doing}${said}`);
    if (error.code === 409) return new ClusterError('conflict', `Conflict while ${doing}${said}`);
    if (error.code === 422) return new ClusterError('invalid', `The cluster rejected an object while ${doing}${said}`);
    return new ClusterError('unreachable', `The Kubernetes API answered ${error.code} while ${doing}${said}`);
  }
  return new ClusterError('unreachable', `The Kubernetes API does not answer (${(error as Error).message}) while ${doing}.`);
}

const modelType = { Pod: 'V1Pod', Secret: 'V1Secret', NetworkPolicy: 'V1NetworkPolicy' } as const;

function model<T>(object: LabObject): T {
  return ObjectSerializer.deserialize(structuredClone(object), modelType[object.kind]) as T;
}

/**
 * The few calls the provider makes, on @kubernetes/client-node: KUBECONFIG or in-cluster
 * credentials (loadFromDefault), one namespace. Everything the provider's logic needs goes
 * through LabCluster, so the unit tests drive that logic with a fake of this interface.
 */
export function kubeCluster(namespace: string, kubeConfig?: KubeConfig): LabCluster {
  const kc = kubeConfig ?? new KubeConfig();
  if (!kubeConfig) kc.loadFromDefault();
  // Without any of these, loadFromDefault falls back to http://localhost:8080, whose error says nothing useful.
  const credentials =
    kubeConfig !== undefined ||
    Boolean(process.env.KUBECONFIG) ||
    Boolean(process.env.KUBERNETES_SERVICE_HOST) ||
    existsSync(join(homedir(), '.kube', 'config'));
  const core = kc.makeApiClient(CoreV1Api);
  const networking = kc.makeApiClient(NetworkingV1Api);
  const call = async <T>(doing: string, request: () => Promise<T>): Promise<T> => {
    if (!credentials)
      throw new ClusterError(
        'unreachable',
        'No Kubernetes credentials: run the backend in a pod with its ServiceAccount (deploy/kubernetes), or set KUBECONFIG.',
      );
    try {
      return await request();
    } catch (error) {
      throw clusterError(error, namespace, doing);
    }
  };
  const labelled = (items: { metadata?: { name?: string; labels?: Record<string, string> } }[]): LabelledObject[] =>
    items.map((i) => ({ name: i.metadata?.name ?? '', labels: i.metadata?.labels ?? {} }));
  const goneIsFine = (error: unknown) => {
    if (!(error instanceof ClusterError && error.problem === 'not-found')) throw error;
  };

  return {
    async create(object) {
      const doing = `creating ${object.kind} ${object.metadata?.name}`;
      if (object.kind === 'Pod') await call(doing, () => core.createNamespacedPod({ namespace, body: model(object) }));
      else if (object.kind === 'Secret') await call(doing, () => core.createNamespacedSecret({ namespace, body: model(object) }));
      else await call(doing, () => networking.createNamespacedNetworkPolicy({ namespace, body: model(object) }));
    },

    async deleteSession(sessionId) {
      const labelSelector = `${podLabelKeys.session}=${sessionId}`;
      // Pods first: a policy or secret never goes while a pod that needs it still runs.
      await call('deleting pods', () => core.deleteCollectionNamespacedPod({ namespace, labelSelector, gracePeriodSeconds: 0 }));
      await Promise.all([
        call('deleting secrets', () => core.deleteCollectionNamespacedSecret({ namespace, labelSelector })),
        call('deleting network policies', () => networking.deleteCollectionNamespacedNetworkPolicy({ namespace, labelSelector })),
      ]);
    },

    async list(kind: LabKind, labelSelector: string) {
      if (kind === 'Pod') return labelled((await call('listing pods', () => core.listNamespacedPod({ namespace, labelSelector }))).items);
      if (kind === 'Secret') return labelled((await call('listing secrets', () => core.listNamespacedSecret({ namespace, labelSelector }))).items);
      return labelled((await call('listing network policies', () => networking.listNamespacedNetworkPolicy({ namespace, labelSelector }))).items);
    },

    async remove(kind: LabKind, name: string) {
      const doing = `deleting ${kind} ${name}`;
      if (kind === 'Pod') await call(doing, () => core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 })).catch(goneIsFine);
      else if (kind === 'Secret') await call(doing, () => core.deleteNamespacedSecret({ namespace, name })).catch(goneIsFine);
      else await call(doing, () => networking.deleteNamespacedNetworkPolicy({ namespace, name })).catch(goneIsFine);
    },

    watchPods(labelSelector: string, events: PodEvents): PodInformer {
      let listed = false;
      let lastError: unknown;
      const list = async () => {
        const result = await core.listNamespacedPod({ namespace, labelSelector });
        listed = true;
        return result;
      };
      const informer = makeInformer<V1Pod>(kc, `/api/v1/namespaces/${namespace}/pods`, list, labelSelector);
      informer.on('add', (pod) => events.change(podState(pod)));
      informer.on('update', (pod) => events.change(podState(pod)));
      informer.on('delete', (pod) => events.gone(podState(pod)));
      informer.on('error', (error) => {
        lastError = error;
        events.broken(clusterError(error, namespace, 'watching pods'));
      });
      return {
        async start() {
          listed = false;
          await informer.start();
          // The informer reports a failed first list as an error event, not a rejection.
          if (!listed) throw clusterError(lastError ?? new Error('the first pod list failed'), namespace, 'listing pods');
        },
        stop() {
          informer.stop().catch(() => undefined);
        },
      };
    },

    async probe() {
      // A dry-run create proves the namespace exists and the Role allows creating; the list proves reading.
      await call('creating secrets (dry run)', () =>
        core.createNamespacedSecret({
          namespace,
          dryRun: 'All',
          body: { apiVersion: 'v1', kind: 'Secret', metadata: { generateName: 'ssh-lab-probe-' }, stringData: { probe: '1' } },
        }),
      );
      await call('listing pods', () => core.listNamespacedPod({ namespace, labelSelector: podLabelKeys.session, limit: 1 }));
    },
  };
}
