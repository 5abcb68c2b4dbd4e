export interface GatewayCredential {
  sessionId: string;
  username: string;
  /** scrypt hash of the password, hex, with its salt: `scrypt$<saltHex>$<hashHex>` */
  passwordHash: string;
  expiresAt: number; // ms since epoch
}
export interface GatewayCredentialStore {
  /** Replaces the session's credential (POST again rotates the password). */
  put(credential: GatewayCredential): Promise<void>;
  byUsername(username: string): Promise<GatewayCredential | undefined>;
  removeSession(sessionId: string): Promise<void>;
}
