import { awaitSshdListening, defineChecks, fail, pass, probeKexOption, type CheckContext } from '../../src/labs/check-kit.js';

/**
 * Certificates are read with ssh-keygen -L (user certificate on the workstation, host
 * certificate as server presents it to ssh-keyscan -c); logins are real ssh runs from the
 * workstation, with -v to see that sshd accepted the certificate and not a plain key.
 */

const workstation = 'workstation';
const server = 'server';
const userCert = '~/.ssh/id_ed25519-cert.pub';
const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

interface Certificate {
  kind: 'user' | 'host' | 'unknown';
  /** SHA256 fingerprint of the certified key and of the CA that signed it. */
  key: string;
  ca: string;
  principals: string[];
  /** Seconds since the epoch; null means no bound. */
  from: number | null;
  to: number | null;
}

/** ssh-keygen -L of a certificate given on stdin (so that a file or a scan can feed it). */
async function readCertificate(lab: CheckContext, host: string, feed: string): Promise<Certificate | null> {
  const result = await lab.exec(host, `${feed} | ssh-keygen -L -f - 2>/dev/null`);
  if (result.code !== 0 || !/Type: .*certificate/.test(result.stdout)) return null;
  const text = result.stdout;
  const field = (name: string) => new RegExp(`^\\s*${name}: (.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  const principals: string[] = [];
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^\s*Principals:/.test(l));
  for (const line of lines.slice(start + 1)) {
    if (!/^\s{12,}\S/.test(line) && !/^\t\t\S/.test(line)) break;
    principals.push(line.trim());
  }
  const valid = field('Valid');
  const dates = /from (\S+) to (\S+)/.exec(valid);
  const epoch = (stamp: string) => (stamp === 'forever' ? null : Math.floor(Date.parse(`${stamp}Z`) / 1000));
  return {
    kind: /user certificate/.test(field('Type')) ? 'user' : /host certificate/.test(field('Type')) ? 'host' : 'unknown',
    key: field('Public key').split(/\s+/)[1] ?? '',
    ca: field('Signing CA').split(/\s+/)[1] ?? '',
    principals,
    from: valid === 'forever' || !dates ? null : epoch(dates[1]!),
    to: valid === 'forever' || !dates ? null : epoch(dates[2]!),
  };
}

async function fingerprint(lab: CheckContext, host: string, path: string): Promise<string> {
  const result = await lab.exec(host, `ssh-keygen -l -f ${path} 2>/dev/null`);
  return result.stdout.trim().split(/\s+/)[1] ?? '';
}

/** The host's clock (the containers share this machine's), in seconds. */
async function now(lab: CheckContext): Promise<number> {
  return Number((await lab.exec(workstation, 'date +%s')).stdout.trim());
}

function validity(cert: Certificate, at: number): string | null {
  const show = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
  if (cert.to !== null && cert.to <= at) return `it expired at ${show(cert.to)}`;
  if (cert.from !== null && cert.from > at) return `it is not valid before ${show(cert.from)}`;
  return null;
}

/** What is wrong with ~/.ssh/id_ed25519-cert.pub for logging in to learner@server, or null. */
async function userCertProblem(lab: CheckContext): Promise<string | null> {
  if (!(await lab.stat(workstation, userCert))) {
    return `There is no ${userCert} on workstation yet: sign ~/.ssh/id_ed25519.pub with ssh-keygen -s ~/ca/user_ca.`;
  }
  const cert = await readCertificate(lab, workstation, `cat ${userCert}`);
  if (!cert) return `${userCert} on workstation is not a certificate ssh-keygen -L can read.`;
  if (cert.kind !== 'user') return `${userCert} is a ${cert.kind} certificate; a login needs a user certificate (sign without -h).`;
  const [mine, userCa] = await Promise.all([fingerprint(lab, workstation, '~/.ssh/id_ed25519.pub'), fingerprint(lab, workstation, '~/ca/user_ca.pub')]);
  if (cert.key !== mine) return `${userCert} certifies another key (${cert.key}), not ~/.ssh/id_ed25519.pub (${mine}); ssh offers it only with its own key.`;
  if (cert.ca !== userCa) {
    return `${userCert} is signed by the CA ${cert.ca}, not by ~/ca/user_ca (${userCa}), the one server is to trust: sshd refuses a certificate from a CA it does not know. Sign again with -s ~/ca/user_ca.`;
  }
  if (!cert.principals.includes('learner')) {
    const named = cert.principals.length ? `names the principals ${cert.principals.join(', ')}` : 'names no principal';
    return `${userCert} ${named}: sshd lets a certificate log in only as a user it names. Sign again with -n learner.`;
  }
  const timing = validity(cert, await now(lab));
  if (timing) return `${userCert} is signed right, but ${timing}: sshd refuses it outside its validity. Sign again with -V +1h.`;
  return null;
}

interface Login {
  ok: boolean;
  /** sshd accepted a certificate (ssh -v: "Server accepts key: … ED25519-CERT …"). */
  withCertificate: boolean;
  error: string;
  refused: boolean;
}

/**
 * learner@server from the workstation with ~/.ssh/id_ed25519 and its certificate only, no
 * agent, no password, and a known_hosts file of the caller's choosing.
 */
async function certLogin(lab: CheckContext, knownHosts: ReturnType<typeof withKnownHosts>): Promise<Login> {
  const result = await lab.exec(
    workstation,
    [
      awaitSshdListening(server),
      knownHosts.before,
      `ssh -v -F /dev/null ${probeKexOption} -i ~/.ssh/id_ed25519 -o CertificateFile=${userCert} -o IdentitiesOnly=yes -o IdentityAgent=none`,
      `-o BatchMode=yes -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no ${knownHosts.option}`,
      `-o StrictHostKeyChecking=yes -o ConnectTimeout=5 -o ConnectionAttempts=3 learner@server true${knownHosts.after}`,
    ].join(' '),
  );
  const lines = result.stderr.split('\n');
  return {
    ok: result.code === 0,
    withCertificate: lines.some((l) => /Server accepts key: .*-CERT/.test(l)),
    error:
      lines
        .filter((l) => !l.startsWith('debug'))
        .map((l) => l.trim())
        .filter(Boolean)
        .at(-1) ?? '',
    refused: /Connection refused/.test(result.stderr),
  };
}

/**
 * A known_hosts file (made by `script`, a shell snippet printing its lines) for one ssh run: ssh
 * reads it more than once, so a pipe (<(…)) would not do.
 */
function withKnownHosts(script: string): { before: string; option: string; after: string } {
  return {
    before: `kh=$(mktemp) && { ${script}; } > "$kh";`,
    option: '-o UserKnownHostsFile="$kh" -o GlobalKnownHostsFile=/dev/null',
    after: '; r=$?; rm -f "$kh"; exit $r',
  };
}

/** Only server's real host key: the user side tested on its own. */
function pinnedHostKey(lab: CheckContext) {
  const hostKey = lab.session.hosts.find((h) => h.name === server)!.publicKey;
  return withKnownHosts(`printf '%s\\n' ${quote(`server ${hostKey}`)}`);
}

const rootExec = (lab: CheckContext, command: string) => lab.exec(server, command, { user: 'root' });

/** sshd -T's values for a keyword on server (root): what the files say, not what is loaded. */
async function sshdSetting(lab: CheckContext, keyword: string): Promise<string[]> {
  const result = await rootExec(lab, `/usr/sbin/sshd -T 2>/dev/null | awk '$1 == "${keyword}" { $1 = ""; print substr($0, 2) }'`);
  return result.stdout.split('\n').filter(Boolean);
}

/** Why server's running sshd refused the (good) certificate. */
async function serverSideProblem(lab: CheckContext, login: Login): Promise<string> {
  if (login.refused)
    return `sshd on server is not running: nothing answers on port 22. Fix the configuration (sshd -t says what is wrong) and start it with /usr/sbin/sshd from a root session.`;
  const check = await rootExec(lab, '/usr/sbin/sshd -t 2>&1');
  if (check.code !== 0) return `sshd -t on server refuses the configuration: ${check.stdout.trim().split('\n')[0]}.`;
  const files = (await sshdSetting(lab, 'trustedusercakeys')).filter((f) => f !== 'none');
  if (!files.length) {
    return `server does not trust any user CA yet (sshd -T: trustedusercakeys none). Copy ~/ca/user_ca.pub to /etc/ssh/ca/ and name it with TrustedUserCAKeys in a drop-in.`;
  }
  const userCa = await fingerprint(lab, workstation, '~/ca/user_ca.pub');
  const trusted = await rootExec(lab, `ssh-keygen -l -f ${quote(files[0]!)} 2>&1`);
  if (!trusted.stdout.includes(userCa)) {
    const shown = trusted.code === 0 ? trusted.stdout.trim().split(/\s+/)[1] : trusted.stdout.trim();
    return `server trusts a CA that did not sign your certificate: ${files[0]} holds ${shown}, but your certificate comes from ~/ca/user_ca (${userCa}). Copy ~/ca/user_ca.pub there.`;
  }
  return `server's files trust ~/ca/user_ca (${files[0]}), but the running sshd still refuses your certificate (${login.error}): it has not reloaded since. Send it SIGHUP as root: kill -HUP "$(cat /run/sshd.pid)".`;
}

export default defineChecks({
  sign: async (lab) => {
    const problem = await userCertProblem(lab);
    if (problem) return fail(problem);
    return pass(`${userCert} is a user certificate for learner, signed by ~/ca/user_ca and valid now.`);
  },

  'trust-ca': async (lab) => {
    const certificate = await userCertProblem(lab);
    if (certificate) return fail(`First the certificate: ${certificate}`);
    const listed = await lab.exec(server, 'ssh-keygen -l -f ~/.ssh/authorized_keys 2>/dev/null | wc -l');
    const login = await certLogin(lab, pinnedHostKey(lab));
    if (!login.ok) return fail(await serverSideProblem(lab, login));
    if (!login.withCertificate) return fail(`learner@server logs in, but with a plain key (ssh -v shows no -CERT key accepted), not with the certificate.`);
    if (Number(listed.stdout.trim()) > 0) {
      return fail(
        `The certificate logs in, but ~/.ssh/authorized_keys of learner on server lists keys too: remove it (ssh server rm .ssh/authorized_keys) so that only the CA decides.`,
      );
    }
    return pass('learner@server accepts your certificate (ssh -v: ED25519-CERT), and learner has no authorized_keys there: the CA alone lets you in.');
  },

  'host-cert': async (lab) => {
    const presented = await readCertificate(lab, workstation, `${awaitSshdListening(server)} ssh-keyscan -c -t ed25519 server 2>/dev/null | grep -v '^#'`);
    const hostCa = await fingerprint(lab, workstation, '~/ca/host_ca.pub');
    if (!presented) {
      const configured = await sshdSetting(lab, 'hostcertificate');
      const file = configured[0] ? await readCertificate(lab, server, `cat ${quote(configured[0])}`) : null;
      if (file && file.kind !== 'host') {
        return fail(
          `${configured[0]} on server is a ${file.kind} certificate: the host key was signed without -h, and sshd serves only host certificates. Sign it again with -h.`,
        );
      }
      return fail(
        configured.length
          ? `server presents no host certificate, though its files name ${configured.join(', ')}: sshd has not reloaded since, or cannot load it (does it certify server's host key?). Run sshd -t and kill -HUP "$(cat /run/sshd.pid)" as root on server.`
          : `server presents no host certificate yet: sign its host key with ssh-keygen -s ~/ca/host_ca -h, copy the certificate to server and name it with HostCertificate in a drop-in.`,
      );
    }
    if (presented.kind !== 'host')
      return fail(
        `server presents a ${presented.kind} certificate: its host key was signed without -h, and ssh accepts only host certificates from a server. Sign it again with -h.`,
      );
    if (presented.ca !== hostCa) return fail(`server's host certificate is signed by ${presented.ca}, not by ~/ca/host_ca (${hostCa}).`);
    if (!presented.principals.includes('server')) {
      return fail(
        `server's host certificate names ${presented.principals.join(', ') || 'no host'}; ssh checks it against the name you type. Sign it again with -n server.`,
      );
    }
    const timing = validity(presented, await now(lab));
    if (timing) return fail(`server's host certificate is signed right, but ${timing}.`);
    const caLines = await lab.exec(workstation, `grep -E '^@cert-authority[[:space:]]' ~/.ssh/known_hosts 2>/dev/null`);
    if (!caLines.stdout.trim()) {
      const bare = await lab.exec(workstation, `grep -c -F "$(cut -d' ' -f2 ~/ca/host_ca.pub)" ~/.ssh/known_hosts 2>/dev/null`);
      return fail(
        Number(bare.stdout.trim()) > 0
          ? `~/.ssh/known_hosts has the host CA's key, but without the @cert-authority marker in front: ssh then takes it for one host's own key. Write the line as @cert-authority * followed by the key.`
          : `~/.ssh/known_hosts on workstation has no @cert-authority line: add @cert-authority * followed by the contents of ~/ca/host_ca.pub.`,
      );
    }
    const login = await certLogin(lab, withKnownHosts(`grep -E '^@cert-authority[[:space:]]' ~/.ssh/known_hosts`));
    if (!login.ok) {
      if (/Host key verification failed|No .* host key is known/.test(login.error) || !login.error.includes('Permission denied')) {
        return fail(
          `With only its @cert-authority lines, ~/.ssh/known_hosts does not vouch for server: ${login.error}. The line must name server (or *) and hold ~/ca/host_ca.pub (${hostCa}).`,
        );
      }
      return fail(`server's host certificate is trusted, but the login as learner fails: ${login.error}.`);
    }
    const everyday = await lab.exec(workstation, 'ssh -o BatchMode=yes -o ConnectTimeout=5 -o ConnectionAttempts=3 server true 2>&1');
    if (everyday.code !== 0) return fail(`The host CA vouches for server, yet a plain ssh server asks or fails: ${everyday.stdout.trim().split('\n').at(-1)}.`);
    return pass('server presents a host certificate from ~/ca/host_ca for the name server, and your known_hosts trusts that CA: no host-key question.');
  },
});
