import { defineChecks, fail, pass, type CheckContext } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const server = 'server';

/** A df line split into its columns. */
const columns = (line: string) => line.trim().split(/\s+/);

/** What `df -h /` prints on the server right now: header and the line for /. */
async function serverDf(lab: CheckContext): Promise<{ header: string[]; root: string[] }> {
  const result = await lab.exec(server, 'df -h /');
  const [header = '', root = ''] = result.stdout.trim().split('\n');
  return { header: columns(header), root: columns(root) };
}

export default defineChecks({
  'save-disk-report': async (lab) => {
    const path = '~/server-disk.txt';
    const text = await lab.readFile(workstation, path);
    if (text === null) {
      if ((await lab.stat(server, path)) !== null) {
        return fail(
          `${path} is on server, not on workstation: the > was inside the quotes, so the server's shell wrote the file there. Keep the redirection outside the quotes.`,
        );
      }
      return fail(`There is no ${path} on workstation yet.`);
    }
    const lines = text.split('\n').filter((line) => line.trim());
    if (lines.length === 0) return fail(`${path} on workstation is empty. Did ssh fail before the server ran anything?`);
    const first = lines[0]!.trim();
    if (first === workstation) {
      return fail(`${path} begins with "workstation": the report ran on workstation, not on server. Put ssh server in front of the quoted commands.`);
    }
    const df = await serverDf(lab);
    if (columns(first).join(' ') === df.header.join(' ')) {
      return fail(
        `${path} on workstation starts with df's header, not with the name server: hostname's output is missing. Without quotes, your own shell split the line at the ;, so hostname ran on server (its output went to the screen) and df ran here. Quote the whole remote command.`,
      );
    }
    if (first !== server)
      return fail(`${path} should begin with the line "server" (the output of hostname on server), but it begins with "${first.slice(0, 80)}".`);
    const header = lines[1] ? columns(lines[1]) : [];
    const root = lines[2] ? columns(lines[2]) : [];
    if (header.join(' ') !== df.header.join(' ')) {
      return fail(
        `After the name, ${path} should hold df -h's header line ("${df.header.join(' ')}"), but it has "${(lines[1] ?? '').trim().slice(0, 80) || 'nothing'}".`,
      );
    }
    // Filesystem, size and mount point stay put; used/available may move between two runs.
    const same = root.length === df.root.length && root[0] === df.root[0] && root[1] === df.root[1] && root.at(-1) === df.root.at(-1);
    if (!same) {
      return fail(`The disk line in ${path} ("${(lines[2] ?? '').trim().slice(0, 100)}") is not what df -h / prints on server ("${df.root.join(' ')}").`);
    }
    return pass(`${path} on workstation holds server's name and its df -h / report (${df.root[0]} mounted on ${df.root.at(-1)}).`);
  },

  'write-on-server': async (lab) => {
    const path = '~/uptime.txt';
    const text = await lab.readFile(server, path);
    if (text === null) {
      if ((await lab.stat(workstation, path)) !== null) {
        return fail(
          `${path} is on workstation, not on server: the > was outside the quotes (or there were none), so your own shell wrote the file. Put the redirection inside the quoted remote command.`,
        );
      }
      return fail(`There is no ${path} on server yet.`);
    }
    if (!text.trim()) return fail(`${path} on server is empty; it should hold the output of uptime.`);
    if (!/load average/.test(text)) return fail(`${path} on server does not look like the output of uptime (there is no "load average" in it).`);
    return pass(`${path} on server holds its uptime, written by the server's own shell.`);
  },
});
