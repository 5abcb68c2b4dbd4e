/**
 * The known levers, each measured on and off (npm run bench -- --levers). Each lever keeps its
 * own small run; the machine is noisy, so read the medians side by side, not the absolute values.
 * Over 300 lines: one small on/off experiment per lever, each self-contained.
 */
import { createRequire } from 'node:module';
import Dockerode from 'dockerode';
import ssh2 from 'ssh2';
import { labHostImage } from '../../src/server/environments/image.js';
import { LabHostContainer } from '../../src/server/environments/lab-host-container.js';
import { generateEd25519, preferredAlgorithms, type KeyPair } from '../../src/server/environments/ssh.js';
import { loadConfig } from '../../src/server/config.js';
import { floorProvider, PlainSshTarget } from './floor.js';
import { BenchServer, log, median, now, run, sleep, summarise, type Summary } from './lib.js';
import { measureEchoSession, measureThroughput, measureTimeToPrompt } from './sessions.js';

export interface Lever {
  name: string;
  question: string;
  variants: { name: string; value: number | string; unit: string; detail?: Summary | Record<string, unknown> }[];
  verdict: string;
}

const { Client } = ssh2;

async function ssh2Handshake(
  address: string,
  key: KeyPair,
  hostKey: Buffer,
  algorithms: ssh2.ConnectConfig['algorithms'] | undefined,
): Promise<{ ms: number; client: InstanceType<typeof Client> }> {
  const client = new Client();
  const t0 = now();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', reject);
    client.connect({
      host: address,
      port: 22,
      username: 'learner',
      privateKey: key.privateKey,
      ...(algorithms ? { algorithms } : {}),
      hostVerifier: (k: Buffer) => k.equals(hostKey),
    });
  });
  return { ms: now() - t0, client };
}

async function execThroughput(client: InstanceType<typeof Client>, megabytes: number): Promise<number> {
  const t0 = now();
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    client.exec(`head -c ${megabytes}M /dev/zero`, (error, channel) => {
      if (error) return reject(error);
      channel.on('data', (c: Buffer) => (bytes += c.length));
      channel.on('close', () => resolve());
    });
  });
  return bytes / 1e6 / ((now() - t0) / 1000);
}

