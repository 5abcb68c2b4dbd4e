import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CurrentBundler, LoadContext, Plugin } from '@docusaurus/types';

/**
 * How a built page starts its scripts, and what it evaluates. The HTML (src/plugins/ssr-template.ts)
 * asks for them only after the page's first paint; links do not prefetch on sight
 * (src/browser/no-viewport-prefetch.ts); lunr stays out of main.js; and the two updates every page
 * makes right after hydration are transitions (src/browser/after-hydration/).
 *
 * lunr: the search plugin's generated constants import it to register its language plugins; with
 * English only they use nothing of it, yet that import alone put lunr (29 KB) into main.js,
 * evaluated on every page. Marked free of side effects, an import nobody uses is dropped; the
 * search worker imports lunr for itself and keeps it.
 */
const require = createRequire(import.meta.url);

/** Docusaurus modules replaced in the browser bundle, by the file that replaces each. */
const replaced = [
  { module: '@docusaurus/core/lib/client/browserContext.js', by: 'src/browser/after-hydration/browser-context.tsx' },
  { module: '@docusaurus/theme-common/lib/hooks/useWindowSize.js', by: 'src/browser/after-hydration/use-window-size.ts' },
];

/** The replaced module's own file, in the node_modules Node would look in from here; a Docusaurus that moved it stops the build. */
function fileOf(module: string): string {
  const found = (require.resolve.paths(module) ?? []).map((dir) => join(dir, module)).find((file) => existsSync(file));
  if (!found) {
    throw new Error(
      `page-boot: ${module} is gone (a Docusaurus upgrade?): src/plugins/page-boot.ts replaces it with ${replaced.find((r) => r.module === module)?.by}`,
    );
  }
  // The bundler names modules by their real path (a linked node_modules resolves to its target).
  return realpathSync(found);
}

const escaped = (path: string) => new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

export default function pageBootPlugin(context: LoadContext): Plugin {
  return {
    name: 'page-boot',
    getClientModules: () => [join(context.siteDir, 'src/browser/no-viewport-prefetch.ts')],
    configureWebpack: (config, isServer, { currentBundler }) => {
      if (isServer) return {};
      const { NormalModuleReplacementPlugin, Compilation, sources } = currentBundler.instance;
      // Chromium compiles every function of a script that opens with this comment eagerly, on a
      // background thread while the script streams in, instead of on the main thread at each
      // function's first call: nearly all of main.js runs on every page load.
      const compileHint = {
        apply: (compiler: InstanceType<CurrentBundler['instance']['Compiler']>) =>
          compiler.hooks.thisCompilation.tap('page-boot', (compilation) =>
            compilation.hooks.processAssets.tap({ name: 'page-boot', stage: Compilation.PROCESS_ASSETS_STAGE_OPTIMIZE_SIZE + 1 }, (assets) => {
              for (const name of Object.keys(assets).filter((n) => /^assets\/js\/main\.[0-9a-f]+\.js$/.test(n))) {
                compilation.updateAsset(name, (source) => new sources.ConcatSource('//# allFunctionsCalledOnLoad\n', source));
              }
            }),
          ),
      };
      // webpack's persistent cache knows the site's config file but not this one, which changes the
      // bundle without changing any module: a stale cache would keep serving the bundle from before.
      const cache =
        typeof config.cache === 'object' && config.cache.type === 'filesystem'
          ? { cache: { buildDependencies: { pageBoot: [fileURLToPath(import.meta.url)] } } }
          : {};
      return {
        ...cache,
        module: { rules: [{ test: /[\\/]node_modules[\\/]lunr[\\/]lunr\.js$/, sideEffects: false }] },
        plugins: [...replaced.map(({ module, by }) => new NormalModuleReplacementPlugin(escaped(fileOf(module)), join(context.siteDir, by))), compileHint],
      };
    },
  };
}
