import { join } from 'node:path';
import type { LoadContext, Plugin } from '@docusaurus/types';

/**
 * In the browser bundle, `import … from 'zod'` resolves to src/browser/zod-jitless.ts: zod set to
 * parse without eval before any schema exists, whichever module imports it first. The server
 * bundle (static rendering) keeps plain zod.
 */
export default function zodJitlessPlugin(context: LoadContext): Plugin {
  return {
    name: 'zod-jitless',
    configureWebpack: (_config, isServer) => (isServer ? {} : { resolve: { alias: { zod$: join(context.siteDir, 'src/browser/zod-jitless.ts') } } }),
  };
}
