import { DockerEnvironmentProvider } from '../../src/server/environments/docker-provider.js';
import { labHostImage } from '../../src/server/environments/image.js';
import { createLogger } from '../../src/server/logger.js';
import { execFileSync } from 'node:child_process';
const logger = createLogger('warn');
const provider = new DockerEnvironmentProvider({ image: labHostImage(), limits: { memoryMb: 160, cpus: 0.5, pids: 96, homeMb: 32, tmpMb: 16 }, subnetPool: '172.25.0.0/16', subnetPrefix: 28, hostFirewall: true, startupTimeoutMs: 30000, logger });
const host = (name: string, role: 'workstation'|'server') => ({ name, role, ports: [22], forwarding: 'no' as const, agentForwarding: false });
for (const n of [1, 2]) {
  for (let i = 0; i < 4; i++) {
    const t = performance.now();
    const env = await provider.start({ sessionId: `probe${n}${i}${Date.now().toString(36)}`, labId: 'probe', hosts: n === 1 ? [host('workstation','workstation')] : [host('workstation','workstation'), host('server','server')], password: 'x', lifetimeSeconds: 300 });
    const t1 = performance.now();
    await env.dispose();
    console.log(n, 'hosts start', Math.round(t1 - t), 'dispose', Math.round(performance.now() - t1));
  }
}
for (let i = 0; i < 3; i++) { const t = performance.now(); execFileSync('docker', ['run', '--rm', '--network', 'none', '--entrypoint', 'true', labHostImage()]); console.log('docker run true', Math.round(performance.now() - t)); }
