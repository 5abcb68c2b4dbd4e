import { clientSettings, defineChecks, fail, pass, probeKexOption, type CheckContext } from '../../src/labs/check-kit.js';

/**
 * What a key may do is tested by asking: the server side of a push (git-receive-pack) answers
 * with its "report-status" capability only if the key may push, and a terminal request fails with
 * "PTY allocation request failed" only under no-pty. The repository is read as root on gitserver.
 */

const workstation = 'workstation';
const gitserver = 'gitserver';
const repo = '/home/git/project.git';
const gitAuthorizedKeys = '/home/git/.ssh/authorized_keys';
const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** Options for an ssh that uses one key only, no config, no agent, the real host key. */
function sshWith(lab: CheckContext, key: string): { before: string; ssh: string; after: string } {
  const hostKey = lab.session.hosts.find((h) => h.name === gitserver)!.publicKey;
  return {
    before: `export kh=$(mktemp) && printf '%s\\n' ${quote(`* ${hostKey}`)} > "$kh";`,
    ssh: `ssh -F /dev/null ${probeKexOption} -i ${key} -o IdentitiesOnly=yes -o IdentityAgent=none -o BatchMode=yes -o UserKnownHostsFile=$kh -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o ConnectTimeout=5`,
    after: '; r=$?; rm -f "$kh"; exit $r',
  };
}

const git = (lab: CheckContext, args: string) => lab.exec(gitserver, `git -c safe.directory='*' --git-dir=${repo} ${args}`, { user: 'root' });

async function fingerprint(lab: CheckContext, path: string): Promise<string> {
  return (await lab.exec(workstation, `ssh-keygen -l -f ${path} 2>/dev/null`)).stdout.trim().split(/\s+/)[1] ?? '';
}

/** Fingerprints of the keys git's authorized_keys lists. */
async function gitKeys(lab: CheckContext): Promise<string[]> {
  const result = await lab.exec(gitserver, `ssh-keygen -l -f ${gitAuthorizedKeys} 2>/dev/null`, { user: 'root' });
  return result.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[1] ?? '')
    .filter((f) => f.startsWith('SHA256:'));
}

