import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const comment = 'ssh-lab';

/**
 * Drops new connections from a session bridge to this machine (replies still pass), so a
 * learner cannot reach the host's own services through the bridge's gateway address.
 */
export class HostFirewall {
  constructor(private readonly enabled: boolean) {}

  private rule(bridge: string): string[] {
    return ['INPUT', '-i', bridge, '-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', comment, '-j', 'DROP'];
  }

  /**
   * Fails with a message an operator can act on when iptables is missing, not permitted, or lacks
   * the matches the rule needs: the exact rule is installed for a probe interface and removed.
   */
  async verify(): Promise<void> {
    if (!this.enabled) return;
    const probe = `sshlprobe${process.pid % 100_000}`;
    try {
      await run('iptables', ['-w', '-S', 'INPUT']);
      await run('iptables', ['-w', '-I', ...this.rule(probe)]);
      await run('iptables', ['-w', '-D', ...this.rule(probe)]);
    } catch (error) {
      throw new Error(
        `SSH_LAB_HOST_FIREWALL=on needs iptables and root (to block session networks from reaching this machine): ${(error as Error).message.split('\n')[0]}. ` +
          'Run the backend as root, or set SSH_LAB_HOST_FIREWALL=off on a machine where nothing else listens on the host.',
      );
    }
  }

  async block(bridge: string): Promise<void> {
    if (!this.enabled) return;
    await run('iptables', ['-w', '-I', ...this.rule(bridge)]);
  }

  async unblock(bridge: string): Promise<void> {
    if (!this.enabled) return;
    // -D fails when the rule is already gone; removing twice is harmless.
    await run('iptables', ['-w', '-D', ...this.rule(bridge)]).catch(() => undefined);
  }

  /** Bridges that still have a rule of ours (for the reaper). */
  async blockedBridges(): Promise<string[]> {
    if (!this.enabled) return [];
    const { stdout } = await run('iptables', ['-w', '-S', 'INPUT']);
    return stdout
      .split('\n')
      .filter((line) => line.includes(`--comment ${comment}`))
      .map((line) => /-i (\S+)/.exec(line)?.[1])
      .filter((bridge): bridge is string => Boolean(bridge));
  }
}
