import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { cpuOversubscribed, someAvg10 } from '../../src/server/process/cpu-pressure.js';

const psi = (some: number) => `some avg10=${some.toFixed(2)} avg60=80.00 avg300=90.00 total=123\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n`;

test('the pressure of the last 10 s decides, not the minute-old averages beside it', () => {
  assert.equal(
    someAvg10(() => psi(12.5)),
    12.5,
  );
  assert.equal(
    cpuOversubscribed(() => psi(0)),
    false,
    'avg60 of 80 % is a burst that is over',
  );
  assert.equal(
    cpuOversubscribed(() => psi(50)),
    false,
  );
  assert.equal(
    cpuOversubscribed(() => psi(50.01)),
    true,
  );
});

test('without PSI the 1-minute load average decides, and nothing throws', () => {
  const missing = () => {
    throw Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' });
  };
  assert.equal(someAvg10(missing), undefined);
  assert.equal(
    someAvg10(() => 'garbage'),
    undefined,
  );
  assert.equal(typeof cpuOversubscribed(missing), 'boolean');
});

test("this machine's PSI file is read", { skip: existsSync('/proc/pressure/cpu') ? false : 'no /proc/pressure/cpu on this kernel' }, () => {
  const value = someAvg10(() => readFileSync('/proc/pressure/cpu', 'utf8'));
  assert.ok(value !== undefined && value >= 0 && value <= 100, String(value));
});