export default defineChecks({
  'clone-push': async (lab) => {
    const count = Number((await git(lab, 'rev-list --count main')).stdout.trim());
    if (count >= 2) return pass(`main on gitserver has ${count} commits: your push arrived.`);
    const clone = await lab.exec(
      workstation,
      'git -C ~/project rev-parse --is-inside-work-tree 2>/dev/null && git -C ~/project remote get-url origin && git -C ~/project rev-list --count HEAD',
    );
    if (clone.code !== 0) return fail(`There is no clone at ~/project on workstation yet: git clone git@gitserver:project.git.`);
    const [, url, local] = clone.stdout.trim().split('\n');
    if (Number(local) > count) {
      return fail(
        `~/project (origin ${url}) has ${Number(local) - count} commit(s) that gitserver does not: committed, but not pushed. Run git push in ~/project.`,
      );
    }
    return fail(`~/project is cloned from ${url}, but holds no new commit yet: change a file, git commit -am "…", then git push.`);
  },

  'deploy-key': async (lab) => {
    const key = '~/.ssh/deploy_key';
    if (!(await lab.stat(workstation, key))) return fail(`There is no ${key} on workstation yet.`);
    if ((await lab.exec(workstation, `ssh-keygen -y -P '' -f ${key} >/dev/null 2>&1`)).code !== 0) {
      return fail(`${key} has a passphrase: a CI job has nobody to type it. Make it again with -N ''.`);
    }
    const mine = await fingerprint(lab, `${key}.pub`);
    if (!(await gitKeys(lab)).includes(mine)) {
      return fail(`${gitAuthorizedKeys} on gitserver does not list ${key}.pub (${mine}): append its line there as root.`);
    }
    const { before, ssh, after } = sshWith(lab, key);
    const fetch = await lab.exec(workstation, `${before} GIT_SSH_COMMAND=${quote(ssh)} git ls-remote git@gitserver:project.git${after}`);
    if (fetch.code !== 0) {
      const said =
        fetch.stderr
          .split('\n')
          .map((l) => l.trim())
          .find((l) => l.startsWith('fatal:')) ?? fetch.stderr.trim().split('\n')[0];
      return fail(
        `The deploy key cannot fetch project.git: git ls-remote says ${said} A forced command runs through the account's login shell, git-shell, which runs git's own commands only: make it command="git-upload-pack 'project.git'".`,
      );
    }
    const push = await lab.exec(workstation, `${before} ${ssh} git@gitserver "git-receive-pack 'project.git'" </dev/null 2>/dev/null | head -c 2000${after}`);
    if (push.stdout.includes('report-status')) {
      return fail(
        `The deploy key can push: asked for git-receive-pack, gitserver ran it. Force the fetch side with command="git-upload-pack 'project.git'" in front of the key.`,
      );
    }
    const terminal = await lab.exec(
      workstation,
      `${before} timeout 3 ${ssh} -tt git@gitserver "git-upload-pack 'project.git'" </dev/null 2>&1 | head -c 4000${after}`,
    );
    if (!/PTY allocation request failed/.test(terminal.stdout)) {
      return fail(
        `The deploy key only fetches, but still gets a terminal when it asks for one: add no-pty (or restrict, which includes it) in front of the key.`,
      );
    }
    return pass(`${key} fetches project.git and nothing else: a push runs git-upload-pack instead, and no terminal is given.`);
  },

  identities: async (lab) => {
    const deploy = await clientSettings(lab, 'gitserver-deploy');
    if (!deploy.ok) return fail(`ssh cannot read ~/.ssh/config: ${deploy.reason}`);
    const files = deploy.all('identityfile');
    if (deploy.get('hostname') !== 'gitserver' || deploy.get('user') !== 'git') {
      return fail(
        `ssh -G gitserver-deploy says hostname ${deploy.get('hostname')}, user ${deploy.get('user')}: the alias needs HostName gitserver and User git.`,
      );
    }
    if (!files.some((f) => /deploy_key$/.test(f))) {
      return fail(`gitserver-deploy uses ${files.join(', ') || 'the default keys'}, not ~/.ssh/deploy_key: give it IdentityFile ~/.ssh/deploy_key.`);
    }
    if (deploy.get('identitiesonly') !== 'yes') {
      return fail(
        `gitserver-deploy has no IdentitiesOnly yes: with an agent holding your personal key, ssh offers that key first and the CI would log in as you. Add IdentitiesOnly yes to the Host gitserver-deploy block.`,
      );
    }
    const personal = await clientSettings(lab, 'gitserver');
    if (personal.get('user') !== 'git' || !personal.all('identityfile').some((f) => /id_ed25519$/.test(f)) || personal.get('identitiesonly') !== 'yes') {
      return fail(
        `Host gitserver should say User git, IdentityFile ~/.ssh/id_ed25519 and IdentitiesOnly yes (ssh -G gitserver says user ${personal.get('user')}, identitiesonly ${personal.get('identitiesonly')}).`,
      );
    }
    // As on a machine whose agent holds the personal key: which key does the alias log in with?
    const deployPrint = await fingerprint(lab, '~/.ssh/deploy_key.pub');
    const withAgent = await lab.exec(
      workstation,
      `eval "$(ssh-agent -s)" >/dev/null && ssh-add -q ~/.ssh/id_ed25519 2>/dev/null; ssh -v -o BatchMode=yes -o ConnectTimeout=5 gitserver-deploy "git-upload-pack 'project.git'" </dev/null 2>&1 >/dev/null | grep 'Server accepts key'; ssh-agent -k >/dev/null 2>&1`,
    );
    if (!withAgent.stdout.includes(deployPrint)) {
      return fail(
        `With an agent holding your personal key, ssh gitserver-deploy logs in with another key than ~/.ssh/deploy_key (${withAgent.stdout.trim() || 'no login'}).`,
      );
    }
    const checkout = await lab.exec(workstation, 'git -C ~/deploy-checkout remote get-url origin 2>/dev/null');
    if (checkout.code !== 0) return fail(`The aliases are right; now clone as the CI job would: git clone gitserver-deploy:project.git deploy-checkout.`);
    return pass(`gitserver-deploy logs in with ~/.ssh/deploy_key only, even beside an agent, and ~/deploy-checkout was cloned from ${checkout.stdout.trim()}.`);
  },
});
