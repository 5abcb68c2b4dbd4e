import { clientSettings, defineChecks, fail, octal, pass, type CheckContext } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const server = 'server';
const alias = 'web';
const key = '~/.ssh/web_ed25519';
const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** `ssh web true` with nothing but the learner's config: batch mode, so no password can stand in for the key. */
async function aliasLogin(lab: CheckContext): Promise<{ ok: boolean; error: string }> {
  const hostKey = lab.session.hosts.find((h) => h.name === server)!.publicKey;
  const result = await lab.exec(
    workstation,
    [
      `kh=$(mktemp) && printf '%s\\n' ${quote(`* ${hostKey}`)} > "$kh" &&`,
      `ssh -o BatchMode=yes -o IdentityAgent=none -o UserKnownHostsFile="$kh" -o StrictHostKeyChecking=yes -o ConnectTimeout=5 ${alias} true;`,
      `r=$?; rm -f "$kh"; exit $r`,
    ].join(' '),
  );
  return { ok: result.code === 0, error: result.stderr.trim().split('\n').filter((l) => !l.startsWith('Pseudo-terminal')).at(-1) ?? '' };
}

export default defineChecks({
  'write-alias': async (lab) => {
    const path = '~/.ssh/config';
    const file = await lab.stat(workstation, path);
    if (!file) return fail(`There is no ${path} on workstation yet.`);
    if (file.type !== 'file') return fail(`${path} on workstation is a ${file.type}, not a file.`);
    const config = await clientSettings(lab, alias);
    if (!config.ok) {
      if (/Bad owner or permissions/.test(config.error)) {
        return fail(`${path} on workstation is mode ${octal(file.mode)}: other users can write it, so ssh refuses to use it ("Bad owner or permissions"). Run chmod 600 ~/.ssh/config.`);
      }
      return fail(`ssh cannot read ${path}: ${config.reason || 'ssh -G failed'}. Fix that line.`);
    }
    if (file.mode & 0o022) {
      return fail(
        `${path} on workstation is mode ${octal(file.mode)}: it is group-writable. Debian's ssh lets that pass because your group has no other members, but stock OpenSSH refuses such a file. Run chmod 600 ~/.ssh/config.`,
      );
    }
    const one = (keyword: string) => config.get(keyword) ?? '';
    const hostname = one('hostname');
    if (hostname !== server) {
      return fail(
        hostname === alias
          ? `ssh -G web says hostname web: no HostName applies to web, so ssh would look for a machine called web. Start the entry with Host web and give it HostName server.`
          : `ssh -G web says hostname ${hostname}, but the machine is server. Set HostName server in the Host web entry.`,
      );
    }
    const port = one('port');
    if (port !== '2222') return fail(`ssh -G web says port ${port}; this lab wants the server's port 2222. Add Port 2222 to the Host web entry.`);
    const user = one('user');
    if (user !== 'learner') return fail(`ssh -G web says user ${user}; your account on server is learner. Set User learner.`);
    const identities = config.all('identityfile');
    const wanted = [key, '/home/learner/.ssh/web_ed25519'];
    if (!identities.some((id) => wanted.includes(id))) {
      if (identities.some((id) => id.endsWith('web_ed25519.pub'))) {
        return fail(`IdentityFile points at ${key}.pub, the public half. IdentityFile names the private key: IdentityFile ${key}.`);
      }
      return fail(`ssh -G web lists no ${key} among its identity files (${identities.join(', ') || 'none'}), so ssh would only try its default keys. Add IdentityFile ~/.ssh/web_ed25519.`);
    }
    const login = await aliasLogin(lab);
    if (!login.ok) return fail(`ssh web finds the right settings, but ssh -o BatchMode=yes web true failed on workstation: ${login.error || 'no reason given'}.`);
    return pass(`ssh web reaches server as learner on port 2222 with ${key}, no password and no other arguments.`);
  },

  'use-alias': async (lab) => {
    const target = '~/index.html';
    const [local, remote] = await Promise.all([
      lab.exec(workstation, `cd ~ && test -f index.html && sha256sum < index.html`),
      lab.exec(server, `cd ~ && sha256sum < site/index.html`),
    ]);
    if (remote.code !== 0) return fail('~/site/index.html on server is missing; it is the page to copy. Was it moved?');
    if (local.code !== 0) {
      const found = await lab.exec(workstation, `cd ~ && find . -name index.html -type f -printf '~/%P\\n'`);
      const elsewhere = found.stdout.split('\n').filter(Boolean);
      if (elsewhere.length) return fail(`index.html is on workstation as ${elsewhere.join(', ')}; the lab wants it directly in your home directory, as ${target}.`);
      return fail(`There is no ${target} on workstation yet. The page is ~/site/index.html on server, so the source is web:site/index.html.`);
    }
    if (local.stdout.split(' ')[0] !== remote.stdout.split(' ')[0]) return fail(`${target} on workstation differs from ~/site/index.html on server. Copy it again.`);
    return pass(`${target} on workstation is an exact copy of the server's page.`);
  },
});
