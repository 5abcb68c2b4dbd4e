import { defineChecks, fail, pass, type CheckContext } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const codeWord = 'lighthouse';
/** Written by ~/clock's Ctrl-C (SIGINT) handler, and by nothing else. */
const clockLog = '/var/tmp/terminal-basics/clock.log';

/** Folders and files directly in the home folder whose name is `name` in any mix of cases. */
async function sameNameOtherCase(lab: CheckContext, name: string): Promise<string[]> {
  const result = await lab.exec(workstation, `cd ~ && find . -mindepth 1 -maxdepth 1 -iname '${name}' -printf '%P\\n'`);
  return result.stdout.split('\n').filter((n) => n && n !== name);
}

/** State (ps STAT letters) of every ~/clock still alive: "T" means paused by Ctrl-Z. */
async function runningClocks(lab: CheckContext): Promise<string[]> {
  const result = await lab.exec(workstation, 'ps -u learner -o stat=,args=');
  return result.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.slice(1).some((arg) => arg.endsWith('/clock')))
    .map((fields) => fields[0] ?? '');
}

export default defineChecks({
  'make-folder': async (lab) => {
    const folder = await lab.stat(workstation, '~/practice');
    if (folder?.type === 'directory') return pass('~/practice is a folder in your home folder.');
    if (folder) return fail(`~/practice exists, but it is a ${folder.type}, not a folder. Remove it (rm ~/practice) and make the folder with mkdir practice.`);
    const others = await sameNameOtherCase(lab, 'practice');
    if (others.length) {
      return fail(
        `There is ~/${others[0]}, but no ~/practice: names are case-sensitive, so ${others[0]} and practice are different names. Make it with mkdir practice, all in lower case.`,
      );
    }
    const elsewhere = await lab.exec(workstation, `find ~ /tmp /var/tmp -maxdepth 3 -type d -name practice 2>/dev/null | head -n 1`);
    if (elsewhere.stdout.trim()) {
      return fail(
        `There is a folder ${elsewhere.stdout.trim()}, but not in your home folder: mkdir makes it in the folder you are in. Go home with cd ~ and run mkdir practice there.`,
      );
    }
    return fail('There is no folder ~/practice yet (~ is your home folder, /home/learner).');
  },

  'code-word': async (lab) => {
    const answer = await lab.stat(workstation, '~/practice/answer.txt');
    if (!answer) {
      const astray = await lab.exec(workstation, `find ~ -name answer.txt -type f -printf '~/%P\\n' 2>/dev/null`);
      const found = astray.stdout.split('\n').filter(Boolean)[0];
      if (found)
        return fail(
          `Your answer is saved as ${found}, not in ~/practice. Open nano with the full name: nano ~/practice/answer.txt (or move it: mv ${found} ~/practice/).`,
        );
      return fail(
        'There is no ~/practice/answer.txt yet. nano writes the file only when you save: press Ctrl-O, then Enter, before Ctrl-X (or answer Y when Ctrl-X asks whether to save).',
      );
    }
    if (answer.type !== 'file') return fail(`~/practice/answer.txt is a ${answer.type}, not a file.`);
    const text = ((await lab.readFile(workstation, '~/practice/answer.txt')) ?? '').trim();
    if (!text) return fail('~/practice/answer.txt is empty. Open it again with nano, type the code word, then save with Ctrl-O and Enter.');
    if (!text.toLowerCase().includes(codeWord)) {
      return fail(
        `~/practice/answer.txt says "${text.slice(0, 60)}", which is not the code word. Search ~/guide.txt for it in less: type /code word and Enter.`,
      );
    }
    return pass(`~/practice/answer.txt holds the code word, ${codeWord}: you read the guide and saved a file in nano.`);
  },

  'stop-clock': async (lab) => {
    const clocks = await runningClocks(lab);
    if (clocks.some((state) => state.startsWith('T'))) {
      return fail(
        '~/clock is only paused, not stopped: Ctrl-Z suspends a program and keeps it waiting. Type fg to bring it back to the terminal, then press Ctrl-C.',
      );
    }
    const log = await lab.readFile(workstation, clockLog);
    if (log?.includes('stopped with Ctrl-C')) return pass('~/clock was interrupted with Ctrl-C.');
    if (clocks.length) return fail('~/clock is still running. Bring it to the terminal (fg) if needed, and press Ctrl-C there.');
    return fail('~/clock has not been stopped with Ctrl-C yet. Start it with ~/clock, then press Ctrl-C while it prints the time.');
  },

  history: async (lab) => {
    const file = await lab.stat(workstation, '~/practice/history.txt');
    if (!file)
      return fail('There is no ~/practice/history.txt yet: history printed its list on the screen only. Run it again with > ~/practice/history.txt after it.');
    if (file.type !== 'file') return fail(`~/practice/history.txt is a ${file.type}, not a file.`);
    const text = (await lab.readFile(workstation, '~/practice/history.txt')) ?? '';
    if (!text.trim()) {
      return fail(
        '~/practice/history.txt is empty. If you copied ~/.bash_history: the shell writes that file only when it ends, so it does not hold this session yet. Use the history command: history > ~/practice/history.txt.',
      );
    }
    const entries = text.split('\n').filter((line) => /^\s*\d+\s+\S/.test(line));
    if (entries.length < 3) {
      return fail(
        '~/practice/history.txt does not look like what history prints (numbered lines, one per command you typed). Run history > ~/practice/history.txt.',
      );
    }
    return pass(`~/practice/history.txt lists ${entries.length} commands you typed, numbered as history shows them.`);
  },
});
