import { codeToHtml } from '../theme/CodeBlock/highlight-html';
import { prism } from '../theme/CodeBlock/prism-runtime';

/**
 * Highlights each fenced code block at build time with the Prism the browser would use
 * (src/theme/CodeBlock/prism-runtime.ts, same grammars), and hands the lines' HTML to the
 * CodeBlock as its `highlighted` prop (src/theme/CodeBlock/Content shows it as it is).
 *
 * Blocks whose lines theme-classic would decorate are left to the browser: magic comments
 * (the default `highlight-next-line`, `highlight-start`/`-end`; this site configures no others)
 * and line ranges or numbers in the fence's meta. Mermaid fences become SVG (rehype-mermaid-svg).
 */

interface CodeNode {
  type: string;
  lang?: string | null;
  meta?: string | null;
  value?: string;
  data?: { hProperties?: Record<string, unknown> };
  children?: CodeNode[];
}

const decoratedLines = /highlight-next-line|highlight-start|highlight-end/;
const decoratedMeta = /\{[\d,\s-]+\}|\bshowLineNumbers\b/;

export function prehighlight(node: CodeNode): void {
  const language = (node.lang ?? 'text').toLowerCase();
  const code = node.value ?? '';
  if (language === 'mermaid' || decoratedLines.test(code) || decoratedMeta.test(node.meta ?? '')) return;
  node.data = { ...node.data, hProperties: { ...node.data?.hProperties, highlighted: codeToHtml(code, language, prism) } };
}

export default function remarkPrismStatic() {
  return (tree: CodeNode) => {
    const visit = (node: CodeNode) => {
      if (node.type === 'code') prehighlight(node);
      for (const child of node.children ?? []) visit(child);
    };
    visit(tree);
  };
}
