import type { SessionView } from '../../protocol/api.js';
import type { StartedEnvironment } from '../environments/types.js';
import type { RunnableLab } from '../labs/catalogue.js';
import type { ShellTerminal } from '../terminal/shell-terminal.js';
import { secretMatches } from './tokens.js';

export type SessionState = 'ready' | 'lost' | 'ended';

/** One learner's lab: its environment, its shell, and who may use it. */
export class Session {
  state: SessionState = 'ready';
  lastActivity = Date.now();

  constructor(
    readonly id: string,
    readonly lab: RunnableLab,
    readonly client: string,
    private readonly tokenHash: Buffer,
    readonly password: string,
    readonly expiresAt: Date,
    readonly environment: StartedEnvironment,
    readonly terminal: ShellTerminal,
    /** When it was created (on whichever replica). */
    readonly createdAt = new Date(),
  ) {}

  readonly user = 'learner';

  ownedBy(token: string): boolean {
    return secretMatches(token, this.tokenHash);
  }

  touch(): void {
    this.lastActivity = Date.now();
  }

  view(): SessionView {
    const facts: Record<string, string> = {};
    for (const host of this.environment.hosts) facts[`${host.name}.fingerprint`] = host.fingerprint;
    return {
      id: this.id,
      labId: this.lab.definition.id,
      createdAt: this.createdAt.toISOString(),
      expiresAt: this.expiresAt.toISOString(),
      user: this.user,
      password: this.password,
      hosts: this.environment.hosts.map((h) => ({ name: h.name, role: h.role, ports: h.ports })),
      facts,
    };
  }
}
