import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * The backend's own CPU priority (nice value) over the learners' hosts. When three hosts print at
 * full speed they keep both cores busy, and under Docker's default parent the backend's one event
 * loop has no more claim on a core than any of their processes: it waits for a CPU with work
 * queued (loop delay p99 178 ms at 19 % of a core used) and every terminal's echo waits with it.
 * A negative nice weighs the backend several times a container group (nice -10 weighs 9548 to the
 * group's 1024), so it runs as soon as it has work, while the hosts still get every core it leaves idle.
 *
 * On Linux a nice value belongs to a thread: every thread that exists now (V8's helpers, libuv's
 * pool if started) is set, and threads started later inherit it from the main thread. And where
 * the scheduler groups processes by session (autogroup, on by default in Debian's kernels, for
 * processes outside any CPU cgroup) a thread's nice only counts inside its session's group; the
 * group's weight against the hosts' /docker group is the session's own nice, set as well. It
 * raises the processes that share the backend's session with it, such as an `npm start`.
 */
export type PriorityResult = { applied: true; nice: number } | { applied: false; nice: number; reason: string };

export function setOwnCpuPriority(nice: number): PriorityResult {
  const current = getPriority(0);
  const group = autogroupNice();
  if (current === nice && (group === undefined || group === nice)) return { applied: true, nice };
  try {
    for (const tid of threadIds()) setThreadPriority(tid, nice);
    if (group !== undefined && group !== nice) writeFileSync(autogroupFile, String(nice));
    return { applied: true, nice };
  } catch (error) {
    const code = systemErrorCode(error);
    // Threads set before the refusal go back, so the process is not left half raised.
    for (const tid of threadIds()) setThreadPriority(tid, current);
    return { applied: false, nice: current, reason: code === 'EACCES' || code === 'EPERM' ? 'needs root or CAP_SYS_NICE' : (error as Error).message };
  }
}

function setThreadPriority(tid: number, nice: number): void {
  try {
    setPriority(tid, nice);
  } catch (error) {
    if (systemErrorCode(error) !== 'ESRCH') throw error; // a thread that ended meanwhile
  }
}

const autogroupFile = '/proc/self/autogroup';

/** The nice of this process's autogroup ("/autogroup-25 nice 0"); undefined where the kernel groups nothing. */
function autogroupNice(): number | undefined {
  try {
    if (!existsSync(autogroupFile) || readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() !== '1') return undefined;
    const nice = / nice (-?\d+)/.exec(readFileSync(autogroupFile, 'utf8'))?.[1];
    return nice === undefined ? undefined : Number(nice);
  } catch {
    return undefined;
  }
}

/** os.setPriority throws ERR_SYSTEM_ERROR with libuv's code in `info`. */
function systemErrorCode(error: unknown): string | undefined {
  return (error as { info?: { code?: string } }).info?.code;
}

function threadIds(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number);
  } catch {
    return [0]; // no /proc: the calling thread, which is the event loop's
  }
}
