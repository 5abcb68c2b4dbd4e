import { clientConfig, clientSettings, defineChecks, fail, fileTypeName, pass } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const noteFile = '~/welcome.txt';

/** Host names in a ProxyJump value: "learner@bastion:22,other" -> ["bastion", "other"]. */
function jumpHosts(value: string): string[] {
  return value
    .split(',')
    .map((hop) =>
      hop
        .replace(/^ssh:\/\//, '')
        .replace(/^[^@]*@/, '')
        .replace(/:\d+$/, '')
        .replace(/^\[(.*)\]$/, '$1'),
    )
    .filter(Boolean);
}

export default defineChecks({
  jump: async (lab) => {
    const original = await lab.readFile('internal', noteFile);
    if (original === null) throw new Error(`${noteFile} is missing on internal; end the lab and start a new one`);
    const copied = await lab.stat(workstation, noteFile);
    if (copied && copied.type !== 'file') return fail(`${noteFile} on workstation is ${fileTypeName(copied.type)}, not a copy of internal's file.`);
    const copy = await lab.readFile(workstation, noteFile);
    if (copy === null) {
      if ((await lab.stat('bastion', noteFile)) !== null) {
        return fail(
          `${noteFile} is on bastion, not on your workstation: the copy ran from bastion. Copy it to the workstation in one go, with scp -J bastion.`,
        );
      }
      return fail(`There is no ${noteFile} on workstation yet. internal refuses direct logins; go through bastion with -J.`);
    }
    if (copy !== original)
      return fail(`${noteFile} on workstation differs from the one on internal. Copy it again with scp -J bastion internal:welcome.txt ~/`);
    return pass(`${noteFile} on workstation is internal's file: you reached internal through bastion.`);
  },

  'proxyjump-config': async (lab) => {
    const { settings: forInternal, problem } = await clientConfig(lab, 'internal');
    if (problem) return fail(problem);
    const jump = forInternal.get('proxyjump');
    const command = forInternal.get('proxycommand');
    if (!jump && !command) {
      return fail(
        `ssh -G internal shows no ProxyJump: nothing in ~/.ssh/config sends ssh internal through bastion yet. Add a Host internal block with ProxyJump bastion.`,
      );
    }
    if (jump && !jumpHosts(jump).includes('bastion')) {
      return fail(`ssh -G internal says proxyjump ${jump}: ssh would jump through ${jumpHosts(jump).join(', ')}, not bastion.`);
    }
    // ssh -G bastion hides a ProxyJump that names bastion itself; another host shows a catch-all one.
    const forOthers = await clientSettings(lab, 'workstation');
    if (forOthers.get('proxyjump') || forOthers.get('proxycommand')) {
      return fail(
        `The ProxyJump in ~/.ssh/config applies to every host (ssh -G workstation shows it too). bastion matches it as well, and reaching bastion through bastion is a loop ("jumphost loop via bastion"). Give ProxyJump to internal only.`,
      );
    }
    const login = await lab.exec(workstation, 'ssh -o BatchMode=yes -o ConnectTimeout=6 internal hostname');
    const landed = login.stdout.trim();
    if (login.code !== 0) {
      const lines = login.stderr
        .trim()
        .split('\n')
        .filter((l) => l.trim() && !/^Pseudo-terminal/.test(l));
      const why = lines.find((l) => /loop|denied|verification|refused|prohibited/i.test(l)) ?? lines.at(-1) ?? '';
      return fail(
        `ssh -G internal looks right, but ssh internal failed: "${why}". With BatchMode nothing may ask: are both host keys in known_hosts (log in once by hand)?`,
      );
    }
    if (landed !== 'internal')
      return fail(`ssh internal landed on ${landed}, not on internal. Keep HostName internal (or none): ProxyJump alone decides the way there.`);
    return pass(`ssh internal goes through bastion by itself (proxyjump ${jump ?? command}) and logs you in to internal with your key.`);
  },
});
