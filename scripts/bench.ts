/**
 * npm run bench: SSH Lab's benchmark, through the real API and WebSocket path against real
 * containers, with the floor (plain docker run and OpenSSH) measured in the same run.
 * Over 300 lines: the command line, the order of the sections and the report; the measuring is in scripts/bench/.
 *
 *   npm run bench                      full run (< 20 min): 20 sessions per figure, 1,000 keystrokes, 100 sessions
 *   npm run bench -- --quick           a few minutes: fewer samples, 10 sessions of capacity, no site build
 *   npm run bench -- --only=ttp,echo   some sections: floor ttp echo throughput checks capacity load class gateway replicas site
 *   npm run bench -- --levers          the levers, each on and off (bench/results/levers.json)
 *   npm run bench -- --cap=60          capacity up to 60 sessions
 *   npm run bench -- --only=class --class=60x30a,60x30w
 *                                      some class scenarios: learners x seconds, a = adaptive pool, w = warmed
 *   npm run bench -- --save-baseline   also copy the results to bench/baseline.json (bench/levers.json)
 *   npm run bench -- --only=site --merge-baseline
 *                                      replace just the measured sections in bench/baseline.json
 *
 * Prints a table and writes bench/results/latest.json; docs/performance.mdx renders the committed
 * bench/baseline.json. Targets are reported, not asserted: the machine is shared and noisy.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLabs } from '../src/labs/load.js';
import { baselineSchema, baselineVersion, type ReportRow } from '../src/protocol/bench-report.js';
import { judge, type BenchTargetId } from '../src/protocol/bench-targets.js';
import { projectRoot } from '../src/server/environments/image.js';
import { ensureImages } from './images.js';
import { measureFloor, type FloorResult } from './bench/floor.js';
import { measureGateway, type GatewayResult } from './bench/gateway.js';
import { measureLevers } from './bench/levers.js';
import { migrateBaseline } from './bench/migrate-baseline.js';
import { BenchServer, benchServerPids, log, machineInfo, run, type Summary } from './bench/lib.js';
import {
  measureCapacity,
  measureChecks,
  measureEchoSession,
  measureThroughput,
  measureTimeToPrompt,
  type CapacityResult,
  type PromptResult,
  type ThroughputResult,
} from './bench/sessions.js';
import { measureSite, type SiteResult } from './bench/site.js';
import { measureReplicas, type ReplicasResult } from './bench/replicas.js';
import { measureLoad, type LoadResult } from './bench/load.js';
import { measureClass, warmPool, type ClassResult } from './bench/class.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const quick = flag('quick');
const sections = new Set((option('only') ?? 'floor,ttp,echo,throughput,checks,capacity,load,class,gateway,site,replicas').split(','));
if (quick && !option('only')) sections.delete('site');
if (flag('skip-site')) sections.delete('site');

const resultsDir = join(projectRoot, 'bench', 'results');
mkdirSync(resultsDir, { recursive: true });

// Labs: keygen has one host; the two-host lab is the first of these that exists (labs are being written).
const labs = loadLabs();
const oneHostLab = labs.find((l) => l.id === 'keygen' && l.hosts.length === 1)?.id ?? labs.find((l) => l.hosts.length === 1)?.id;
const twoHostLab =
  ['copy-id', 'first-login', 'remote-command'].find((id) => labs.some((l) => l.id === id && l.hosts.length === 2)) ??
  labs.find((l) => l.hosts.length === 2)?.id;
if (!oneHostLab || !twoHostLab) throw new Error('the benchmark needs a one-host lab and a two-host lab in labs/');

async function leftovers(): Promise<string[]> {
  const { stdout } = await run('docker', ['ps', '-a', '--filter', 'label=ssh-lab.session', '--format', '{{.Names}} {{.Label "ssh-lab.owner"}}']);
  return stdout
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([name, owner]) => name?.startsWith('ssh-lab-bench') || benchServerPids.includes(Number(owner?.split(':')[1])))
    .map(([name]) => name!);
}

async function withServer<T>(env: Record<string, string>, work: (server: BenchServer) => Promise<T>): Promise<T> {
  const server = await BenchServer.start(env);
  try {
    return await work(server);
  } finally {
    await server.close();
  }
}

// ---------------------------------------------------------------- levers only

if (flag('levers')) {
  await ensureImages();
  const started = Date.now();
  const levers = await measureLevers({ quick, oneHostLab, twoHostLab });
  const out = {
    version: 1,
    generatedAt: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    machine: await machineInfo(),
    minutes: (Date.now() - started) / 60000,
    levers,
  };
  writeFileSync(join(resultsDir, 'levers.json'), `${JSON.stringify(out, null, 2)}\n`);
  for (const lever of levers) {
    console.log(`\n${lever.name}: ${lever.question}`);
    for (const v of lever.variants) console.log(`  ${v.name.padEnd(70)} ${String(v.value).padStart(8)} ${v.unit}`);
  }
  if (flag('save-baseline')) copyFileSync(join(resultsDir, 'levers.json'), join(projectRoot, 'bench', 'levers.json'));
  console.log(`\nwrote bench/results/levers.json (${out.minutes.toFixed(1)} min)`);
  process.exit(0);
}

// ---------------------------------------------------------------- the run

await ensureImages();
const started = Date.now();
const machine = await machineInfo();
log(`mode ${quick ? 'quick' : 'full'}; labs: one host ${oneHostLab}, two hosts ${twoHostLab}; load ${machine.loadavg.join(' ')}`);
const sessionsPerFigure = quick ? 5 : 20;

let floor: FloorResult | undefined;
if (sections.has('floor')) floor = await measureFloor({ quick });

const timeToPrompt: { cold: Record<string, PromptResult>; warm: Record<string, PromptResult> } = { cold: {}, warm: {} };
if (sections.has('ttp')) {
  await withServer({}, async (server) => {
    for (const lab of [oneHostLab, twoHostLab]) {
      log(`time to prompt: ${lab}, cold (pool off), ${sessionsPerFigure} sessions`);
      timeToPrompt.cold[lab] = await measureTimeToPrompt(server, lab, sessionsPerFigure, false);
    }
  });
  await withServer({ SSH_LAB_POOL_SIZES: `${oneHostLab}=1,${twoHostLab}=1` }, async (server) => {
    for (const lab of [oneHostLab, twoHostLab]) {
      log(`time to prompt: ${lab}, warm (pool on), ${sessionsPerFigure} sessions`);
      timeToPrompt.warm[lab] = await measureTimeToPrompt(server, lab, sessionsPerFigure, true);
    }
  });
}

let echo: Summary | undefined;
let throughput: ThroughputResult | undefined;
if (sections.has('echo') || sections.has('throughput')) {
  await withServer({ SSH_LAB_POOL_SIZES: `${oneHostLab}=1` }, async (server) => {
    if (sections.has('echo')) {
      log(`keystroke echo: ${quick ? 200 : 1000} keystrokes`);
      await server.whenFull();
      echo = await measureEchoSession(server, oneHostLab, quick ? 200 : 1000);
    }
    if (sections.has('throughput')) {
      log('terminal throughput: fast reader, then a slow reader');
      throughput = await measureThroughput(server, oneHostLab, { quick });
    }
  });
}

let checks: Record<string, Summary> | undefined;
if (sections.has('checks')) {
  await withServer({}, async (server) => {
    const ids = labs.map((l) => l.id);
    log(`check latency: ${ids.length} labs, ${quick ? 10 : 20} full checks each`);
    checks = await measureChecks(server, ids, quick ? 10 : 20);
  });
}

let capacity: CapacityResult | undefined;
if (sections.has('capacity')) {
  const cap = Number(option('cap') ?? (quick ? 10 : 100));
  const milestones = [25, 50, 100, cap].filter((m, i, all) => m <= cap && all.indexOf(m) === i);
  if (quick) milestones.unshift(5);
  await withServer({ SSH_LAB_MAX_SESSIONS: String(cap), SSH_LAB_MAX_SESSIONS_PER_CLIENT: String(cap) }, async (server) => {
    log(`capacity: up to ${cap} idle ${twoHostLab} sessions (two hosts each)`);
    capacity = await measureCapacity(server, twoHostLab, cap, milestones, quick ? 100 : 300);
  });
}

// The SSH gateway: its own server, OpenSSH through the gateway beside OpenSSH straight in.
let gateway: GatewayResult | undefined;
if (sections.has('gateway')) gateway = await measureGateway({ quick });
// The terminal on a busy machine, under the old hard quota and under the shares policy, in the same run.
const load: LoadResult[] = [];
if (sections.has('load')) {
  for (const policy of [
    { name: 'hard ceiling 0.5 CPU, Docker parent (the old policy)', env: { SSH_LAB_HOST_CPUS: '0.5', SSH_LAB_HOST_CGROUP_PARENT: '' } },
    { name: 'shares, Docker parent (the default)', env: { SSH_LAB_HOST_CGROUP_PARENT: '' } as Record<string, string> },
    { name: 'shares, own low-weight parent (opt-in)', env: { SSH_LAB_HOST_CGROUP_PARENT: 'ssh-lab-hosts' } },
  ]) {
    // A policy whose sessions died under it (the machine is shared) is reported missing, not the whole run lost.
    await withServer(policy.env, async (server) => {
      log(`load: ${policy.name}`);
      load.push(await measureLoad(server, oneHostLab, { quick, policy: policy.name }));
    }).catch((error: Error) => log(`load: ${policy.name} failed: ${error.message}`));
  }
}

// A class starting together on the two-host lab; a fresh server per scenario, so no demand carries over.
const classes: ClassResult[] = [];
if (sections.has('class')) {
  const adminToken = `bench-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  const classEnv = {
    SSH_LAB_POOL_SIZES: `${twoHostLab}=1`,
    SSH_LAB_MAX_SESSIONS: '130',
    SSH_LAB_MAX_SESSIONS_PER_CLIENT: '130',
    SSH_LAB_API_PER_MINUTE: '100000',
    SSH_LAB_ADMIN_TOKEN: adminToken,
    SSH_LAB_HOST_CGROUP_PARENT: '',
  };
  const scenarios = [
    { learners: 30, withinSeconds: 60, seed: 30, warm: 0, adaptive: true },
    { learners: 60, withinSeconds: 30, seed: 60, warm: 0, adaptive: false },
    { learners: 60, withinSeconds: 30, seed: 60, warm: 0, adaptive: true },
    { learners: 60, withinSeconds: 30, seed: 60, warm: 60, adaptive: true },
  ].filter(
    (s) =>
      !option('class') ||
      option('class')!
        .split(',')
        .includes(`${s.learners}x${s.withinSeconds}${s.warm ? 'w' : s.adaptive ? 'a' : ''}`),
  );
  for (const scenario of quick ? scenarios.map((s) => ({ ...s, learners: s.learners / 3 })) : scenarios) {
    await withServer({ ...classEnv, ...(scenario.adaptive ? {} : { SSH_LAB_POOL_ADAPTIVE_MAX: '0' }) }, async (server) => {
      await server.whenFull();
      if (scenario.warm) {
        log(`class: the operator warms ${twoHostLab} to ${scenario.warm}`);
        await warmPool(server, adminToken, twoHostLab, scenario.warm, 30);
        if (!(await server.whenFull(600_000))) log('class: the pool did not fill in 10 min');
      }
      const pool = scenario.warm
        ? `warmed to ${scenario.warm} (PUT /api/admin/pool)`
        : `no warning (configured size 1, ${scenario.adaptive ? 'adaptive' : 'adaptive off'})`;
      classes.push(
        await measureClass(server, { labId: twoHostLab, learners: scenario.learners, withinSeconds: scenario.withinSeconds, seed: scenario.seed, pool }),
      );
    }).catch((error: Error) => log(`class: ${scenario.learners} within ${scenario.withinSeconds} s failed: ${error.message}`));
  }
}

let site: SiteResult | undefined;
if (sections.has('site')) {
  site = await measureSite({ docsPath: '/docs/why-ssh', labPath: '/docs/everyday-ssh', labId: oneHostLab }).catch((error: Error) => {
    log(`site: ${error.message}`);
    return undefined;
  });
}

// replicas: two compiled replicas sharing a local Redis (scripts/bench/replicas.ts).
let replicas: ReplicasResult | undefined;
if (sections.has('replicas')) replicas = await measureReplicas({ quick, labId: oneHostLab });

// ---------------------------------------------------------------- report

type Row = ReportRow;

const rows: Row[] = [];
const r2 = (v: number) => Math.round(v * 100) / 100;
/** A row of the report; one that measures a target names it, and is judged by the one table of targets. */
function add(row: Omit<Row, 'target' | 'met'> & { targetId?: BenchTargetId }) {
  const rest: Row = { ...row, ...(row.targetId ? judge(row.targetId, row.value) : {}) };
  if (typeof row.value === 'number') {
    rest.value = r2(row.value);
    if (row.floor !== undefined && row.floor > 0) {
      rest.floor = r2(row.floor);
      rest.ratio = r2(row.value / row.floor);
    }
  }
  rows.push(rest);
}

