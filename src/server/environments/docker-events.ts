import type Dockerode from 'dockerode';
import type { Logger } from 'pino';
import { labelKeys } from './labels.js';

/**
 * Container events that mean a host is gone. Only these: a signal ('kill') may be survived, and
 * 'oom' is the cgroup killing one process (a learner's memory hog) while the host runs on; a
 * host that really ends always reports 'die'.
 */
const stopEvents = ['die', 'destroy'];
/** Stops seen for containers nobody watches yet (a host that died while starting): kept this long. */
const recentMs = 5 * 60_000;

interface DockerEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
}

export type StopListener = (action: string) => void;

/** The one call of the engine this needs (Dockerode has it; unit tests pass a fake). */
export interface EventEngine {
  getEvents(options: Dockerode.GetEventsOptions): Promise<NodeJS.ReadableStream>;
}

/**
 * One Docker event stream per provider, filtered to this backend's containers and to the events
 * that stop one, instead of one long-poll wait() request per container. A broken stream is
 * reopened with `since` set to when it broke, so the engine replays what was missed.
 */
export class HostStopEvents {
  private readonly listeners = new Map<string, StopListener>();
  private readonly recent = new Map<string, { action: string; at: number }>();
  private opening?: Promise<void>;
  private stream?: NodeJS.ReadableStream & { destroy?: () => void };
  private since?: number;
  private retryTimer?: NodeJS.Timeout;
  private failures = 0;
  private closed = false;

  constructor(
    private readonly docker: () => Promise<EventEngine>,
    private readonly owner: string,
    private readonly logger: Logger,
  ) {}

  /** Resolves once the stream is open, so a container started afterwards cannot stop unseen. */
  open(): Promise<void> {
    if (this.stream || this.closed) return Promise.resolve();
    this.opening ??= this.connect().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /** Calls listener once when the container stops; returns the way to stop watching. */
  watch(containerId: string, listener: StopListener): () => void {
    const seen = this.recent.get(containerId);
    if (seen) {
      queueMicrotask(() => listener(seen.action));
      return () => undefined;
    }
    this.listeners.set(containerId, listener);
    return () => {
      if (this.listeners.get(containerId) === listener) this.listeners.delete(containerId);
    };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.stream?.destroy?.();
    this.stream = undefined;
    this.listeners.clear();
  }

  private async connect(): Promise<void> {
    const docker = await this.docker();
    const stream = (await docker.getEvents({
      ...(this.since !== undefined ? { since: this.since } : {}),
      filters: { type: ['container'], label: [`${labelKeys.owner}=${this.owner}`], event: stopEvents },
    })) as NodeJS.ReadableStream & { destroy?: () => void };
    if (this.closed) {
      stream.destroy?.();
      return;
    }
    this.stream = stream;
    // A watcher of hosts must not keep a finished process alive.
    (stream as { socket?: { unref?: () => void } }).socket?.unref?.();
    this.since = undefined;
    this.failures = 0;
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line) this.onLine(line);
        newline = buffered.indexOf('\n');
      }
    });
    let broken = false;
    const onBroken = (error?: Error) => {
      if (broken) return;
      broken = true;
      if (this.stream === stream) this.stream = undefined;
      if (this.closed) return;
      this.since = Math.floor(Date.now() / 1000) - 1;
      this.logger.warn({ err: error }, 'the Docker event stream broke; reopening it');
      this.retry();
    };
    stream.on('error', onBroken);
    stream.on('end', () => onBroken());
    stream.on('close', () => onBroken());
  }

  private retry(): void {
    clearTimeout(this.retryTimer);
    const delayMs = Math.min(10_000, 100 * 2 ** Math.min(this.failures, 7));
    this.retryTimer = setTimeout(() => {
      this.open().catch((error: Error) => {
        this.failures++;
        this.logger.debug({ err: error }, 'the Docker event stream could not be reopened yet');
        this.retry();
      });
    }, delayMs);
    this.retryTimer.unref();
  }

  private onLine(line: string): void {
    let event: DockerEvent;
    try {
      event = JSON.parse(line) as DockerEvent;
    } catch {
      return;
    }
    const id = event.Actor?.ID;
    const action = event.Action ?? '';
    if (!id || !stopEvents.includes(action)) return;
    const listener = this.listeners.get(id);
    if (listener) {
      this.listeners.delete(id);
      listener(action);
      return;
    }
    const now = Date.now();
    for (const [key, value] of this.recent) if (now - value.at > recentMs) this.recent.delete(key);
    this.recent.set(id, { action, at: now });
  }
}
