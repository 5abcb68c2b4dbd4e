import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenSshClient } from '../helpers/openssh.js';
import { expect, test } from './fixtures.js';

/** The "Use your own terminal" panel of the scp-basics lab (workstation and server), against a gateway on a free port. */

// The worker's server is configured before any test runs, so the port is found synchronously here.
const gatewayPort = execFileSync(
  process.execPath,
  ['-e', "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})"],
  {
    encoding: 'utf8',
  },
).trim();
const dataDir = mkdtempSync(join(tmpdir(), 'ssh-lab-gateway-e2e-'));

test.use({
  siteEnv: { SSH_LAB_GATEWAY_PORT: gatewayPort, SSH_LAB_DATA_DIR: dataDir, SSH_LAB_SUBNET_POOL: '172.26.160.0/20' },
  labPage: '/docs/scp',
  labId: 'scp-basics',
});

test.afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

test('the panel shows this lab’s login, the commands for each client and the fingerprint, and the login works', async ({ lab, site, pageErrors }) => {
  const panel = lab.root.getByTestId('own-terminal');
  await panel.locator('summary').click();
  await panel.getByTestId('own-terminal-request').click();
  const username = (await panel.getByTestId('own-terminal-username').textContent()) ?? '';
  const password = (await panel.getByTestId('own-terminal-password').textContent()) ?? '';
  expect(username).toMatch(/^lab-[a-z0-9]{10}$/);
  await expect(panel.getByTestId('own-terminal-port')).toHaveText(gatewayPort);
  await expect(panel.getByTestId('own-terminal-host')).toHaveText('localhost');
  await expect(panel.getByTestId('own-terminal-fingerprint')).toHaveText(site.gateway?.fingerprint ?? 'missing');
  await expect(panel.getByTestId('own-terminal-fingerprint-note')).toContainText('Compare it with this one');

  const login = `${username}@localhost`;
  const unix = panel.getByTestId('own-terminal-unix');
  await expect(unix).toContainText(`ssh -p ${gatewayPort} ${login}`);
  await expect(unix).toContainText(`scp -P ${gatewayPort} notes.txt ${login}:`);
  await expect(unix).toContainText(`sftp -P ${gatewayPort} ${login}`);
  await expect(unix).toContainText(`rsync -av -e 'ssh -p ${gatewayPort}'`);
  await expect(panel.getByTestId('own-terminal-jump-server')).toContainText(`ssh -J ${login}:${gatewayPort} learner@server`);

  await panel.getByTestId('own-terminal-tab-windows').click();
  await expect(panel.getByTestId('own-terminal-windows')).toContainText(`scp -P ${gatewayPort} .\\notes.txt ${login}:`);
  await panel.getByTestId('own-terminal-tab-putty').click();
  const putty = panel.getByTestId('own-terminal-putty');
  await expect(putty).toContainText(`Host Name localhost, Port ${gatewayPort}`);
  await expect(putty).toContainText(`pscp -P ${gatewayPort} notes.txt ${login}:`);

  // What the panel shows is a working login: the real OpenSSH client, the shown fingerprint's key.
  const publicKey = execFileSync('ssh-keygen', ['-y', '-f', join(dataDir, 'gateway_ed25519_key')], { encoding: 'utf8' }).trim();
  const client = new OpenSshClient({ host: 'localhost', port: Number(gatewayPort), username, password, hostKey: publicKey });
  try {
    const result = await client.ssh([], 'hostname');
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('workstation\n');
  } finally {
    client.close();
  }
  expect(pageErrors).toEqual([]);
});