const coldFloor = floor ? floor.dockerRunMs.p50 + floor.sshPromptMs.p50 : undefined;
const warmFloor = floor?.sshPromptMs.p50;
if (floor) {
  add({ group: 'floor', metric: 'docker run --rm (lab-host image, true)', value: floor.dockerRunMs.p50, unit: 'ms p50' });
  add({
    group: 'floor',
    metric: 'one host via the provider (network, container, sshd, connection)',
    value: floor.providerStartOneHostMs.p50,
    unit: 'ms p50',
    floor: floor.dockerRunMs.p50,
  });
  if (floor.dockerRunPairMs)
    add({ group: 'floor', metric: 'two docker run --rm at once', value: floor.dockerRunPairMs.p50, unit: 'ms p50', floor: floor.dockerRunMs.p50 });
  if (floor.providerStartTwoHostsMs)
    add({
      group: 'floor',
      metric: 'two hosts via the provider (network, 2 containers, sshd, connections), beside one in the same run',
      value: floor.providerStartTwoHostsMs.p50,
      unit: 'ms p50',
      floor: floor.providerStartOneHostMs.p50,
    });
  if (floor.providerStartTwoHostsMs)
    add({
      group: 'floor',
      metric: 'two hosts via the provider p50 ÷ the one-host cold floor (docker run + ssh to the prompt)',
      value: floor.providerStartTwoHostsMs.p50 / (floor.dockerRunMs.p50 + floor.sshPromptMs.p50),
      unit: '×',
      targetId: 'cold-two-hosts-vs-floor',
    });
  add({ group: 'floor', metric: 'plain ssh login running true', value: floor.sshLoginMs.p50, unit: 'ms p50' });
  add({ group: 'floor', metric: 'plain ssh -tt to the prompt', value: floor.sshPromptMs.p50, unit: 'ms p50' });
  add({ group: 'floor', metric: 'cold floor = docker run + ssh to the prompt', value: coldFloor!, unit: 'ms' });
  add({ group: 'floor', metric: 'plain ssh keystroke echo', value: floor.sshEchoMs.p50, unit: 'ms p50' });
  add({ group: 'floor', metric: 'plain ssh keystroke echo', value: floor.sshEchoMs.p99, unit: 'ms p99' });
  add({ group: 'floor', metric: 'plain ssh -tt throughput (base64 of urandom)', value: floor.sshThroughputMBps, unit: 'MB/s' });
  add({ group: 'floor', metric: 'idle lab host memory (cgroup + containerd shim)', value: floor.idleHostMemoryMB + floor.idleHostShimMB, unit: 'MB' });
}
for (const [lab, result] of Object.entries(timeToPrompt.cold)) {
  const twoHosts = lab === twoHostLab;
  add({
    group: 'time to prompt',
    metric: `cold ${lab} (${twoHosts ? '2 hosts' : '1 host'})`,
    value: result.promptMs.p50,
    unit: 'ms p50',
    ...(twoHosts ? { targetId: 'cold-prompt-two-hosts-p50' as const } : {}),
    floor: coldFloor,
  });
  add({
    group: 'time to prompt',
    metric: `cold ${lab} (${twoHosts ? '2 hosts' : '1 host'})`,
    value: result.promptMs.p95,
    unit: 'ms p95',
    ...(twoHosts ? { targetId: 'cold-prompt-two-hosts-p95' as const } : {}),
    floor: coldFloor,
  });
}
const coldTwo = timeToPrompt.cold[twoHostLab];
if (coldTwo && coldFloor)
  add({
    group: 'time to prompt',
    metric: `cold ${twoHostLab} (2 hosts) p50 ÷ the one-host cold floor (docker run + ssh to the prompt)`,
    value: coldTwo.promptMs.p50 / coldFloor,
    unit: '×',
    targetId: 'cold-two-hosts-vs-floor',
  });