export async function measureLevers(options: { quick: boolean; oneHostLab: string; twoHostLab: string }): Promise<Lever[]> {
  const levers: Lever[] = [];
  const n = options.quick ? 5 : 10;

  // ---- ssh2 algorithms and cpu-features
  {
    log('levers: ssh2 algorithms');
    const provider = floorProvider('172.25.176.0/20');
    const target = await PlainSshTarget.start(provider, 'alg');
    try {
      const key = (provider as unknown as { adminKey: KeyPair }).adminKey;
      const hostKey = (ssh2.utils.parseKey(target.environment.hosts[0]!.publicKey) as ssh2.ParsedKey).getPublicSSH();
      const sets: [string, ssh2.ConnectConfig['algorithms'] | undefined][] = [
        ['preferred (curve25519, ed25519, aes128-gcm)', preferredAlgorithms],
        ['ssh2 defaults', undefined],
        ['ecdh-sha2-nistp256 kex', { ...preferredAlgorithms, kex: ['ecdh-sha2-nistp256'] }],
        ['diffie-hellman-group14-sha256 kex', { ...preferredAlgorithms, kex: ['diffie-hellman-group14-sha256'] }],
      ];
      const variants: Lever['variants'] = [];
      for (const [name, algorithms] of sets) {
        const samples: number[] = [];
        for (let i = 0; i < (options.quick ? 8 : 20); i++) {
          const { ms, client } = await ssh2Handshake(target.address, key, hostKey, algorithms);
          samples.push(ms);
          client.end();
        }
        variants.push({ name: `handshake + auth: ${name}`, value: Math.round(median(samples)), unit: 'ms p50', detail: summarise(samples) });
      }
      for (const cipher of ['aes128-gcm@openssh.com', 'chacha20-poly1305@openssh.com', 'aes128-ctr']) {
        const { client } = await ssh2Handshake(target.address, key, hostKey, { ...preferredAlgorithms, cipher: [cipher as never] });
        const rates: number[] = [];
        for (let i = 0; i < 3; i++) rates.push(await execThroughput(client, options.quick ? 50 : 100));
        client.end();
        variants.push({ name: `exec stream, cipher ${cipher}`, value: Math.round(median(rates) * 10) / 10, unit: 'MB/s' });
      }
      const require = createRequire(import.meta.url);
      let cpu = 'not built';
      try {
        const features = (require('cpu-features') as () => { flags: Record<string, boolean> })();
        cpu = `built; AES-NI ${features.flags.aes ? 'yes' : 'no'}, AVX2 ${features.flags.avx2 ? 'yes' : 'no'}`;
      } catch {
        /* optional dependency missing */
      }
      variants.push({ name: 'cpu-features (optional native module ssh2 uses to order ciphers)', value: cpu, unit: '' });
      levers.push({ name: 'ssh2 algorithms', question: 'Which key exchange and cipher make the backend connection fastest?', variants, verdict: '' });
    } finally {
      await target.dispose();
    }
  }

  // ---- testcontainers' start path vs dockerode directly
  {
    log('levers: testcontainers start vs dockerode');
    const docker = new Dockerode();
    const image = labHostImage();
    const network = `ssh-lab-benchlever-${Date.now().toString(36)}`;
    await run('docker', [
      'network',
      'create',
      '--internal',
      '--label',
      `ssh-lab.session=benchlever`,
      '--label',
      'ssh-lab.owner=bench',
      '--subnet',
      '172.25.240.0/24',
      network,
    ]);
    const limits = loadConfig({ ...process.env, SSH_LAB_SUBNET_POOL: '172.25.0.0/16' }).hostLimits;
    const admin = generateEd25519('bench');
    const make = (name: string) =>
      new LabHostContainer(image)
        .withName(name)
        .withHostname('workstation')
        .withSessionNetwork(network, 'workstation')
        .withLabels({ 'ssh-lab.session': 'benchlever', 'ssh-lab.owner': 'bench' })
        .withEnvironment({
          SSH_LAB_HOST_KEY: Buffer.from(generateEd25519('h').privateKey).toString('base64'),
          SSH_LAB_ADMIN_KEY: admin.publicKey,
          SSH_LAB_ADMIN_FROM: '172.25.240.1',
          SSH_LAB_PASSWORD: 'x',
          SSH_LAB_LIFETIME: '300',
        })
        .withHardening(limits)
        .withSshdReadiness(30_000)
        .withAutoRemove(true)
        .withAutoCleanup(false);
    const viaTestcontainers: number[] = [];
    const viaDockerode: number[] = [];
    const inspects: number[] = [];
    try {
      for (let i = 0; i < n; i++) {
        let t0 = now();
        const started = await make(`ssh-lab-benchlever-tc${i}`).start();
        viaTestcontainers.push(now() - t0);
        await docker.getContainer(started.getId()).remove({ force: true });

        const spec = make(`ssh-lab-benchlever-raw${i}`) as unknown as { createOpts: Dockerode.ContainerCreateOptions; hostConfig: Dockerode.HostConfig };
        t0 = now();
        const container = await docker.createContainer({ ...spec.createOpts, HostConfig: spec.hostConfig });
        await container.start();
        const logs = (await container.logs({ follow: true, stdout: true, stderr: true })) as unknown as NodeJS.ReadableStream & { destroy(): void };
        await new Promise<void>((resolve) => {
          let seen = '';
          logs.on('data', (chunk: Buffer) => {
            seen += chunk.toString('latin1');
            if (/Server listening on/.test(seen)) resolve();
          });
        });
        logs.destroy();
        await container.inspect();
        viaDockerode.push(now() - t0);
        await container.remove({ force: true });

        t0 = now();
        await docker.getImage(image).inspect();
        inspects.push(now() - t0);
      }
    } finally {
      await sleep(500);
      const { stdout } = await run('docker', ['ps', '-aq', '--filter', 'label=ssh-lab.session=benchlever']);
      for (const id of stdout.split('\n').filter(Boolean)) await run('docker', ['rm', '-f', id]).catch(() => undefined);
      await run('docker', ['network', 'rm', network]).catch(() => undefined);
    }
    levers.push({
      name: 'testcontainers start path',
      question: 'Does going around testcontainers (image check, extra inspect) make a host start faster?',
      variants: [
        {
          name: 'testcontainers GenericContainer.start() (log wait)',
          value: Math.round(median(viaTestcontainers)),
          unit: 'ms p50',
          detail: summarise(viaTestcontainers),
        },
        { name: 'dockerode create + start + log stream', value: Math.round(median(viaDockerode)), unit: 'ms p50', detail: summarise(viaDockerode) },
        {
          name: 'one image inspect (testcontainers caches it per process)',
          value: Math.round(median(inspects) * 10) / 10,
          unit: 'ms p50',
          detail: summarise(inspects),
        },
      ],
      verdict: '',
    });
  }

  // ---- the early shell, pooled and cold
  for (const warm of [true, false]) {
    const lab = options.twoHostLab;
    const variants: Lever['variants'] = [];
    for (const early of ['on', 'off']) {
      log(`levers: early shell ${early}, ${warm ? 'warm' : 'cold'}`);
      const server = await BenchServer.start({ SSH_LAB_EARLY_SHELL: early, ...(warm ? { SSH_LAB_POOL_SIZES: `${lab}=1` } : {}) });
      try {
        const result = await measureTimeToPrompt(server, lab, n, warm);
        variants.push({ name: `early shell ${early}`, value: Math.round(result.promptMs.p50), unit: 'ms p50 time to prompt', detail: result.promptMs });
      } finally {
        await server.close();
      }
    }
    levers.push({
      name: `early shell (${warm ? 'warm pool' : 'cold start'}, ${lab})`,
      question: 'Does opening the login shell before the terminal attaches shorten time to prompt?',
      variants,
      verdict: '',
    });
  }

  // ---- host CPU quota during a cold start
  {
    const variants: Lever['variants'] = [];
    for (const cpus of ['0.5', '2']) {
      log(`levers: SSH_LAB_HOST_CPUS=${cpus}, cold`);
      const server = await BenchServer.start({ SSH_LAB_HOST_CPUS: cpus });
      try {
        const result = await measureTimeToPrompt(server, options.oneHostLab, n, false);
        variants.push({
          name: `SSH_LAB_HOST_CPUS=${cpus}`,
          value: Math.round(result.promptMs.p50),
          unit: 'ms p50 cold time to prompt',
          detail: result.promptMs,
        });
      } finally {
        await server.close();
      }
    }
    levers.push({
      name: `host CPU quota (cold, ${options.oneHostLab})`,
      question: 'How much of a cold start is the entrypoint and sshd throttled by the CPU quota?',
      variants,
      verdict: '',
    });
  }

  // ---- login shell start-up: bash-completion in ~/.bashrc
  {
    log('levers: login shell start-up');
    const provider = floorProvider('172.25.176.0/20');
    const target = await PlainSshTarget.start(provider, 'sh');
    try {
      const env = target.environment;
      const time = async (command: string) => {
        const samples: number[] = [];
        for (let i = 0; i < (options.quick ? 5 : 10); i++) {
          const result = await env.exec('workstation', `TIMEFORMAT=%R; { time ${command} >/dev/null 2>&1; } 2>&1`);
          samples.push(Number(result.stdout.trim()) * 1000);
        }
        return summarise(samples);
      };
      const full = await time('bash -lic exit');
      const rc = await time('bash --noprofile -ic exit');
      const bare = await time('bash --norc --noprofile -ic exit');
      const noCompletion = await time(`bash --noprofile --rcfile <(grep -v bash_completion ~/.bashrc) -ic exit`);
      levers.push({
        name: 'login shell start-up (in the lab host, 0.5 CPU)',
        question: 'What does the shell itself cost before its first prompt?',
        variants: [
          { name: 'bash -lic exit (as the learner gets it)', value: Math.round(full.p50), unit: 'ms p50', detail: full },
          { name: 'bash --noprofile -ic exit (~/.bashrc with bash-completion)', value: Math.round(rc.p50), unit: 'ms p50', detail: rc },
          { name: 'bash -ic exit, ~/.bashrc without bash-completion (no profile)', value: Math.round(noCompletion.p50), unit: 'ms p50', detail: noCompletion },
          { name: 'bash --norc --noprofile -ic exit', value: Math.round(bare.p50), unit: 'ms p50', detail: bare },
        ],
        verdict: '',
      });
    } finally {
      await target.dispose();
    }
  }

  // ---- TCP_NODELAY (Nagle) on the client's socket
  {
    log('levers: Nagle on the client socket');
    const server = await BenchServer.start({ SSH_LAB_POOL_SIZES: `${options.oneHostLab}=1` });
    try {
      const count = options.quick ? 200 : 500;
      const on = await measureEchoSession(server, options.oneHostLab, count);
      await server.whenFull();
      const off = await measureEchoSession(server, options.oneHostLab, count, { nagle: true });
      levers.push({
        name: 'TCP_NODELAY',
        question: 'Does Nagle on a terminal socket delay keystrokes (the client acks output, then types)?',
        variants: [
          { name: 'TCP_NODELAY on (as ws and the backend ssh2 connections set it)', value: on.p99, unit: 'ms echo p99', detail: on },
          { name: 'Nagle on the client socket', value: off.p99, unit: 'ms echo p99', detail: off },
        ],
        verdict: '',
      });
    } finally {
      await server.close();
    }
  }

  // ---- flow-control marks
  {
    const variants: Lever['variants'] = [];
    for (const [high, low] of [
      [256 * 1024, 64 * 1024],
      [1024 * 1024, 256 * 1024],
      [4 * 1024 * 1024, 1024 * 1024],
    ] as const) {
      log(`levers: flow control ${high / 1024} KiB / ${low / 1024} KiB`);
      const server = await BenchServer.start({ SSH_LAB_FLOW_HIGH_BYTES: String(high), SSH_LAB_FLOW_LOW_BYTES: String(low) });
      try {
        const result = await measureThroughput(server, options.oneHostLab, { quick: true });
        variants.push({
          name: `high ${high / 1024} KiB, low ${low / 1024} KiB`,
          value: result.MBps,
          unit: 'MB/s',
          detail: { slowReaderRssGrowthMB: result.slow.rssGrowthMB, fastReaderRssGrowthMB: result.fastReaderRssGrowthMB },
        });
      } finally {
        await server.close();
      }
    }
    levers.push({
      name: 'flow-control marks (ssh2 window is 2 MiB)',
      question: 'Which high-water mark keeps throughput without letting memory grow?',
      variants,
      verdict: '',
    });
  }

  // ---- crun, if the Docker daemon knows it
  {
    const { stdout } = await run('docker', ['info', '--format', '{{json .Runtimes}}']);
    if (stdout.includes('"crun"')) {
      const variants: Lever['variants'] = [];
      for (const runtime of ['runc', 'crun']) {
        const samples: number[] = [];
        for (let i = 0; i < n; i++) {
          const t0 = now();
          await run('docker', ['run', '--rm', '--runtime', runtime, '--network', 'none', '--entrypoint', 'true', labHostImage()]);
          samples.push(now() - t0);
        }
        variants.push({ name: `docker run --runtime ${runtime}`, value: Math.round(median(samples)), unit: 'ms p50', detail: summarise(samples) });
        log(`levers: ${runtime} cold`);
        const server = await BenchServer.start({ SSH_LAB_RUNTIME: runtime });
        try {
          const result = await measureTimeToPrompt(server, options.oneHostLab, n, false);
          variants.push({
            name: `cold time to prompt, SSH_LAB_RUNTIME=${runtime}`,
            value: Math.round(result.promptMs.p50),
            unit: 'ms p50',
            detail: result.promptMs,
          });
        } finally {
          await server.close();
        }
      }
      levers.push({ name: 'OCI runtime', question: 'Is crun faster than runc at starting a lab host?', variants, verdict: '' });
    } else {
      levers.push({
        name: 'OCI runtime',
        question: 'Is crun faster than runc?',
        variants: [{ name: 'crun', value: 'not registered with this Docker daemon', unit: '' }],
        verdict: 'not measured here',
      });
    }
  }
  return levers;
}
