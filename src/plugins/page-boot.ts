import { join } from 'node:path';
import type { LoadContext, Plugin } from '@docusaurus/types';

/**
 * How a built page starts its scripts, and what it evaluates. The HTML (src/plugins/ssr-template.ts)
 * asks for them only after the page's first paint; links do not prefetch on sight
 * (src/browser/no-viewport-prefetch.ts); and lunr stays out of main.js. The search plugin's
 * generated constants import lunr to register its language plugins; with English only they use
 * nothing of it, yet that import alone put lunr (29 KB) into main.js, evaluated on every page.
 * Marked free of side effects, an import nobody uses is dropped; the search worker imports lunr
 * for itself and keeps it.
 */
export default function pageBootPlugin(context: LoadContext): Plugin {
  return {
    name: 'page-boot',
    getClientModules: () => [join(context.siteDir, 'src/browser/no-viewport-prefetch.ts')],
    configureWebpack: (_config, isServer) =>
      isServer ? {} : { module: { rules: [{ test: /[\\/]node_modules[\\/]lunr[\\/]lunr\.js$/, sideEffects: false }] } },
  };
}