for (const [lab, result] of Object.entries(timeToPrompt.warm)) {
  const hosts = lab === twoHostLab ? 2 : 1;
  add({
    group: 'time to prompt',
    metric: `warm ${lab} (${hosts === 1 ? '1 host' : `${hosts} hosts`})`,
    value: result.promptMs.p50,
    unit: 'ms p50',
    targetId: 'warm-prompt-p50',
    floor: warmFloor,
  });
  add({
    group: 'time to prompt',
    metric: `warm ${lab} (${hosts === 1 ? '1 host' : `${hosts} hosts`})`,
    value: result.promptMs.p95,
    unit: 'ms p95',
    targetId: 'warm-prompt-p95',
    floor: warmFloor,
  });
  if (result.refillMs) add({ group: 'time to prompt', metric: `warm ${lab}: pool refilled after a hand-out`, value: result.refillMs.p50, unit: 'ms p50' });
}
if (echo) {
  add({ group: 'terminal', metric: 'keystroke echo', value: echo.p50, unit: 'ms p50', targetId: 'echo-p50', floor: floor?.sshEchoMs.p50 });
  add({ group: 'terminal', metric: 'keystroke echo', value: echo.p99, unit: 'ms p99', targetId: 'echo-p99', floor: floor?.sshEchoMs.p99 });
}
if (throughput) {
  add({
    group: 'terminal',
    metric: `throughput, fast reader (${throughput.megabytes} MB)`,
    value: throughput.MBps,
    unit: 'MB/s',
    targetId: 'throughput-fast-reader',
    floor: floor?.sshThroughputMBps,
  });
  add({
    group: 'terminal',
    metric: `backend RSS growth, slow reader (${throughput.slow.ackMBps} MB/s, ${throughput.slow.seconds} s)`,
    value: throughput.slow.rssGrowthMB,
    unit: 'MB',
    targetId: 'slow-reader-memory',
  });
  add({ group: 'terminal', metric: 'backend RSS growth, fast reader', value: throughput.fastReaderRssGrowthMB, unit: 'MB' });
}
if (checks) {
  for (const [lab, s] of Object.entries(checks))
    add({ group: 'checks', metric: `full check, ${lab}`, value: s.p95, unit: 'ms p95', targetId: 'check-p95', floor: floor?.sshLoginMs.p50 });
}
if (capacity) {
  for (const p of capacity.points) {
    add({
      group: 'capacity',
      metric: `echo with ${p.sessions} idle ${capacity.labId} sessions`,
      value: p.echoMs.p99,
      unit: 'ms p99',
      ...(p.sessions >= 100 ? { targetId: 'capacity-echo-p99' as const } : {}),
      floor: floor?.sshEchoMs.p99,
    });
    add({
      group: 'capacity',
      metric: `memory per session at ${p.sessions} (system; containers ${p.perSessionMB.containers}, shims ${p.perSessionMB.shims}, backend ${p.perSessionMB.backend})`,
      value: p.perSessionMB.system,
      unit: 'MB',
      floor: floor ? 2 * (floor.idleHostMemoryMB + floor.idleHostShimMB) : undefined,
    });
  }
  add({
    group: 'capacity',
    metric: `sessions opened (cap ${capacity.cap}); one more refused: ${capacity.capEnforced}`,
    value: capacity.opened,
    unit: 'sessions',
    ...(capacity.cap >= 100 ? { targetId: 'capacity-sessions' as const } : {}),
  });
  add({
    group: 'capacity',
    metric: `estimated machine limit (${capacity.estimatedMachineLimit.by})`,
    value: capacity.estimatedMachineLimit.sessions,
    unit: 'sessions',
  });
}
if (gateway) {
  add({
    group: 'gateway',
    metric: 'ssh -tt to the prompt through the gateway',
    value: gateway.gatewayPromptMs.p50,
    unit: 'ms p50',
    floor: gateway.directPromptMs.p50,
  });
  add({ group: 'gateway', metric: 'ssh -tt to the prompt straight into the workstation', value: gateway.directPromptMs.p50, unit: 'ms p50' });
  add({ group: 'gateway', metric: `scp ${gateway.scpMB} MB through the gateway`, value: gateway.gatewayScpMBps, unit: 'MB/s', floor: gateway.directScpMBps });
  add({ group: 'gateway', metric: `scp ${gateway.scpMB} MB straight into the workstation`, value: gateway.directScpMBps, unit: 'MB/s' });
}
for (const l of load) {
  const shares = l.policy.endsWith('(the default)');
  const at = ` (${l.policy})`;
  add({
    group: 'load',
    metric: `throughput, one session alone${at}`,
    value: l.aloneMBps,
    unit: 'MB/s',
    ...(shares ? { targetId: 'load-throughput-alone' as const } : {}),
    floor: floor?.sshThroughputMBps,
  });
  add({ group: 'load', metric: `keystroke echo, nothing else running${at}`, value: l.idleEchoMs.p99, unit: 'ms p99' });
  add({
    group: 'load',
    metric: `keystroke echo, 3 sessions printing (load ${l.printing.loadavg1})${at}`,
    value: l.printing.echoMs.p50,
    unit: 'ms p50',
    floor: l.idleEchoMs.p50,
  });
  add({
    group: 'load',
    metric: `keystroke echo, 3 sessions printing (load ${l.printing.loadavg1})${at}`,
    value: l.printing.echoMs.p99,
    unit: 'ms p99',
    ...(shares ? { targetId: 'load-echo-p99' as const } : {}),
    floor: l.idleEchoMs.p99,
  });
  add({ group: 'load', metric: `backend event-loop delay, 3 sessions printing${at}`, value: l.printing.loop.p99, unit: 'ms p99' });
  add({ group: 'load', metric: `backend CPU, 3 sessions printing${at}`, value: l.printing.loop.cpuPercent, unit: '% of a core' });
  add({
    group: 'load',
    metric: `printers' rate, each (${l.printing.printerMBps.join(' / ')})${at}`,
    value: Math.min(...l.printing.printerMBps),
    unit: 'MB/s min',
  });
  add({
    group: 'load',
    metric: `two CPU hogs: cores each (${l.hogs.cores.join(' / ')}), smaller ÷ larger${at}`,
    value: l.hogs.evenness,
    unit: '',
    ...(shares ? { targetId: 'load-hogs-even' as const } : {}),
  });
  add({
    group: 'load',
    metric: `keystroke echo beside two CPU hogs (load ${l.hogs.loadavg1})${at}`,
    value: l.hogs.echoMs.p99,
    unit: 'ms p99',
    ...(shares ? { targetId: 'load-hogs-echo-p99' as const } : {}),
    floor: l.idleEchoMs.p99,
  });
}
for (const c of classes) {
  const at = `${c.learners} learners within ${c.withinSeconds} s, ${c.labId}, pool ${c.pool}`;
  // The adaptive-off run is the comparison, not the product: it measures no target.
  const p95Target = c.pool.startsWith('warmed')
    ? ('class-warm-60-in-30-p95' as const)
    : c.pool.includes('adaptive off')
      ? undefined
      : c.learners >= 60
        ? ('class-60-in-30-p95' as const)
        : ('class-30-in-60-p95' as const);
  add({ group: 'class start', metric: `time to prompt, ${at}`, value: c.promptMs.p50, unit: 'ms p50', floor: warmFloor });
  add({
    group: 'class start',
    metric: `time to prompt, ${at}`,
    value: c.promptMs.p95,
    unit: 'ms p95',
    ...(p95Target ? { targetId: p95Target } : {}),
    floor: coldFloor,
  });
  add({ group: 'class start', metric: `learners who got no prompt, ${at}`, value: c.failed, unit: 'learners', targetId: 'class-failed' });
  add({ group: 'class start', metric: `pool hit rate, ${at}`, value: c.poolHitRate, unit: '' });
  add({ group: 'class start', metric: `machine load (1 min) at most, ${at}`, value: c.loadavg1Max, unit: '' });
}
if (site) {
  add({ group: 'site', metric: 'production build (npx docusaurus build)', value: site.buildSeconds, unit: 's' });
  add({ group: 'site', metric: `JavaScript, docs page without a lab (${site.docsPage.path})`, value: site.docsPage.jsKB, unit: 'KiB' });
  add({ group: 'site', metric: 'docs page without a lab ships xterm', value: site.docsPage.xterm, unit: '', targetId: 'docs-page-without-xterm' });
  add({ group: 'site', metric: `JavaScript, lab page before Start (${site.labPage.path})`, value: site.labPage.jsKB, unit: 'KiB' });
  add({ group: 'site', metric: `JavaScript added by Start (xterm: ${site.labPage.xtermAfterStart})`, value: site.labPage.afterStartJsKB, unit: 'KiB' });
  add({ group: 'site', metric: 'Start clicked to prompt in Chromium (cold)', value: site.labPage.startToPromptMs, unit: 'ms' });
  for (const page of site.lighthouse) {
    const at = `, ${page.path} (Lighthouse, mobile)`;
    add({ group: 'site', metric: `performance score${at}`, value: page.performance, unit: '/ 100', targetId: 'lighthouse-performance' });
    add({ group: 'site', metric: `accessibility score${at}`, value: page.accessibility, unit: '/ 100', targetId: 'lighthouse-accessibility' });
    add({ group: 'site', metric: `best-practices score${at}`, value: page.bestPractices, unit: '/ 100', targetId: 'lighthouse-best-practices' });
    add({ group: 'site', metric: `total blocking time${at}`, value: page.totalBlockingTimeMs, unit: 'ms', targetId: 'lighthouse-total-blocking-time' });
    add({ group: 'site', metric: `cumulative layout shift${at}`, value: page.cumulativeLayoutShift, unit: '', targetId: 'lighthouse-cumulative-layout-shift' });
  }
}
if (replicas) {
  const { directoryCreateMs: d, throughB, rollingRestart: rr } = replicas;
  add({ group: 'replicas', metric: 'session directory per session creation, in memory', value: d.memory.p50, unit: 'ms p50' });
  add({ group: 'replicas', metric: 'session directory per session creation, Redis (local redis-server)', value: d.redis.p50, unit: 'ms p50' });
  add({ group: 'replicas', metric: 'session created on A: ticket, socket and prompt through B', value: throughB.promptMs.p50, unit: 'ms p50' });
  add({ group: 'replicas', metric: 'keystroke echo through B (session of A)', value: throughB.echoMs.p50, unit: 'ms p50' });
  add({ group: 'replicas', metric: 'keystroke echo through B (session of A)', value: throughB.echoMs.p95, unit: 'ms p95' });
  add({ group: 'replicas', metric: `rolling restart, ${rr.terminals} typing terminals: without a shell`, value: rr.withoutShellMs.p50, unit: 'ms p50' });
  add({ group: 'replicas', metric: `rolling restart, ${rr.terminals} typing terminals: without a shell`, value: rr.withoutShellMs.p95, unit: 'ms p95' });
  add({ group: 'replicas', metric: `rolling restart: keystrokes lost of ${rr.keystrokesSent}`, value: rr.keystrokesLost, unit: 'keystrokes' });
  add({ group: 'replicas', metric: 'rolling restart: SIGTERM to exit of the replica', value: rr.replicaExitMs, unit: 'ms' });
}

