import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { Pod, Secret } from 'kubernetes-models/v1';

const run = promisify(execFile);
const script = ['--import', 'tsx', 'scripts/k8s-render.ts'];

test('npm run k8s:render prints every object of one session as a JSON List that validates', async () => {
  const { stdout } = await run(process.execPath, [...script, 'jump-host'], { env: { ...process.env, SSH_LAB_K8S_RUNTIME_CLASS: 'gvisor' } });
  const list = JSON.parse(stdout) as { kind: string; items: { kind: string; metadata: { name: string }; spec?: { runtimeClassName?: string } }[] };
  assert.equal(list.kind, 'List');
  assert.deepEqual(
    list.items.map((i) => i.kind),
    ['Secret', 'NetworkPolicy', 'Pod', 'Pod', 'Pod'],
  );
  const validators = { Secret, NetworkPolicy, Pod } as const;
  for (const item of list.items) new validators[item.kind as keyof typeof validators](item as never).validate();
  for (const pod of list.items.filter((i) => i.kind === 'Pod')) assert.equal(pod.spec?.runtimeClassName, 'gvisor');
  assert.ok(!stdout.includes('PRIVATE KEY'), 'the secret values are redacted');
});

test('an unknown lab is a clear error naming the labs there are', async () => {
  await assert.rejects(run(process.execPath, [...script, 'no-such-lab']), (error: { code: number; stderr: string }) => {
    assert.equal(error.code, 2);
    assert.match(error.stderr, /Unknown lab "no-such-lab"\. Labs: .*keygen/);
    return true;
  });
});

test('a bad setting is reported as the server reports it', async () => {
  await assert.rejects(
    run(process.execPath, [...script, 'keygen'], { env: { ...process.env, SSH_LAB_K8S_NAMESPACE: 'Not A Namespace' } }),
    (error: { stderr: string }) => {
      assert.match(error.stderr, /SSH_LAB_K8S_NAMESPACE="Not A Namespace": must be a namespace name/);
      return true;
    },
  );
});
