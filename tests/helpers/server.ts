import { startServer, type RunningServer } from '../../src/server/main.js';
import { providerTestEnv } from './provider-resources.js';

/** Test settings: generous per-client caps (every test client is 127.0.0.1), quiet logs. */
export const testEnv: Record<string, string> = {
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
  SSH_LAB_MAX_SESSIONS: '40',
  SSH_LAB_MAX_SESSIONS_PER_CLIENT: '40',
  SSH_LAB_SESSION_CREATE_PER_MINUTE: '10000',
  SSH_LAB_SUBNET_POOL: '172.28.0.0/16',
  // Tests count their containers and time their sessions; the pool has tests of its own.
  SSH_LAB_POOL_SIZE: '0',
  // Servers run in parallel: none takes the gateway's default port 2222 (the gateway tests give theirs a free one).
  SSH_LAB_GATEWAY_PORT: '0',
};

/** The real server (Fastify, the provider SSH_LAB_PROVIDER names — Docker by default —, every lab), in this process, on a free port. */
export async function startTestServer(overrides: Record<string, string> = {}): Promise<RunningServer> {
  return startServer({ ...process.env, ...testEnv, ...providerTestEnv(), ...overrides });
}
