import { awaitSshdListening, defineChecks, fail, pass, probeKexOption, type CheckContext } from '../../src/labs/check-kit.js';

/**
 * The running sshd is judged by what it does with real connections from the workstation (which
 * methods it offers, whether keys log in); sshd -T on server says what the files would make of a
 * connection, which is what the drop-in step is about. Server-side commands run as root through
 * the backend's own login, which a learner's drop-in cannot lock out (see entrypoint.sh).
 */

const workstation = 'workstation';
const server = 'server';
const dropIns = '/etc/ssh/sshd_config.d';
/** The files the hosting company's image left; the learner's own file must sort before them. */
const imageFiles = ['50-cloud-init.conf', '60-provider.conf'];
const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

interface Attempt {
  ok: boolean;
  /** ssh's last line of complaint. */
  error: string;
  /** The methods sshd listed as able to continue ("publickey", "password"…), when it refused. */
  methods: string[] | null;
  /** Nothing listened on server's port 22. */
  refused: boolean;
}

/** One ssh from the workstation with the server's real host key, no config and no prompts. */
async function attempt(lab: CheckContext, user: string, options: string): Promise<Attempt> {
  const hostKey = lab.session.hosts.find((h) => h.name === server)!.publicKey;
  const result = await lab.exec(
    workstation,
    [
      awaitSshdListening(server),
      `kh=$(mktemp) && printf '%s\\n' ${quote(`* ${hostKey}`)} > "$kh" &&`,
      `ssh -F /dev/null ${probeKexOption} -o BatchMode=yes -o IdentityAgent=none -o UserKnownHostsFile="$kh" -o GlobalKnownHostsFile=/dev/null`,
      `-o StrictHostKeyChecking=yes -o ConnectTimeout=5 -o ConnectionAttempts=3 ${options} ${user}@server true; r=$?; rm -f "$kh"; exit $r`,
    ].join(' '),
  );
  const error = result.stderr.trim().split('\n').at(-1) ?? '';
  const denied = /Permission denied \(([^)]*)\)/.exec(result.stderr);
  return {
    ok: result.code === 0,
    error,
    methods: denied ? denied[1]!.split(',') : null,
    refused: /Connection refused|Connection closed by|kex_exchange_identification/.test(result.stderr),
  };
}

const keyLogin = (lab: CheckContext, user: string) =>
  attempt(lab, user, '-i ~/.ssh/id_ed25519 -o IdentitiesOnly=yes -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no');
/** Offers nothing but a password (BatchMode never types one): sshd's refusal lists what it would accept. */
const passwordProbe = (lab: CheckContext) => attempt(lab, 'learner', '-o PubkeyAuthentication=no -o PreferredAuthentications=password');

const rootExec = (lab: CheckContext, command: string) => lab.exec(server, command, { user: 'root' });

/** What sshd -t says about the files, or null when it accepts them. */
async function configError(lab: CheckContext): Promise<string | null> {
  const result = await rootExec(lab, '/usr/sbin/sshd -t 2>&1');
  if (result.code === 0) return null;
  return result.stdout.trim().split('\n').filter(Boolean).join(' ') || `exit status ${result.code}`;
}

/** What sshd -T says the files mean for a login from the workstation as `user`. */
async function effective(lab: CheckContext, user: string): Promise<Map<string, string>> {
  const address = lab.session.hosts.find((h) => h.name === workstation)!.address;
  const result = await rootExec(lab, `/usr/sbin/sshd -T -C user=${user},host=workstation,addr=${address} 2>/dev/null`);
  const values = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const [keyword, ...rest] = line.trim().split(' ');
    if (keyword && !values.has(keyword)) values.set(keyword, rest.join(' '));
  }
  return values;
}

/** The drop-in files in the order sshd reads them (the .conf ones), and the ones it skips. */
async function listDropIns(lab: CheckContext): Promise<{ read: string[]; skipped: string[] }> {
  const result = await rootExec(lab, `cd ${dropIns} && LC_ALL=C ls -1A`);
  const names = result.stdout.split('\n').filter(Boolean);
  return { read: names.filter((n) => n.endsWith('.conf')), skipped: names.filter((n) => !n.endsWith('.conf')) };
}

/** The first file (in reading order) that sets a keyword, and its value. */
async function firstSetting(lab: CheckContext, keyword: string, files: string[]): Promise<{ file: string; value: string } | null> {
  for (const file of files) {
    const text = (await rootExec(lab, `cat ${dropIns}/${quote(file)}`)).stdout;
    for (const line of text.split('\n')) {
      const [key, value] = line.trim().split(/\s+/);
      if (key && key.toLowerCase() === keyword.toLowerCase()) return { file, value: value ?? '' };
    }
  }
  return null;
}

