import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runWithInput } from './run-with-input.js';

const run = promisify(execFile);
const comment = 'ssh-lab';

/**
 * The machine's iptables rules for session bridges, each tagged with our comment.
 * - The host rule (SSH_LAB_HOST_FIREWALL) drops new connections from a bridge to this machine
 *   (replies still pass), so a learner cannot reach the host's own services through the gateway.
 * - The isolation rules are for bridges the backend makes itself (bridge-networks.ts): what Docker's
 *   internal networks get from Docker. Frames between the bridge's own hosts pass (with
 *   br_netfilter loaded they traverse FORWARD, whose policy Docker sets to DROP); nothing is routed
 *   into or out of the bridge.
 */
export class HostFirewall {
  constructor(
    private readonly hostRule: boolean,
    private readonly isolation = false,
  ) {}

  private get enabled(): boolean {
    return this.hostRule || this.isolation;
  }

  private inputRule(bridge: string): string[] {
    return ['INPUT', '-i', bridge, '-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', comment, '-j', 'DROP'];
  }

  private forwardRules(bridge: string): string[][] {
    const tag = ['-m', 'comment', '--comment', comment];
    // Inserted in this order, ACCEPT ends up first; the DROPs never match what it accepts.
    return [
      ['FORWARD', '-i', bridge, '!', '-o', bridge, ...tag, '-j', 'DROP'],
      ['FORWARD', '-o', bridge, '!', '-i', bridge, ...tag, '-j', 'DROP'],
      ['FORWARD', '-i', bridge, '-o', bridge, ...tag, '-j', 'ACCEPT'],
    ];
  }

  private rules(bridge: string): string[][] {
    return [...(this.isolation ? this.forwardRules(bridge) : []), ...(this.hostRule ? [this.inputRule(bridge)] : [])];
  }

  /**
   * Fails with a message an operator can act on when iptables is missing, not permitted, or lacks
   * the matches the rules need: the exact rules are installed for a probe interface and removed.
   */
  async verify(): Promise<void> {
    if (!this.enabled) return;
    const probe = `sshlprobe${process.pid % 100_000}`;
    try {
      await run('iptables', ['-w', '-S', 'INPUT']);
      await this.block(probe);
      await this.unblock(probe);
    } catch (error) {
      const reason = (error as Error).message.split('\n')[0];
      throw new Error(
        this.hostRule
          ? `SSH_LAB_HOST_FIREWALL=on needs iptables and root (to block session networks from reaching this machine): ${reason}. ` +
              'Run the backend as root, or set SSH_LAB_HOST_FIREWALL=off and SSH_LAB_SESSION_NETWORK=docker on a machine where nothing else listens on the host.'
          : `SSH_LAB_SESSION_NETWORK=bridge needs iptables and root (to isolate the session bridges it makes): ${reason}. ` +
              'Run the backend as root, or set SSH_LAB_SESSION_NETWORK=docker.',
      );
    }
  }

  /** Installs every rule for a bridge in one iptables-restore (one process, one ruleset update). */
  async block(bridge: string): Promise<void> {
    if (!this.enabled) return;
    await restore(this.rules(bridge).map((rule) => ['-I', ...rule].join(' ')));
  }

  /**
   * Removes every rule of ours that names the bridge, whichever settings installed them (the reaper
   * removes a dead backend's too): listed, then deleted in one iptables-restore.
   */
  async unblock(bridge: string): Promise<void> {
    if (!this.enabled) return;
    const names = new RegExp(`(^| )-[io] ${bridge.replace(/[^\w-]/g, '')}( |$)`);
    const listOurs = async () =>
      (await run('iptables', ['-w', '-S'])).stdout
        .split('\n')
        .filter((line) => line.startsWith('-A ') && line.includes(`--comment ${comment}`) && names.test(line));
    // The session's own removal and the reaper may list the same rules at once; the one that
    // deletes second finds one gone, and its whole transaction fails: it lists what is left again.
    for (let attempt = 0; ; attempt++) {
      const ours = await listOurs();
      if (ours.length === 0) return;
      try {
        await restore(ours.map((line) => `-D ${line.slice(3)}`));
        return;
      } catch (error) {
        if (attempt >= 2) throw error;
      }
    }
  }

  /** Bridges that still have a rule of ours (for the reaper). */
  async blockedBridges(): Promise<string[]> {
    if (!this.enabled) return [];
    const { stdout } = await run('iptables', ['-w', '-S']);
    const bridges = stdout
      .split('\n')
      .filter((line) => line.includes(`--comment ${comment}`))
      .map((line) => /(?:^| )-i (\S+)/.exec(line)?.[1])
      .filter((bridge): bridge is string => Boolean(bridge));
    return [...new Set(bridges)];
  }
}

/** Rule lines as iptables -S prints them (no word of ours has a space), applied in one transaction. */
function restore(lines: string[]): Promise<void> {
  const input = ['*filter', ...lines, 'COMMIT', ''].join('\n');
  return runWithInput('iptables-restore', ['-w', '--noflush'], input).then(() => undefined);
}
