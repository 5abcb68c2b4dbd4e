import { useState } from 'react';
import type { GatewayCredentialView } from '../../protocol/api';
import { type LabApi, LabApiError } from './api';
import CommandBlock from './CommandBlock';
import { gatewayCommands, type LabHostName } from './gateway-commands';
import styles from './styles.module.css';

export interface OwnTerminalPanelProps {
  api: LabApi;
  sessionId: string;
  token: string;
  hosts: readonly LabHostName[];
}

type Platform = 'unix' | 'windows' | 'putty';

const platforms: { id: Platform; label: string }[] = [
  { id: 'unix', label: 'macOS / Linux' },
  { id: 'windows', label: 'Windows (PowerShell)' },
  { id: 'putty', label: 'PuTTY' },
];

/**
 * "Use your own terminal": the learner's own SSH client into this lab through the gateway. The
 * login is made only when asked for (the password is shown once; asking again makes a new one),
 * with the gateway's host-key fingerprint to compare at the client's first-connection prompt.
 */
export default function OwnTerminalPanel({ api, sessionId, token, hosts }: OwnTerminalPanelProps) {
  const [credential, setCredential] = useState<GatewayCredentialView>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [platform, setPlatform] = useState<Platform>('unix');

  const request = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setCredential(await api.gateway(sessionId, token));
    } catch (e) {
      setError(e instanceof LabApiError ? e.message : 'The login could not be made. Try again in a moment.');
    } finally {
      setBusy(false);
    }
  };

  const commands = credential && gatewayCommands(credential, hosts);
  const others = hosts.filter((h) => h.role !== 'workstation');
  return (
    <details className={styles.ownTerminal} data-testid="own-terminal">
      <summary>Use your own terminal</summary>
      <p className={styles.muted}>
        Log in to this lab from your own computer with the SSH client you installed: your own <code>ssh</code>, <code>scp</code>, <code>sftp</code>,{' '}
        <code>rsync</code> or PuTTY reach the same workstation this page shows. Checks look at the hosts, so work done from your machine counts.
      </p>
      {!credential && (
        <button type="button" className="button button--sm button--primary" data-testid="own-terminal-request" disabled={busy} onClick={() => void request()}>
          {busy ? 'Making your login…' : 'Show my login'}
        </button>
      )}
      {error && (
        <div className="alert alert--warning" role="alert" data-testid="own-terminal-error">
          {error}
        </div>
      )}
      {credential && commands && (
        <div data-testid="own-terminal-login">
          <p>
            user <code data-testid="own-terminal-username">{credential.username}</code> password{' '}
            <code data-testid="own-terminal-password">{credential.password}</code> host <code data-testid="own-terminal-host">{credential.host}</code> port{' '}
            <code data-testid="own-terminal-port">{credential.port}</code>
          </p>
          <p className={styles.muted}>
            The password is shown only now and works until this lab session ends.{' '}
            <button type="button" className="button button--sm button--link" data-testid="own-terminal-rotate" disabled={busy} onClick={() => void request()}>
              Make a new one
            </button>
          </p>
          <p data-testid="own-terminal-fingerprint-note">
            The first time, your client shows the gateway's host key fingerprint and asks whether to trust it. Compare it with this one, character by character,
            and answer <code>yes</code> only if they are the same: <code data-testid="own-terminal-fingerprint">{credential.hostKeyFingerprint}</code>
          </p>
          <div className={styles.platforms} role="tablist" aria-label="Your computer">
            {platforms.map((p) => (
              <button
                key={p.id}
                type="button"
                role="tab"
                aria-selected={platform === p.id}
                data-testid={`own-terminal-tab-${p.id}`}
                className={`button button--sm ${platform === p.id ? 'button--primary' : 'button--outline button--secondary'}`}
                onClick={() => setPlatform(p.id)}
              >
                {p.label}
              </button>
            ))}
          </div>
          <div role="tabpanel" data-testid={`own-terminal-${platform}`}>
            {platform === 'putty' ? (
              <>
                <p>
                  In PuTTY's <em>Session</em> page: Host Name <code>{commands.putty.host}</code>, Port <code>{commands.putty.port}</code>, connection type SSH.
                  Under <em>Connection → Data</em>, auto-login username <code>{commands.putty.username}</code>. Open, compare the fingerprint, then type the
                  password.
                </p>
                <p>PuTTY's own copy tools take the same port with a capital P:</p>
                <CommandBlock code={commands.putty.pscp} language="text" />
                <CommandBlock code={commands.putty.psftp} language="text" />
              </>
            ) : (
              <>
                <p>A shell on the workstation:</p>
                <CommandBlock code={commands.ssh} language="text" />
                <p>One command, no shell:</p>
                <CommandBlock code={commands.exec} language="text" />
                <p>Copy a file into the lab and back (scp takes the port as capital -P):</p>
                <CommandBlock code={platform === 'windows' ? commands.scpUp.windows : commands.scpUp.unix} language="text" />
                <CommandBlock code={platform === 'windows' ? commands.scpDown.windows : commands.scpDown.unix} language="text" />
                <CommandBlock code={commands.sftp} language="text" />
                {platform === 'unix' ? (
                  <CommandBlock code={commands.rsync} language="text" />
                ) : (
                  <p className={styles.muted}>rsync does not come with Windows; inside WSL the macOS / Linux command works.</p>
                )}
                {others.length > 0 && <p>Straight to the lab's other hosts, through the gateway (their own sshd asks for the session password):</p>}
                {commands.jumps
                  .filter((j) => others.some((h) => h.name === j.host))
                  .map((j) => (
                    <div key={j.host} data-testid={`own-terminal-jump-${j.host}`}>
                      <CommandBlock code={j.command} language="text" />
                    </div>
                  ))}
              </>
            )}
          </div>
        </div>
      )}
    </details>
  );
}
