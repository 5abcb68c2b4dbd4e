import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { PodState } from './cluster-types.js';

/** Waiting reasons that do not pass by themselves: the pod will never start. */
const hopeless = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'CrashLoopBackOff',
]);

function containerFailure(status: V1ContainerStatus, init: boolean): string | undefined {
  const { waiting, terminated } = status.state ?? {};
  if (waiting?.reason && hopeless.has(waiting.reason)) return `${status.name}: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}`;
  // An init container that ended well is the normal case; the lab host ending at all is not.
  if (terminated && (!init || terminated.exitCode !== 0))
    return `${status.name} ended (${terminated.reason ?? 'terminated'}, exit ${terminated.exitCode}${terminated.message ? `: ${terminated.message.trim().slice(0, 300)}` : ''})`;
  return undefined;
}

/** The few facts of a pod the provider acts on. */
export function podState(pod: V1Pod): PodState {
  const status = pod.status ?? {};
  const phase = status.phase ?? 'Pending';
  const conditions = status.conditions ?? [];
  const scheduled = conditions.find((c) => c.type === 'PodScheduled');
  const failures = [
    ...(status.initContainerStatuses ?? []).map((s) => containerFailure(s, true)),
    ...(status.containerStatuses ?? []).map((s) => containerFailure(s, false)),
  ].filter((f): f is string => Boolean(f));
  if (phase === 'Failed' || phase === 'Succeeded')
    failures.unshift(
      `the pod ${phase === 'Failed' ? 'failed' : 'ended'}${status.reason ? ` (${status.reason}${status.message ? `: ${status.message}` : ''})` : ''}`,
    );
  return {
    name: pod.metadata?.name ?? '',
    labels: pod.metadata?.labels ?? {},
    phase,
    address: status.podIP || undefined,
    ready: conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
    terminating: Boolean(pod.metadata?.deletionTimestamp),
    ...(failures.length ? { failure: failures.join('; ') } : {}),
    ...(scheduled?.status === 'False' && scheduled.reason === 'Unschedulable' ? { unschedulable: scheduled.message ?? 'no node fits' } : {}),
  };
}
