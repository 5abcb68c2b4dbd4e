import type { CheckContext } from './check-kit.js';
import { labHost } from './known-hosts.js';
import { shellPath, shellQuote } from './shell-quote.js';

/**
 * For a checker's own login, which asks whether a key or a password gets in, not how keys are
 * exchanged: curve25519 before the default list's post-quantum hybrid, whose key generation cost
 * the client about 110 of a login's 300 ms here. The rest of the default list stays, so an sshd
 * that accepts only other algorithms still gets its login.
 */
export const probeKexOption = '-o KexAlgorithms=^curve25519-sha256';

/**
 * A shell prefix for a probe of a host's sshd just after the learner reloaded it: sshd re-executes
 * itself on SIGHUP and refuses connections until the new one listens, so the probe waits up to
 * about 3 s for the port (a probe sent in that moment saw no sshd at all, in a CI run).
 */
export const awaitSshdListening = (host: string) => `for i in $(seq 30); do nc -z -w 1 ${shellQuote(host)} 22 && break; sleep 0.1; done;`;

/** How a probe authenticates. */
export type ProbeIdentity =
  /** This private key alone: no agent, no other key, no config. */
  | { key: string }
  /** The agent at this socket alone: no key files, no config. */
  | { agentSocket: string }
  /** What the learner's ~/.ssh/config says for the name (aliases, IdentityFile), with no agent. */
  | { config: true };

export interface ProbeResult {
  ok: boolean;
  stdout: string;
  /** ssh's last complaint, the line worth quoting to a learner. */
  error: string;
  stderr: string;
}

/**
 * A real ssh from one lab host to another, as a learner's would be but with BatchMode (no
 * password or prompt can stand in for a key) and trusting only the real host key of `hostKeyOf`
 * (the learner's known_hosts is not consulted, so an untrusted or stale entry does not decide).
 */
export async function sshProbe(
  lab: CheckContext,
  options: { to: string; identity: ProbeIdentity; hostKeyOf?: string; from?: string; command?: string },
): Promise<ProbeResult> {
  const hostKey = labHost(lab, options.hostKeyOf ?? options.to).key;
  const identity = options.identity;
  const how =
    'key' in identity
      ? `-F /dev/null ${probeKexOption} -i ${shellPath(identity.key)} -o IdentitiesOnly=yes -o IdentityAgent=none`
      : 'agentSocket' in identity
        ? `-F /dev/null ${probeKexOption} -o IdentityAgent=${shellQuote(identity.agentSocket)} -o IdentityFile=none`
        : // The learner's config decides here, KexAlgorithms included.
          '-o IdentityAgent=none';
  const command = [
    `kh=$(mktemp) && printf '%s\\n' ${shellQuote(`* ${hostKey}`)} > "$kh" &&`,
    `ssh ${how} -o BatchMode=yes -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no`,
    `-o UserKnownHostsFile="$kh" -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o ConnectTimeout=5`,
    `${shellQuote(options.to)} ${options.command ?? 'true'}; r=$?; rm -f "$kh"; exit $r`,
  ].join(' ');
  const result = await lab.exec(options.from ?? 'workstation', command);
  const complaints = result.stderr.split('\n').filter((line) => line.trim() && !line.startsWith('Pseudo-terminal'));
  return { ok: result.code === 0, stdout: result.stdout, error: complaints.at(-1)?.trim() ?? '', stderr: result.stderr };
}

/** Where `ssh <name>` with the learner's config lands, as far as the server's real host key tells. */
export type Reach = { reached: 'sshd' } | { reached: 'other-sshd' | 'refused' | 'not-sshd' | 'failed'; why: string };

/**
 * Whether `ssh <name>` with the learner's ~/.ssh/config reaches the sshd of `hostKeyOf`: a login
 * that succeeds or is only denied (no key) counts; an sshd that presents another host key is
 * another machine, whatever the config's port says.
 */
export async function reachesSshd(lab: CheckContext, name: string, hostKeyOf: string): Promise<Reach> {
  const probe = await sshProbe(lab, { to: name, hostKeyOf, identity: { config: true } });
  if (probe.ok || /Permission denied/.test(probe.stderr)) return { reached: 'sshd' };
  const why = probe.error;
  if (/Host key verification failed|host key is known|IDENTIFICATION HAS CHANGED/i.test(probe.stderr)) return { reached: 'other-sshd', why };
  if (/Connection refused/.test(probe.stderr)) return { reached: 'refused', why };
  if (/kex_exchange_identification|banner|Connection closed|Connection reset/.test(probe.stderr)) return { reached: 'not-sshd', why };
  return { reached: 'failed', why };
}
