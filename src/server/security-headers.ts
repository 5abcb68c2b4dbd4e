import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { resolve } from 'node:path';
import fastifyHelmet from '@fastify/helmet';
import fp from 'fastify-plugin';
import { htmlFiles } from './site-files.js';

export interface SecurityHeadersOptions {
  /** The built site: its inline scripts are allowed by hash, every other inline script is refused. */
  siteDir?: string;
}

const inlineScript = /<script\b([^>]*)>([\s\S]*?)<\/script>/gi;

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

/** connect-src: this origin and WebSockets to this host only (a CSP 'self' does not cover ws: in every browser). */
function connectSources(request: IncomingMessage): string {
  const host = hostSource(request.headers.host);
  return host ? `'self' ws://${host} wss://${host}` : "'self'";
}

const permissionsPolicy = 'camera=(), microphone=(), geolocation=(), usb=(), payment=(), clipboard-read=(self), clipboard-write=(self)';

/**
 * Headers on every response (helmet). The CSP allows scripts from this origin plus the build's own
 * inline scripts (hashed once at start: a rebuilt site needs a restart, as its assets do), inline
 * styles (Docusaurus and xterm.js set them), and WebSockets to this host only; nothing may frame the site.
 */
export const securityHeaders = fp<SecurityHeadersOptions>(
  async (app, options) => {
    const scriptSources = ["'self'", ...(options.siteDir ? inlineScriptHashes(resolve(options.siteDir)) : [])];
    await app.register(fastifyHelmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: scriptSources,
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: [connectSources],
          frameAncestors: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          objectSrc: ["'none'"],
        },
      },
      // Sent below, on HTTPS only: over plain HTTP it means nothing and misleads whoever reads it.
      strictTransportSecurity: false,
      xFrameOptions: { action: 'deny' },
      referrerPolicy: { policy: 'same-origin' },
      crossOriginOpenerPolicy: { policy: 'same-origin' },
      crossOriginResourcePolicy: { policy: 'same-origin' },
      crossOriginEmbedderPolicy: false,
    });
    // helmet has no Permissions-Policy.
    app.addHook('onRequest', async (request, reply) => {
      reply.header('permissions-policy', permissionsPolicy);
      if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000');
    });
  },
  { name: 'security-headers' },
);
