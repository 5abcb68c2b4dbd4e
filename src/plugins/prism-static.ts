import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { LoadContext, Plugin } from '@docusaurus/types';
import type { PrismTheme } from 'prism-react-renderer';

/**
 * Code blocks come highlighted from the build (remark-prism-static), coloured by class: this
 * plugin gives the browser what goes with that.
 * - A stylesheet of both Prism themes' token colours, `[data-theme=…]`-scoped, made from the
 *   site's `themeConfig.prism` themes, so both modes and a toggle need no script.
 * - In the browser bundle, theme-classic's client module prism-include-languages is replaced by
 *   nothing: it imports Prism and its grammars into every page. The server bundle keeps it.
 */

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Theme entries in order, as rules: a later entry wins over an earlier one, as in themeToDict. */
export function themeCss(theme: PrismTheme, mode: 'light' | 'dark'): string {
  return theme.styles
    .map(({ types, style, languages }) => {
      const scopes = languages?.length ? languages.map((l) => `.prism-code.language-${l}`) : ['.prism-code'];
      const selectors = scopes.flatMap((scope) => types.map((type) => `[data-theme='${mode}'] ${scope} .token.${type}`));
      const declarations = Object.entries(style)
        .filter(([, value]) => value !== undefined && value !== '')
        .map(([name, value]) => `${kebab(name)}: ${String(value)};`);
      return declarations.length ? `${selectors.join(',\n')} {\n  ${declarations.join('\n  ')}\n}` : '';
    })
    .filter(Boolean)
    .join('\n');
}

interface PrismThemes {
  theme: PrismTheme;
  darkTheme?: PrismTheme;
}

export default function prismStaticPlugin(context: LoadContext): Plugin {
  const { theme, darkTheme = theme } = (context.siteConfig.themeConfig as { prism: PrismThemes }).prism;
  const dir = join(context.generatedFilesDir, 'prism-static');
  const stylesheet = join(dir, 'prism-themes.css');
  mkdirSync(dir, { recursive: true });
  writeFileSync(stylesheet, `/* Made by src/plugins/prism-static.ts from themeConfig.prism. */\n${themeCss(theme, 'light')}\n${themeCss(darkTheme, 'dark')}\n`);
  // The generated client-modules.js requires it by its absolute path without the extension.
  const includeLanguages = createRequire(join(context.siteDir, 'package.json'))
    .resolve('@docusaurus/theme-classic/lib/prism-include-languages')
    .replace(/\.js$/, '');
  return {
    name: 'prism-static',
    getClientModules: () => [stylesheet],
    configureWebpack: (_config, isServer) => (isServer ? {} : { resolve: { alias: { [includeLanguages]: join(context.siteDir, 'src/browser/nothing.ts') } } }),
  };
}
