import { join } from 'node:path';
import type { LoadContext, Plugin } from '@docusaurus/types';

/**
 * How a built page starts its scripts. The HTML (src/plugins/ssr-template.ts) asks for them only
 * after the page's first paint, and links do not prefetch on sight (src/browser/no-viewport-prefetch.ts).
 */
export default function pageBootPlugin(context: LoadContext): Plugin {
  return {
    name: 'page-boot',
    getClientModules: () => [join(context.siteDir, 'src/browser/no-viewport-prefetch.ts')],
  };
}