const left = await leftovers();
const minutes = (Date.now() - started) / 60_000;
const result = {
  version: baselineVersion,
  generatedAt: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  minutes: r2(minutes),
  machine,
  loadAtEnd: (await machineInfo()).loadavg,
  labs: { oneHost: oneHostLab, twoHost: twoHostLab },
  rows,
  floor,
  timeToPrompt,
  echo,
  throughput,
  checks,
  capacity,
  ...(load.length ? { load } : {}),
  ...(classes.length ? { classes } : {}),
  site,
  replicas,
  leftovers: left,
};
// What the page will read: a run that does not fit the shared schema fails here, not on the site.
baselineSchema.parse(result);
writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
if (flag('save-baseline')) copyFileSync(join(resultsDir, 'latest.json'), join(projectRoot, 'bench', 'baseline.json'));
if (flag('merge-baseline')) mergeIntoBaseline();

/** Replaces the sections this run measured (and their table rows) in bench/baseline.json, noting when. */
function mergeIntoBaseline() {
  const groups: Record<string, { key: keyof typeof result; group: string }> = {
    floor: { key: 'floor', group: 'floor' },
    ttp: { key: 'timeToPrompt', group: 'time to prompt' },
    echo: { key: 'echo', group: 'terminal' },
    throughput: { key: 'throughput', group: 'terminal' },
    checks: { key: 'checks', group: 'checks' },
    capacity: { key: 'capacity', group: 'capacity' },
    site: { key: 'site', group: 'site' },
    load: { key: 'load', group: 'load' },
    class: { key: 'classes', group: 'class start' },
  };
  // Rows are replaced a whole group at a time, and echo and throughput share the group "terminal".
  if (sections.has('echo') !== sections.has('throughput')) throw new Error('--merge-baseline: measure echo and throughput together');
  const path = join(projectRoot, 'bench', 'baseline.json');
  const baseline: Record<string, unknown> & { rows: Row[]; updated?: Record<string, string> } = migrateBaseline(JSON.parse(readFileSync(path, 'utf8')));
  const merged = [...sections].filter((name) => groups[name]);
  const replaced = new Set(merged.map((name) => groups[name]!.group));
  for (const name of merged) (baseline as Record<string, unknown>)[groups[name]!.key] = result[groups[name]!.key];
  baseline.rows = [...baseline.rows.filter((row) => !replaced.has(row.group)), ...rows.filter((row) => replaced.has(row.group))];
  baseline.updated = { ...baseline.updated, ...Object.fromEntries(merged.map((name) => [name, result.generatedAt])) };
  writeFileSync(path, `${JSON.stringify(baseline, null, 2)}\n`);
}

