/**
 * The backend under benchmark, in its own process (as in production): the bench measures its
 * RSS apart from the client's. Started by scripts/bench/lib.ts with fork(); talks over IPC.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startServer } from '../../src/server/main.js';

const send = (message: unknown) => process.send?.(message);

try {
  const server = await startServer(process.env);
  send({ type: 'ready', url: server.url, pid: process.pid });
  // The backend's event-loop delay and CPU time over a stretch of the benchmark (scripts/bench/load.ts).
  let loopDelay: ReturnType<typeof monitorEventLoopDelay> | undefined;
  let cpuFrom = process.cpuUsage();
  let cpuFromAt = performance.now();
  process.on('message', (message: { type: string; id: number; timeoutMs?: number }) => {
    void (async () => {
      switch (message.type) {
        case 'loopStart':
          loopDelay?.disable();
          loopDelay = monitorEventLoopDelay({ resolution: 1 });
          loopDelay.enable();
          cpuFrom = process.cpuUsage();
          cpuFromAt = performance.now();
          send({ type: 'reply', id: message.id, value: true });
          break;
        case 'loopStop': {
          loopDelay?.disable();
          const ms = (ns: number) => Math.round((ns / 1e6) * 100) / 100;
          const cpu = process.cpuUsage(cpuFrom);
          const elapsedMs = performance.now() - cpuFromAt;
          send({
            type: 'reply',
            id: message.id,
            value: {
              p50: ms(loopDelay?.percentile(50) ?? 0),
              p99: ms(loopDelay?.percentile(99) ?? 0),
              max: ms(loopDelay?.max ?? 0),
              cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 1000) / 10,
            },
          });
          break;
        }
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
