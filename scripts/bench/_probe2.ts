import Dockerode from 'dockerode';
import { execFileSync } from 'node:child_process';
import { labHostImage } from '../../src/server/environments/image.js';
import { generateEd25519, connect } from '../../src/server/environments/ssh.js';
const docker = new Dockerode();
const image = labHostImage();
const admin = generateEd25519('a');
for (let i = 0; i < 4; i++) {
  const marks: [string, number][] = []; let t = performance.now();
  const mark = (n: string) => { const now = performance.now(); marks.push([n, Math.round(now - t)]); t = now; };
  await docker.listNetworks(); mark('listNetworks');
  const name = `ssh-lab-probe-${i}-${Date.now()}`;
  const sub = `172.25.${200 + i}.0/28`, gw = `172.25.${200 + i}.1`;
  const bridge = `sshlprobe${i}`;
  await docker.createNetwork({ Name: name, Driver: 'bridge', Internal: true, Labels: { 'ssh-lab.session': 'probe' + i, 'ssh-lab.owner': 'probe' }, IPAM: { Driver: 'default', Config: [{ Subnet: sub, Gateway: gw }] }, Options: { 'com.docker.network.bridge.name': bridge } }); mark('createNetwork');
  execFileSync('iptables', ['-w', '-I', 'INPUT', '-i', bridge, '-m', 'conntrack', '--ctstate', 'NEW', '-j', 'DROP']); mark('iptables');
  const key = generateEd25519('h'); mark('keygen');
  const c = await docker.createContainer({ Image: image, name: name + '-ws', Hostname: 'workstation', Labels: { 'ssh-lab.session': 'probe' + i, 'ssh-lab.owner': 'probe' },
    Env: [`SSH_LAB_HOST_KEY=${Buffer.from(key.privateKey).toString('base64')}`, `SSH_LAB_ADMIN_KEY=${admin.publicKey}`, `SSH_LAB_ADMIN_FROM=${gw}`, 'SSH_LAB_PASSWORD=x', 'SSH_LAB_LIFETIME=300'],
    HostConfig: { NetworkMode: name, AutoRemove: true, CapDrop: ['ALL'], CapAdd: ['SETUID', 'SETGID', 'SYS_CHROOT', 'CHOWN', 'AUDIT_WRITE', 'NET_ADMIN', 'SETPCAP'], ReadonlyRootfs: true, Tmpfs: { '/run': 'rw,size=4m', '/tmp': 'rw,size=16m', '/home': 'rw,size=32m,mode=0755' }, Memory: 160 << 20, MemorySwap: 160 << 20, NanoCpus: 5e8, PidsLimit: 96, Dns: ['127.0.0.1'] },
    NetworkingConfig: { EndpointsConfig: { [name]: { Aliases: ['workstation'] } } } }); mark('create');
  await c.start(); mark('start');
  const logs = await c.logs({ follow: true, stdout: true, stderr: true }) as unknown as NodeJS.ReadableStream; mark('logs-attach');
  const ready = new Promise<void>((res) => logs.on('data', (d: Buffer) => { if (d.toString().includes('Server listening')) res(); }));
  const info = await c.inspect(); mark('inspect');
  await ready; mark('sshd-listening');
  (logs as any).destroy?.();
  const addr = info.NetworkSettings.Networks[name]!.IPAddress;
  const client = await connect({ host: addr, port: 22, username: 'learner', privateKey: admin.privateKey, hostKey: key.blob }); mark('ssh-connect');
  let buf = ''; await new Promise<void>((res, rej) => client.shell({ term: 'xterm', cols: 80, rows: 24 }, (e, ch) => { if (e) return rej(e); ch.on('data', (d: Buffer) => { buf += d.toString(); if (/\$ $/.test(buf)) res(); }); })); mark('shell-prompt');
  client.end();
  const t0 = performance.now();
  await c.remove({ force: true }).catch(() => undefined); const t1 = performance.now();
  for (let k = 0; k < 20; k++) { try { await docker.getNetwork(name).remove(); break; } catch { await new Promise((r) => setTimeout(r, 50)); } }
  execFileSync('iptables', ['-w', '-D', 'INPUT', '-i', bridge, '-m', 'conntrack', '--ctstate', 'NEW', '-j', 'DROP']);
  console.log(marks.map(([n, v]) => `${n}=${v}`).join(' '), `| rm=${Math.round(t1 - t0)} netrm=${Math.round(performance.now() - t1)}`);
}
