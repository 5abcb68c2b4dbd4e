/**
 * npm run k8s:render -- <labId>: every object the Kubernetes provider creates for one session of
 * that lab (Secret, NetworkPolicy, one Pod per host), as a JSON List, without contacting any
 * cluster. The settings come from the same environment variables as the server's
 * (SSH_LAB_K8S_NAMESPACE, SSH_LAB_K8S_IMAGE, SSH_LAB_K8S_RUNTIME_CLASS, SSH_LAB_HOST_*…). The
 * Secret's values are generated afresh for every session and shown redacted; the session id,
 * owner and backend address are examples.
 *   npm run k8s:render -- keygen | kubectl apply --dry-run=server -f -
 */
import { labFolders, loadLab } from '../src/labs/load.js';
import { ConfigError, loadConfig } from '../src/server/config.js';
import { labHostImage } from '../src/server/environments/image.js';
import { renderSession, sessionObjectList } from '../src/server/environments/kubernetes/render.js';
import { generateEd25519 } from '../src/server/environments/ssh.js';
import { environmentSpec } from '../src/server/labs/provision.js';

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const [labId, ...rest] = process.argv.slice(2);
const labs = labFolders();
if (!labId || rest.length) fail(`Usage: npm run k8s:render -- <labId>\nLabs: ${labs.join(', ')}`);
if (!labs.includes(labId)) fail(`Unknown lab "${labId}". Labs: ${labs.join(', ')}`);

let config: ReturnType<typeof loadConfig>;
try {
  // Rendering needs no pod address of its own: an example stands in when none is set.
  config = loadConfig({ ...process.env, SSH_LAB_PROVIDER: 'kubernetes', SSH_LAB_K8S_POD_IP: process.env.SSH_LAB_K8S_POD_IP || '10.0.0.10' });
} catch (error) {
  fail(error instanceof ConfigError ? error.message : String(error));
}

const lab = loadLab(labId);
const redacted = '<generated for each session>';
const spec = environmentSpec(lab, 'example00001', redacted, config.sessionLifetimeSeconds);
const objects = renderSession({
  spec,
  namespace: config.kubernetes.namespace,
  image: config.kubernetes.image ?? labHostImage(),
  owner: 'ssh-lab-backend-example',
  limits: config.hostLimits,
  runtimeClassName: config.kubernetes.runtimeClassName,
  adminPublicKey: generateEd25519('ssh-lab-backend').publicKey,
  adminFrom: config.kubernetes.podIp!,
  hostKeys: Object.fromEntries(spec.hosts.map((h) => [h.name, redacted])),
});
for (const key of Object.keys(objects.secret.stringData ?? {})) objects.secret.stringData![key] = redacted;
console.log(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: sessionObjectList(objects) }, null, 2));
