import type { Logger } from 'pino';
import type * as z from 'zod';
import type { Config } from '../config.js';
import type { EnvironmentProvider } from '../environments/types.js';
import { Errors } from '../errors.js';
import type { LabCatalogue } from '../labs/catalogue.js';
import type { Metrics } from '../metrics.js';
import type { SessionRegistry } from '../sessions/registry.js';

/** What every route plugin gets: passed in, never imported as module state. */
export interface AppContext {
  config: Config;
  logger: Logger;
  catalogue: LabCatalogue;
  registry: SessionRegistry;
  provider: EnvironmentProvider;
  metrics: Metrics;
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? `"${issue.path.join('.')}" ` : '';
    const message = issue?.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : `${where}${issue?.message ?? 'is invalid'}`;
    throw new Errors.BadRequest(`Invalid ${what}: ${message}.`);
  }
  return result.data;
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}
