import assert from 'node:assert/strict';
import { test } from 'node:test';
import ssh2 from 'ssh2';
import { generateEd25519 } from '../../src/server/environments/ssh.js';

test('generated host keys are always well-formed (ssh2 alone makes a bad one about 1 time in 256)', () => {
  const fingerprints = new Set<string>();
  for (let i = 0; i < 1500; i++) {
    const key = generateEd25519('root@server');
    const parsed = ssh2.utils.parseKey(key.publicKey);
    assert.ok(!(parsed instanceof Error), `key ${i}: ${String(parsed)}`);
    assert.ok(parsed.getPublicSSH().equals(key.blob));
    assert.match(key.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
    fingerprints.add(key.fingerprint);
  }
  assert.equal(fingerprints.size, 1500);
});
