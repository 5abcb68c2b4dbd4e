/**
 * The terminal on a busy machine: keystroke echo in one session while three others print at
 * full speed, and while two others burn CPU; how evenly those two share the cores; and where
 * the echo's tail comes from (the backend's event-loop delay and CPU use over the same stretch).
 * The floor is the same echo on the same server with nothing else running, measured in the same run.
 */
import { availableParallelism, getPriority, loadavg } from 'node:os';
import { loadConfig } from '../../src/server/config.js';
import { setOwnCpuPriority } from '../../src/server/process/cpu-priority.js';
import { type BenchServer, containerCpuNs, containersOf, log, type LoopReading, now, sleep, summarise, type Summary, timeToPrompt } from './lib.js';
import { CountingTerminal, measureEcho } from './sessions.js';

export interface LoadResult {
  labId: string;
  /** The CPU policy the hosts ran under, e.g. "shares 256, no ceiling". */
  policy: string;
  /** One session alone printing base64 of urandom to a fast reader (MB/s). */
  aloneMBps: number;
  idleEchoMs: Summary;
  /** Three sessions print `base64 /dev/urandom` as fast as the terminal carries it; a fourth types. */
  printing: {
    echoMs: Summary;
    /** Each printer's rate over the stretch (MB/s). */
    printerMBps: number[];
    loop: LoopReading;
    loadavg1: number;
  };
  /** Two sessions each run a busy loop per CPU of the machine, so the two ask for more than it has; a third types. */
  hogs: {
    echoMs: Summary;
    /** CPU each hog's container used over the stretch, in cores. */
    cores: number[];
    /** Smaller share ÷ larger: 1 is even. */
    evenness: number;
    seconds: number;
    loop: LoopReading;
    loadavg1: number;
  };
  loadavgAtStart: number[];
}

const load1 = () => Math.round(loadavg()[0]! * 100) / 100;

export async function measureLoad(server: BenchServer, labId: string, options: { quick: boolean; policy: string }): Promise<LoadResult> {
  const keystrokes = options.quick ? 200 : 500;
  // The client stands for learners' browsers, which run on other machines: at the backend's
  // priority, the hosts' load delays it no more than it delays the backend.
  const clientNice = getPriority(0);
  setOwnCpuPriority(loadConfig(process.env).backendNice);
  const loadavgAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
  const typist = await timeToPrompt(server, labId).catch((error: Error) => {
    setOwnCpuPriority(clientNice);
    throw error;
  });
  const sessions = [typist.session];
  const others: { session: (typeof sessions)[number]; terminal: CountingTerminal }[] = [];
  try {
    const aloneMBps = await throughputAlone(server, labId, options.quick ? 25 : 50);
    log(`load (${options.policy}): one session alone prints ${aloneMBps} MB/s`);
    for (let i = 0; i < 3; i++) {
      const session = await server.api.createSession(labId);
      sessions.push(session);
      const terminal = await CountingTerminal.open(server, session);
      await terminal.waitFor((tail) => /\$ (?:\x1b\[[0-9;?]*[A-Za-z])*$/.test(tail), 30_000);
      others.push({ session, terminal });
    }
    await measureEcho(typist.terminal, 50); // warm-up
    log(`load: echo with nothing else running, ${keystrokes} keystrokes`);
    const idleEchoMs = summarise(await measureEcho(typist.terminal, keystrokes));

    log('load: three sessions print at full speed; the fourth types');
    for (const o of others) o.terminal.type('cat /dev/urandom | base64\r');
    await sleep(2_000);
    const printedFrom = others.map((o) => o.terminal.bytes);
    const t0 = now();
    await server.loopStart();
    const printingEcho = summarise(await measureEcho(typist.terminal, keystrokes));
    const printingLoop = await server.loopStop();
    const printSeconds = (now() - t0) / 1000;
    const printerMBps = others.map((o, i) => Math.round(((o.terminal.bytes - printedFrom[i]!) / 1e6 / printSeconds) * 10) / 10);
    const printingLoad = load1();
    for (const o of others) o.terminal.type('\x03');
    await sleep(2_000);

    log('load: two sessions each run a busy loop per CPU; a third types');
    const hogs = others.slice(0, 2);
    const hogContainers = await Promise.all(hogs.map(async (h) => (await containersOf([h.session.id]))[0]!));
    // One loop per CPU in each: two hogs of one loop each on two CPUs would not compete with each
    // other at all, and their "shares" would only say which CPU the typist's processes ran on.
    // A pipeline, so that ^C stops every loop (a background loop would ignore it).
    const hogCommand = Array.from({ length: availableParallelism() }, () => 'while :; do :; done').join(' | ');
    for (const h of hogs) h.terminal.type(`${hogCommand}\r`);
    await sleep(1_000);
    const cpuFrom = hogContainers.map(containerCpuNs);
    const h0 = now();
    await server.loopStart();
    const hogEcho = summarise(await measureEcho(typist.terminal, keystrokes));
    // A few hundred keystrokes take a second or two: too short a stretch to judge shares by.
    await sleep(Math.max(0, (options.quick ? 3_000 : 6_000) - (now() - h0)));
    const hogLoop = await server.loopStop();
    const hogSeconds = (now() - h0) / 1000;
    const cores = hogContainers.map((id, i) => Math.round(((containerCpuNs(id) - cpuFrom[i]!) / 1e9 / hogSeconds) * 100) / 100);
    const hogLoad = load1();
    for (const h of hogs) h.terminal.type('\x03');
    log(
      `load: idle echo p99 ${idleEchoMs.p99} ms; printing: echo p99 ${printingEcho.p99} ms, loop delay p99 ${printingLoop.p99} ms, backend ${printingLoop.cpuPercent} % CPU, printers ${printerMBps.join('/')} MB/s; hogs ${cores.join('/')} cores, echo p99 ${hogEcho.p99} ms`,
    );
    return {
      labId,
      policy: options.policy,
      aloneMBps,
      idleEchoMs,
      printing: { echoMs: printingEcho, printerMBps, loop: printingLoop, loadavg1: printingLoad },
      hogs: {
        echoMs: hogEcho,
        cores,
        evenness: Math.round((Math.min(...cores) / Math.max(...cores, 1e-9)) * 100) / 100,
        seconds: Math.round(hogSeconds * 10) / 10,
        loop: hogLoop,
        loadavg1: hogLoad,
      },
      loadavgAtStart,
    };
  } finally {
    for (const o of others) o.terminal.close();
    await typist.terminal.close().catch(() => undefined);
    await Promise.all(sessions.map((s) => server.api.endSession(s).catch(() => undefined)));
    setOwnCpuPriority(clientNice);
  }
}

/** One session, nothing else running: `head -c N M /dev/urandom | base64` to a reader that acknowledges at once. */
async function throughputAlone(server: BenchServer, labId: string, megabytes: number): Promise<number> {
  const session = await server.api.createSession(labId);
  try {
    const terminal = await CountingTerminal.open(server, session);
    await terminal.waitFor((tail) => /\$ (?:\x1b\[[0-9;?]*[A-Za-z])*$/.test(tail), 30_000);
    await sleep(300);
    const from = terminal.bytes;
    const t0 = now();
    terminal.type(`head -c ${megabytes}M /dev/urandom | base64; echo AL""ONE-END\r`);
    await terminal.waitFor((tail) => tail.includes('ALONE-END'), 300_000);
    const seconds = (now() - t0) / 1000;
    terminal.close();
    return Math.round(((terminal.bytes - from) / 1e6 / seconds) * 10) / 10;
  } finally {
    await server.api.endSession(session).catch(() => undefined);
  }
}
