import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fp from 'fastify-plugin';

export interface SecurityHeadersOptions {
  /** The built site: its inline scripts are allowed by hash, every other inline script is refused. */
  siteDir?: string;
}

const inlineScript = /<script\b([^>]*)>([\s\S]*?)<\/script>/gi;

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return htmlFiles(path);
    return entry.name.endsWith('.html') ? [path] : [];
  });
}

/** 'sha256-…' sources for every inline script of the built pages (Docusaurus inlines its colour-mode script). */
export function inlineScriptHashes(siteDir: string): string[] {
  if (!existsSync(siteDir)) return [];
  const hashes = new Set<string>();
  for (const file of htmlFiles(siteDir)) {
    for (const [, attributes = '', body = ''] of readFileSync(file, 'utf8').matchAll(inlineScript)) {
      if (/\bsrc\s*=/i.test(attributes) || !body.trim()) continue;
      // Data blocks (JSON-LD…) are never executed and need no allowance.
      const type = /\btype\s*=\s*["']?([^"'\s>]+)/i.exec(attributes)?.[1]?.toLowerCase();
      if (type && !['text/javascript', 'application/javascript', 'module'].includes(type)) continue;
      hashes.add(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
    }
  }
  return [...hashes].sort();
}

/** A Host header as a CSP source, or nothing when it is not a plain host[:port]. */
function hostSource(host: string | undefined): string | undefined {
  return host && /^[a-z0-9.-]+(?::\d{1,5})?$|^\[[0-9a-f:.]+\](?::\d{1,5})?$/i.test(host) ? host.toLowerCase() : undefined;
}

/**
 * Headers on every response. The CSP allows scripts from this origin plus the build's own inline
 * scripts (by hash, recomputed when the build changes), inline styles (Docusaurus and xterm.js set
 * them), and WebSockets to this host only; nothing may frame the site.
 */
export const securityHeaders = fp<SecurityHeadersOptions>(async (app, options) => {
  const siteDir = options.siteDir ? resolve(options.siteDir) : undefined;
  let cached: { stamp: string; sources: string } | undefined;
  const scriptSources = (): string => {
    if (!siteDir) return "'self'";
    const index = join(siteDir, 'index.html');
    const stamp = existsSync(index) ? String(statSync(index).mtimeMs) : 'none';
    if (cached?.stamp !== stamp) cached = { stamp, sources: ["'self'", ...inlineScriptHashes(siteDir)].join(' ') };
    return cached.sources;
  };

  app.addHook('onSend', async (request, reply) => {
    const host = hostSource(request.headers.host);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), usb=(), payment=(), clipboard-read=(self), clipboard-write=(self)');
    if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000');
    reply.header(
      'content-security-policy',
      [
        "default-src 'self'",
        `script-src ${scriptSources()}`,
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        `connect-src 'self'${host ? ` ws://${host} wss://${host}` : ''}`,
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
      ].join('; '),
    );
  });
});
