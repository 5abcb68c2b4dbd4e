/**
 * The backend under benchmark, in its own process (as in production): the bench measures its
 * RSS apart from the client's. Started by scripts/bench/lib.ts with fork(); talks over IPC.
 */
import { startServer } from '../../src/server/main.js';

const send = (message: unknown) => process.send?.(message);

try {
  const server = await startServer(process.env);
  send({ type: 'ready', url: server.url, pid: process.pid });
  process.on('message', (message: { type: string; id: number; timeoutMs?: number }) => {
    void (async () => {
      switch (message.type) {
        case 'whenFull':
          send({ type: 'reply', id: message.id, value: (await server.pool?.whenFull(message.timeoutMs ?? 120_000)) ?? false });
          break;
        case 'pool':
          send({
            type: 'reply',
            id: message.id,
            value: server.pool ? { size: server.pool.size, ids: server.pool.liveIds(), stats: server.pool.stats } : undefined,
          });
          break;
        case 'close':
          await server.close();
          send({ type: 'reply', id: message.id, value: true });
          setTimeout(() => process.exit(0), 50);
          break;
      }
    })().catch((error: Error) => send({ type: 'reply', id: message.id, error: error.message }));
  });
  process.on('disconnect', () => {
    void server.close().finally(() => process.exit(0));
  });
} catch (error) {
  send({ type: 'failed', message: (error as Error).message });
  process.exit(1);
}