const pad = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n));
console.log(
  `\nSSH Lab benchmark (${result.mode}, ${minutes.toFixed(1)} min; ${machine.cpus} CPUs, ${machine.memoryGb} GB; load ${machine.loadavg.join(' ')} → ${result.loadAtEnd.join(' ')})\n`,
);
console.log(`${pad('group', 15)} ${pad('metric', 78)} ${'value'.padStart(9)} ${pad('unit', 9)} ${pad('target', 8)} ${pad('met', 4)} ${'× floor'.padStart(8)}`);
for (const row of rows) {
  console.log(
    `${pad(row.group, 15)} ${pad(row.metric, 78)} ${String(row.value).padStart(9)} ${pad(row.unit, 9)} ${pad(row.target ?? '', 8)} ${pad(row.met === undefined ? '' : row.met ? 'yes' : 'NO', 4)} ${row.ratio === undefined ? '' : `${row.ratio}×`.padStart(8)}`,
  );
}
console.log(
  `\nwrote bench/results/latest.json${flag('save-baseline') ? ' and bench/baseline.json' : flag('merge-baseline') ? ' and merged it into bench/baseline.json' : ''}`,
);
if (left.length) {
  console.error(`leftover bench containers: ${left.join(', ')}`);
  process.exit(1);
}
process.exit(0);
