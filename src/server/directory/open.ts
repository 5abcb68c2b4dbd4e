import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { MemoryDirectory } from './memory.js';
import { RedisDirectory } from './redis.js';
import type { SessionDirectory } from './types.js';

/** How long start-up waits for Redis before giving up with a message for the operator. */
const connectTimeoutMs = 10_000;

/**
 * The directory the configuration names: Redis when SSH_LAB_REDIS_URL is set (it must answer at
 * start-up: the replicas' shared login key lives there), else this process's memory.
 */
export async function openDirectory(config: Config, replicaId: string, logger: Logger): Promise<{ directory: SessionDirectory; redis?: Redis }> {
  if (!config.redisUrl) return { directory: new MemoryDirectory(replicaId) };
  const directory = new RedisDirectory({ url: config.redisUrl, replicaId, logger });
  try {
    await directory.connect(connectTimeoutMs);
  } catch (error) {
    await directory.close();
    // The URL without its password: the message goes to a log.
    const shown = new URL(config.redisUrl);
    shown.password = shown.password ? '***' : '';
    throw new Error(`SSH_LAB_REDIS_URL=${shown.href}: ${(error as Error).message} within ${connectTimeoutMs / 1000} s. Start Redis or fix the URL.`);
  }
  return { directory, redis: directory.client };
}
