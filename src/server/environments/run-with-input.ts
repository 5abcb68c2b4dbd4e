import { execFile } from 'node:child_process';

/** Runs a command with `input` on its standard input (ip -batch, iptables-restore); rejects with its stderr. */
export function runWithInput(command: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${(stderr || error.message).trim()}`));
      else resolve(stdout);
    });
    // A command that exits before reading all of it fails above; the pipe error itself is not news.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}
