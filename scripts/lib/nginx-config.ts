import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/labs/project-root.js';

/**
 * A whole nginx.conf around deploy/nginx/ssh-lab.conf (the snippet the README shows), for an nginx
 * that runs as a plain process out of `dir`: its listen port and replica ports replaced, its pid,
 * logs and temporary files under `dir`. Used by `npm run start:cluster` and the nginx test.
 */
export function nginxConfig(options: { dir: string; listenPort: number; replicaPorts: number[] }): string {
  const snippet = readFileSync(join(projectRoot, 'deploy', 'nginx', 'ssh-lab.conf'), 'utf8');
  const servers = options.replicaPorts.map((port) => `  server 127.0.0.1:${port} max_fails=1 fail_timeout=5s;`).join('\n');
  const site = snippet
    .replace(/^ {2}server 127\.0\.0\.1:\d+ .*\n(?: {2}server 127\.0\.0\.1:\d+ .*\n)*/m, `${servers}\n`)
    .replace(/listen 127\.0\.0\.1:\d+;/, `listen 127.0.0.1:${options.listenPort};`);
  const { dir } = options;
  return `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${site}
}
`;
}
