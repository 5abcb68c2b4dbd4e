import type { GatewayCredentialView } from '../../protocol/api';

/** A host of the lab as the panel lists it for `ssh -J`. */
export interface LabHostName {
  name: string;
  role: 'workstation' | 'server';
}

export interface GatewayCommands {
  /** `username@host` of the gateway. */
  login: string;
  /** `username@host:port`, the form `-J` takes. */
  jump: string;
  ssh: string;
  exec: string;
  /** macOS / Linux and PowerShell differ only in how a local file is written. */
  scpUp: { unix: string; windows: string };
  scpDown: { unix: string; windows: string };
  sftp: string;
  rsync: string;
  /** One `ssh -J` per lab host: the gateway relays to that host's sshd, which asks for the session password. */
  jumps: { host: string; command: string }[];
  putty: { host: string; port: number; username: string; pscp: string; psftp: string };
}

/** The commands the "Use your own terminal" panel shows, for this lab's gateway login. */
export function gatewayCommands(credential: Pick<GatewayCredentialView, 'host' | 'port' | 'username'>, hosts: readonly LabHostName[]): GatewayCommands {
  const { host, port, username } = credential;
  const login = `${username}@${host}`;
  const jump = `${username}@${host}:${port}`;
  return {
    login,
    jump,
    ssh: `ssh -p ${port} ${login}`,
    exec: `ssh -p ${port} ${login} 'hostname; ls -la'`,
    scpUp: { unix: `scp -P ${port} notes.txt ${login}:`, windows: `scp -P ${port} .\\notes.txt ${login}:` },
    scpDown: { unix: `scp -P ${port} ${login}:notes.txt ./notes-back.txt`, windows: `scp -P ${port} ${login}:notes.txt .\\notes-back.txt` },
    sftp: `sftp -P ${port} ${login}`,
    rsync: `rsync -av -e 'ssh -p ${port}' ./project/ ${login}:project/`,
    jumps: hosts.map((h) => ({ host: h.name, command: `ssh -J ${jump} learner@${h.name}` })),
    putty: {
      host,
      port,
      username,
      pscp: `pscp -P ${port} notes.txt ${login}:`,
      psftp: `psftp -P ${port} ${login}`,
    },
  };
}
