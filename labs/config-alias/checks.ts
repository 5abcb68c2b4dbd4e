import { clientConfig, defineChecks, fail, pass, sshProbe } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const server = 'server';
const alias = 'web';
const key = '~/.ssh/web_ed25519';

export default defineChecks({
  'write-alias': async (lab) => {
    const { settings: config, problem } = await clientConfig(lab, alias);
    if (problem) return fail(problem);
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
      return fail(
        `ssh -G web lists no ${key} among its identity files (${identities.join(', ') || 'none'}), so ssh would only try its default keys. Add IdentityFile ~/.ssh/web_ed25519.`,
      );
    }
    // `ssh web true` with nothing but the learner's config: BatchMode, so no password can stand in for the key.
    const login = await sshProbe(lab, { to: alias, hostKeyOf: server, identity: { config: true } });
    if (!login.ok)
      return fail(`ssh web finds the right settings, but ssh -o BatchMode=yes web true failed on workstation: ${login.error || 'no reason given'}.`);
    return pass(`ssh web reaches server as learner on port 2222 with ${key}, no password and no other arguments.`);
  },

  'use-alias': async (lab) => {
    const target = '~/index.html';
    const [local, remote] = await Promise.all([
      lab.exec(workstation, `cd ~ && test -f index.html && test ! -L index.html && sha256sum < index.html`),
      lab.exec(server, `cd ~ && sha256sum < site/index.html`),
    ]);
    if (remote.code !== 0) return fail('~/site/index.html on server is missing; it is the page to copy. Was it moved?');
    if (local.code !== 0) {
      const found = await lab.exec(workstation, `cd ~ && find . -name index.html -type f -printf '~/%P\\n'`);
      const elsewhere = found.stdout.split('\n').filter(Boolean);
      if (elsewhere.length)
        return fail(`index.html is on workstation as ${elsewhere.join(', ')}; the lab wants it directly in your home directory, as ${target}.`);
      return fail(`There is no ${target} on workstation yet. The page is ~/site/index.html on server, so the source is web:site/index.html.`);
    }
    if (local.stdout.split(' ')[0] !== remote.stdout.split(' ')[0])
      return fail(`${target} on workstation differs from ~/site/index.html on server. Copy it again.`);
    return pass(`${target} on workstation is an exact copy of the server's page.`);
  },
});
