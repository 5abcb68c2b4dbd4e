import type { Element, ElementContent, Root } from 'hast';
import { fromHtmlIsomorphic } from 'hast-util-from-html-isomorphic';
import { toText } from 'hast-util-to-text';
import type { MermaidRenderer } from 'mermaid-isomorphic';
import { visit } from 'unist-util-visit';
import { chromiumArgs, chromiumPath } from '../../scripts/lib/chromium';

/**
 * Renders ```mermaid fences to inline SVG at build time, once for the light and once for the dark
 * theme, so no page ships mermaid or its parser (they were most of a docs page's JavaScript).
 * The theme toggle shows one of the two by CSS (src/css/custom.css, `.mermaid-svg--dark`).
 * Chromium is Debian's (/usr/bin/chromium), as for every browser this project drives.
 */

const themes = ['default', 'dark'] as const;

/**
 * jiti, which loads docusaurus.config.ts, would turn this ESM-only package into CommonJS and fail on
 * its import.meta, and a dynamic import() inside jiti's vm has no loader: Node's own require loads
 * it (require of an ES module without top-level await, Node 22.12+).
 */
function loadMermaidIsomorphic(): typeof import('mermaid-isomorphic') {
  const { createRequire } = process.getBuiltinModule('node:module');
  return createRequire(`${process.cwd()}/`)('mermaid-isomorphic') as typeof import('mermaid-isomorphic');
}

let renderer: Promise<MermaidRenderer> | undefined;
/** Docusaurus compiles each page twice (client and server bundles): render each diagram once. */
const cache = new Map<string, Promise<string>>();

function render(diagram: string, theme: (typeof themes)[number], prefix: string): Promise<string> {
  const key = `${theme}\0${diagram}`;
  let svg = cache.get(key);
  if (!svg) {
    renderer ??= Promise.resolve().then(() =>
      loadMermaidIsomorphic().createMermaidRenderer({
        launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
      }),
    );
    svg = renderer
      .then((draw) => draw([diagram], { prefix, mermaidConfig: { theme, fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' } }))
      .then(([result]) => {
        if (result?.status !== 'fulfilled') throw new Error(`mermaid could not render a diagram: ${String(result?.reason)}\n${diagram}`);
        return result.value.svg;
      });
    cache.set(key, svg);
  }
  return svg;
}

function isMermaidFence(node: Element): boolean {
  const code = node.children[0];
  if (node.tagName !== 'pre' || code?.type !== 'element' || code.tagName !== 'code') return false;
  const classes = code.properties.className;
  return Array.isArray(classes) && classes.includes('language-mermaid');
}

export default function rehypeMermaidSvg() {
  return async (tree: Root, file: { path?: string }) => {
    const fences: { node: Element; parent: { children: unknown[] }; index: number }[] = [];
    visit(tree, 'element', (node, index, parent) => {
      if (parent && index !== undefined && isMermaidFence(node)) fences.push({ node, parent, index });
    });
    // A stable id prefix per page and diagram: the two themes' SVGs must not share element ids.
    const page = (file.path ?? 'page').replace(/[^a-z0-9]+/gi, '-').slice(-40);
    await Promise.all(
      fences.map(async ({ node, parent, index }, n) => {
        const diagram = toText(node, { whitespace: 'pre' });
        const svgs = await Promise.all(themes.map((theme) => render(diagram, theme, `mermaid-${page}-${n}-${theme}`)));
        const figure: Element = {
          type: 'element',
          tagName: 'div',
          properties: { className: ['mermaid-svg'] },
          children: svgs.map(
            (svg, i): ElementContent => ({
              type: 'element',
              tagName: 'div',
              properties: { className: [`mermaid-svg--${themes[i] === 'dark' ? 'dark' : 'light'}`] },
              children: fromHtmlIsomorphic(svg, { fragment: true }).children as ElementContent[],
            }),
          ),
        };
        parent.children[index] = figure;
      }),
    );
  };
}
