import { labelKeys } from '../labels.js';

/**
 * The provider-neutral label keys (labels.ts) plus the host's role, as Kubernetes labels. Every
 * key is a valid label name without a prefix, and session ids, lab ids and host names are valid
 * label values (lowercase letters, digits, dashes).
 */
export const podLabelKeys = { ...labelKeys, role: 'ssh-lab.role' } as const;

/** SSH Lab's own pods (the backend Deployment in deploy/kubernetes carries these labels). */
export const backendPodLabels = { 'app.kubernetes.io/name': 'ssh-lab', 'app.kubernetes.io/component': 'backend' } as const;

/** A label value may hold at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric. */
export function labelValue(raw: string): string {
  const cleaned = raw
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return cleaned || 'unknown';
}

export function selector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}
