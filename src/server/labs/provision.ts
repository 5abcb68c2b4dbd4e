import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LoadedLab } from '../../labs/load.js';
import type { LabHost } from '../../labs/schema.js';
import { fillTemplate, type TemplateValues } from '../../labs/template.js';
import type { EnvironmentSpec, HostSpec, StartedEnvironment } from '../environments/types.js';

const run = promisify(execFile);

export function hostSpecs(lab: LoadedLab): HostSpec[] {
  return lab.hosts.map((h: LabHost) => ({ name: h.name, role: h.role, ports: h.ports, forwarding: h.forwarding, agentForwarding: h.agentForwarding }));
}

export function environmentSpec(lab: LoadedLab, sessionId: string, password: string, lifetimeSeconds: number): EnvironmentSpec {
  return { sessionId, labId: lab.id, hosts: hostSpecs(lab), password, lifetimeSeconds };
}

export function templateValues(environment: StartedEnvironment, password: string): TemplateValues {
  return {
    password,
    user: 'learner',
    hosts: Object.fromEntries(
      environment.hosts.map((h) => [h.name, { fingerprint: h.fingerprint, address: h.address, publicKey: h.publicKey, port: h.ports[0] ?? 22 }]),
    ),
  };
}

export class SetupError extends Error {}

/**
 * Applies a lab's setup through the backend's own connections: files and scripts the learner
 * finds ready, with nothing in their shell history.
 */
export async function applySetup(environment: StartedEnvironment, lab: LoadedLab, values: TemplateValues): Promise<void> {
  for (const [index, step] of lab.setup.entries()) {
    const where = `${lab.id} setup #${index + 1} on ${step.host}`;
    if (step.files) {
      // tar keeps the modes the lab author set; extraction as the user makes the files theirs.
      const { stdout } = await run('tar', ['-c', '-C', join(lab.dir, step.files), '.'], { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 });
      const result = await environment.exec(step.host, 'tar -x --no-same-owner -C ~', { user: step.user, stdin: stdout, timeoutMs: 20_000 });
      if (result.code !== 0) throw new SetupError(`${where}: copying ${step.files} failed: ${result.stderr.trim()}`);
    }
    if (step.run) {
      const script = fillTemplate(step.run, values);
      const command = step.background
        ? 'f=$(mktemp); cat > "$f"; cd ~; setsid nohup bash "$f" > /dev/null 2>&1 < /dev/null &'
        : 'cd ~ && bash -e -o pipefail -s';
      const result = await environment.exec(step.host, command, { user: step.user, stdin: script, timeoutMs: 30_000 });
      if (result.code !== 0) throw new SetupError(`${where} exited with ${result.code}: ${(result.stderr || result.stdout).trim().slice(0, 500)}`);
    }
  }
}
