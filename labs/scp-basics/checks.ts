import { defineChecks, fail, pass, shellQuote, type CheckContext } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const server = 'server';

/**
 * sha256 and line count of a regular file under the user's home on a host; null when there is
 * none, 'link' when the path is a symbolic link (a link to a copy elsewhere is not a copy here).
 */
async function digest(lab: CheckContext, host: string, path: string): Promise<{ hash: string; lines: number } | 'link' | null> {
  const relative = shellQuote(path.replace(/^~\//, ''));
  const result = await lab.exec(host, `cd ~ && { ! test -L ${relative} || exit 3; } && test -f ${relative} && sha256sum < ${relative} && wc -l < ${relative}`);
  if (result.code === 3) return 'link';
  if (result.code !== 0) return null;
  const [hash = '', lines = '0'] = result.stdout.trim().split('\n');
  return { hash: hash.split(' ')[0]!, lines: Number(lines.trim()) };
}

/** Paths (as ~/…) of files with this name anywhere in the home directory on a host. */
async function findByName(lab: CheckContext, host: string, name: string): Promise<string[]> {
  const result = await lab.exec(host, `cd ~ && find . -name ${shellQuote(name)} -type f -printf '~/%P\\n' 2>/dev/null`);
  return result.stdout.split('\n').filter(Boolean);
}

export default defineChecks({
  upload: async (lab) => {
    const source = await digest(lab, workstation, '~/report.txt');
    if (!source || source === 'link') return fail('~/report.txt on workstation is missing; it is the file to upload. (Did you move it instead of copying?)');
    const target = '~/inbox/report.txt';
    const copy = await digest(lab, server, target);
    if (copy === 'link')
      return fail(
        `${target} on server is a symbolic link, not a copy. Remove it (ssh server rm ${target.slice(2)}) and upload the file into ~/inbox itself: scp ~/report.txt server:inbox/.`,
      );
    if (!copy) {
      const local = await lab.exec(workstation, `cd ~ && find . -maxdepth 1 -type f -name 'server*' -printf '~/%P\\n'`);
      const stray = local.stdout.split('\n').filter(Boolean)[0];
      if (stray) {
        return fail(
          `There is a file ${stray} on workstation: with no colon after the host name, scp treats "server" as a local file name and copies on your own machine. Write server:inbox/ as the target.`,
        );
      }
      const inbox = await lab.stat(server, '~/inbox');
      if (inbox && inbox.type !== 'directory')
        return fail(
          `~/inbox on server is now a ${inbox.type}, not a folder. Remove it (ssh server rm inbox), make the folder again (ssh server mkdir inbox) and upload into it.`,
        );
      const elsewhere = await findByName(lab, server, 'report.txt');
      if (elsewhere.length) {
        return fail(
          `report.txt is on server as ${elsewhere.join(', ')}, not in ~/inbox. The path after the colon is where it goes, relative to your home directory: server:inbox/.`,
        );
      }
      return fail(`There is no ${target} on server yet.`);
    }
    if (copy.hash !== source.hash) return fail(`${target} on server differs from ~/report.txt on workstation. Upload it again with scp.`);
    return pass(`${target} on server is an exact copy of ~/report.txt (sha256 ${source.hash.slice(0, 12)}…).`);
  },

  download: async (lab) => {
    const original = await digest(lab, server, '~/logs/app.log');
    if (!original || original === 'link') return fail('~/logs/app.log on server is missing; it is the file to download. Was it moved?');
    const target = '~/app.log';
    const copy = await digest(lab, workstation, target);
    if (copy === 'link')
      return fail(`${target} on workstation is a symbolic link, not a copy. Remove it and download the file itself: scp server:logs/app.log ~/.`);
    if (!copy) {
      const elsewhere = await findByName(lab, workstation, 'app.log');
      if (elsewhere.length) {
        return fail(
          `app.log is on workstation as ${elsewhere.join(', ')}, but the lab wants it at ~/app.log, directly in your home directory. Use ~/ (or .) as the target.`,
        );
      }
      return fail(`There is no ${target} on workstation yet. The log is ~/logs/app.log on server, so the source is server:logs/app.log.`);
    }
    if (copy.hash !== original.hash) {
      return fail(
        `${target} on workstation differs from ~/logs/app.log on server (${copy.lines} lines against ${original.lines}): it is a partial or changed copy. Download it again with scp.`,
      );
    }
    return pass(`${target} on workstation is an exact copy of the server's ~/logs/app.log (${original.lines} lines).`);
  },
});
