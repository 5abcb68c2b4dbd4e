/** Values a lab's setup scripts and replayed commands may use as {{name}} placeholders. */
export interface TemplateValues {
  password: string;
  user: string;
  /** e.g. hosts.server.fingerprint, hosts.server.address, hosts.server.publicKey */
  hosts: Record<string, { fingerprint: string; address: string; publicKey: string; port: number }>;
}

export function fillTemplate(text: string, values: TemplateValues): string {
  return text.replace(/\{\{\s*([a-zA-Z0-9_.-]+)\s*\}\}/g, (placeholder, path: string) => {
    const value = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], values);
    if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`Unknown placeholder ${placeholder}`);
    return String(value);
  });
}