/** Why the files do not (yet) turn passwords off and keep root to keys, or null when they do. */
async function dropInProblem(lab: CheckContext): Promise<string | null> {
  const error = await configError(lab);
  if (error) {
    return `sshd -t on server refuses the configuration: ${error}. Fix that line first; a reload with it would stop sshd.`;
  }
  const { read, skipped } = await listDropIns(lab);
  const learnerFiles = read.filter((n) => !imageFiles.includes(n));
  const [learnerSettings, rootSettings] = await Promise.all([effective(lab, 'learner'), effective(lab, 'root')]);
  if (learnerSettings.get('passwordauthentication') !== 'no') {
    const mine = await firstSetting(lab, 'PasswordAuthentication', learnerFiles);
    const winner = await firstSetting(lab, 'PasswordAuthentication', read);
    if (mine && mine.value.toLowerCase() === 'no' && winner && winner.file !== mine.file) {
      return `Your ${mine.file} says PasswordAuthentication no, but it sorts after ${winner.file}, which sshd reads first, and the first value wins: sshd -T still says passwordauthentication yes. Rename yours so that it sorts first, e.g. ${dropIns}/10-hardening.conf.`;
    }
    if (skipped.length) {
      return `sshd only reads files ending in .conf from ${dropIns}; it skips ${skipped.join(', ')}. Rename it, e.g. to 10-hardening.conf.`;
    }
    return `sshd -T on server still says passwordauthentication yes for a login from the workstation: no drop-in before 50-cloud-init.conf turns it off. Write PasswordAuthentication no into ${dropIns}/10-hardening.conf.`;
  }
  const rootLogin = rootSettings.get('permitrootlogin');
  if (rootLogin === 'yes') {
    return `Passwords are off, but sshd -T still says PermitRootLogin yes for root (60-provider.conf sets it): if passwords ever come back, root takes them too. Add PermitRootLogin prohibit-password to your drop-in.`;
  }
  if (rootLogin === 'no') {
    return `Your drop-in makes it PermitRootLogin no: after a reload root cannot log in at all, and this server has no sudo to get it back. Use PermitRootLogin prohibit-password (keys only).`;
  }
  return null;
}

export default defineChecks({
  'root-key': async (lab) => {
    // The commands a refusal's explanation needs are cheap: they run beside the root login, not after it.
    const [root, listed, ownKey] = await Promise.all([
      keyLogin(lab, 'root'),
      rootExec(lab, 'ssh-keygen -l -f ~/.ssh/authorized_keys 2>/dev/null'),
      lab.exec(workstation, 'ssh-keygen -l -f ~/.ssh/id_ed25519.pub'),
    ]);
    if (root.ok) return pass('root@server lets your key in: you have root without a password.');
    if (root.refused) return fail(`Nothing answers on server's port 22: sshd is not running there (${root.error}).`);
    const learner = await keyLogin(lab, 'learner');
    const mine = ownKey.stdout.split(/\s+/)[1] ?? '';
    if (listed.stdout.includes(mine) && mine) {
      return fail(`Your key is in root's ~/.ssh/authorized_keys on server, yet root's key login fails: ${root.error}.`);
    }
    return fail(
      `Your key logs in as ${learner.ok ? 'learner, but' : 'nobody, and'} not for root: root's ~/.ssh/authorized_keys on server does not list it. Run ssh-copy-id root@server (root's password is the session password).`,
    );
  },

  'drop-in': async (lab) => {
    const problem = await dropInProblem(lab);
    if (problem) return fail(problem);
    return pass('sshd -t accepts the configuration, and sshd -T says passwordauthentication no and permitrootlogin without-password (prohibit-password).');
  },

  reload: async (lab) => {
    // The files are read (cheap commands over the backend's open connection) beside the probe login, not after it.
    const [probe, problem] = await Promise.all([passwordProbe(lab), dropInProblem(lab)]);
    if (probe.refused) {
      const error = await configError(lab);
      return fail(
        `sshd on server is not running: nothing answers on port 22 (${probe.error}).${error ? ` sshd -t says why it cannot start: ${error}.` : ''} Your open root session still works: fix the file, check it with sshd -t, and start sshd again with /usr/sbin/sshd. If you closed that session, you are locked out, as on a real server: end the lab and start it again.`,
      );
    }
    if (probe.methods?.includes('password')) {
      return fail(
        problem
          ? `sshd on server still offers password logins (it said: ${probe.methods.join(',')}), and its files still allow them: ${problem}`
          : `sshd on server still offers password logins (it said: ${probe.methods.join(',')}): it has not reloaded since you wrote the drop-in. Send it SIGHUP: kill -HUP "$(cat /run/sshd.pid)" as root on server.`,
      );
    }
    // Two logins at once, not one after the other: neither can be skipped when the step passes.
    const [learner, root] = await Promise.all([keyLogin(lab, 'learner'), keyLogin(lab, 'root')]);
    if (!root.ok) {
      const rootLogin = (await effective(lab, 'root')).get('permitrootlogin');
      if (rootLogin === 'no') {
        return fail(
          `Passwords are off, but root cannot log in any more: PermitRootLogin no refuses root even with a key, and there is no sudo here. Set PermitRootLogin prohibit-password from a root session that is still open, and reload.`,
        );
      }
      return fail(`Passwords are off, but root's key login fails now: ${root.error}.`);
    }
    if (!learner.ok) return fail(`Passwords are off, but your key no longer logs in as learner: ${learner.error}.`);
    if (problem) return fail(`The running sshd refuses passwords, but: ${problem}`);
    return pass(
      'The running sshd offers publickey only: a password login is refused before any password is asked, and your key logs in as learner and as root.',
    );
  },
});
