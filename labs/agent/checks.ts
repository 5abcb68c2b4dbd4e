import { clientConfig, defineChecks, describeKeyFile, fail, keyFile, pass, sshProbe, type CheckContext } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const keyPath = '~/.ssh/id_ed25519';

interface Agent {
  socket: string;
  /** SHA256 fingerprints the agent holds. */
  keys: string[];
}

/**
 * The check cannot see the learner's shell variables, so it looks for learner's agents itself:
 * the default sockets (/tmp/ssh-XXXX/agent.PID) and any other listening unix socket learner owns,
 * asking each with ssh-add -l. Sockets of agents that have ended do not answer and are skipped.
 * The persistent shell's own sockets (/run/ssh-lab/) are not asked: dtach's socket accepts the
 * connection and never answers an agent request, which cost every check of this lab the whole
 * timeout (3 s). `ss -p` cannot tell agents apart instead: ssh-agent makes itself non-dumpable,
 * and without CAP_SYS_PTRACE not even the container's root may read its fds.
 *
 * ssh-add -l exits 1 both for an empty agent and for one that broke off the conversation. The
 * second is what an agent started as `ssh-agent bash` does once that bash has exited: it notices
 * the moment something connects, and quits. Only "no identities" counts as an empty agent.
 */
async function agents(lab: CheckContext): Promise<Agent[]> {
  const script = `
    { ls -1d /tmp/ssh-*/agent.* 2>/dev/null; ss -Hxl | awk '{print $5}'; } | sort -u | while read -r s; do
      case $s in /run/ssh-lab/*) continue ;; esac
      [ -S "$s" ] && [ -O "$s" ] || continue
      out=$(SSH_AUTH_SOCK="$s" timeout 3 ssh-add -l 2>&1); rc=$?
      [ "$rc" -eq 0 ] || { [ "$rc" -eq 1 ] && [ "$out" = "The agent has no identities." ]; } || continue
      echo "socket $s"
      printf '%s\\n' "$out" | awk '$2 ~ /^SHA256:/ {print "key " $2}'
    done`;
  const result = await lab.exec(workstation, script);
  const found: Agent[] = [];
  for (const line of result.stdout.split('\n')) {
    const [kind, value] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
    if (kind === 'socket') found.push({ socket: value, keys: [] });
    else if (kind === 'key') found.at(-1)?.keys.push(value);
  }
  return found;
}

/**
 * The lab's key as it is on disk: still a private key, still encrypted. Its fingerprint comes
 * from the private file itself (the OpenSSH format keeps the public half readable), not from the
 * .pub beside it, which says nothing about what the agent must hold.
 */
async function keyOnDisk(lab: CheckContext): Promise<{ fingerprint: string } | { problem: string }> {
  const file = await keyFile(lab, workstation, keyPath);
  if (file.kind === 'missing') return { problem: `There is no ${keyPath} on workstation any more: the lab's key is gone. End the lab and start it again.` };
  if (file.kind !== 'private') {
    return {
      problem: `${keyPath} on workstation is ${describeKeyFile(file)}, not your private key any more. The agent holds a copy of the key, not the key file: keep the file. End the lab and start it again to get it back.`,
    };
  }
  if (!file.encrypted) {
    return {
      problem: `${keyPath} no longer has a passphrase: anyone who copies the file can use it. The agent is the way to stop typing the passphrase, not removing it. Put one back with ssh-keygen -p -f ${keyPath}.`,
    };
  }
  const fingerprint = file.keys[0]?.fingerprint;
  return fingerprint ? { fingerprint } : { problem: `${keyPath} on workstation is not a key ssh-keygen can read.` };
}

/** A real login to server with nothing but the agent: BatchMode forbids every prompt. */
const loginWith = (lab: CheckContext, socket: string) => sshProbe(lab, { to: 'server', identity: { agentSocket: socket } });

/** An agent of learner's holding the lab's key that logs in to server, or why there is none. */
async function workingAgent(lab: CheckContext): Promise<{ agent?: Agent; fingerprint?: string; problem?: string }> {
  const key = await keyOnDisk(lab);
  if ('problem' in key) return key;
  const { fingerprint } = key;
  const running = await agents(lab);
  if (!running.length) {
    return { problem: `No ssh-agent of yours answers on workstation. Start one in your shell with eval "$(ssh-agent)".` };
  }
  const holding = running.filter((a) => a.keys.includes(fingerprint));
  if (!holding.length) {
    const held = running.flatMap((a) => a.keys);
    if (!held.length) {
      return {
        problem: `Your ssh-agent (${running.map((a) => a.socket).join(', ')}) holds no keys. Add ${keyPath} with ssh-add and type its passphrase once. If ssh-add said "Could not open a connection to your authentication agent", your shell does not know the agent: start it with eval "$(ssh-agent)".`,
      };
    }
    return { problem: `Your ssh-agent holds ${held.join(', ')}, but not the key ${keyPath} (${fingerprint}). Add that one with ssh-add ${keyPath}.` };
  }
  for (const agent of holding) {
    const login = await loginWith(lab, agent.socket);
    if (login.ok) return { agent, fingerprint };
  }
  const login = await loginWith(lab, holding[0]!.socket);
  return {
    problem: `Your agent holds ${fingerprint}, but logging in to server with it failed: ${login.error}. Is the key still in ~/.ssh/authorized_keys on server?`,
  };
}

export default defineChecks({
  'start-agent': async (lab) => {
    const running = await agents(lab);
    if (!running.length) {
      return fail(`No ssh-agent of yours answers on workstation. Start one with eval "$(ssh-agent)": the eval sets SSH_AUTH_SOCK in your shell.`);
    }
    return pass(`An ssh-agent of yours answers on workstation at ${running.map((a) => a.socket).join(', ')}.`);
  },

  'add-key': async (lab) => {
    const found = await workingAgent(lab);
    if (!found.agent) return fail(found.problem!);
    return pass(`Your agent at ${found.agent.socket} holds ${found.fingerprint} and logs you in to server with no prompt at all.`);
  },

  'add-automatically': async (lab) => {
    const { settings, problem } = await clientConfig(lab, 'server');
    if (problem) return fail(problem);
    const value = settings.get('addkeystoagent') ?? 'false';
    if (value === 'false' || value === 'no') {
      return fail(
        `ssh -G server says addkeystoagent ${value}: nothing in ~/.ssh/config turns it on for server yet. Add AddKeysToAgent yes under a Host line that matches server.`,
      );
    }
    const found = await workingAgent(lab);
    if (!found.agent) {
      return fail(
        `AddKeysToAgent is on for server (addkeystoagent ${value}), but: ${found.problem!} With the option on, one ssh server that asks for the passphrase also hands the key to the agent.`,
      );
    }
    return pass(`ssh adds your key to the agent by itself (addkeystoagent ${value}), and the agent at ${found.agent.socket} holds it.`);
  },
});
