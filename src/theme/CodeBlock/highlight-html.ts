import type { normalizeTokens as NormalizeTokens, Prism as PrismType } from 'prism-react-renderer';

/**
 * A code block's lines as HTML, in the shape theme-classic's CodeBlock/Line renders them
 * (`<div class="token-line">`, `<span class="token keyword">`, a closing `<br>`), but coloured by
 * class, not by inline style: the colours of both modes come from a stylesheet
 * (src/plugins/prism-static.ts), so the HTML made once at build time is right in light and dark
 * mode and after a toggle. Prism is passed in: this module ships in every page and must not pull
 * Prism into them.
 *
 * Without Prism every line is one plain token: what a block shows until Prism has loaded.
 */
export interface PrismLike {
  Prism: typeof PrismType;
  normalizeTokens: typeof NormalizeTokens;
}

/** Magic-comment classes by line, and the CSS-module classes a numbered line needs. */
export interface LineOptions {
  lineClassNames?: Record<number, string[]>;
  numbered?: { line: string; number: string; content: string };
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => escapes[c]!);

interface Token {
  types: string[];
  content: string;
  empty?: boolean;
}

/** What normalizeTokens([code]) gives: one plain token a line, an empty line marked empty. */
const plainLines = (code: string): Token[][] =>
  code.split(/\r\n|\r|\n/).map((content) => [content ? { types: ['plain'], content } : { types: ['plain'], content: '\n', empty: true }]);

export function codeToHtml(code: string, language: string, prism?: PrismLike, options: LineOptions = {}): string {
  const grammar = prism?.Prism.languages[language.toLowerCase()];
  const lines: Token[][] = prism && grammar ? prism.normalizeTokens(prism.Prism.tokenize(code, grammar)) : plainLines(code);
  const { lineClassNames = {}, numbered } = options;
  return lines
    .map((line, index) => {
      // A line of just '\n' would break twice (its own newline and the <br>): as in CodeBlock/Line.
      const tokens = line.length === 1 && line[0]!.content === '\n' ? [{ ...line[0]!, content: '' }] : line;
      const spans = tokens
        .map((token) => {
          const style = token.empty ? ' style="display:inline-block"' : '';
          return `<span class="token ${token.types.map(escapeHtml).join(' ')}"${style}>${escapeHtml(token.content)}</span>`;
        })
        .join('');
      const classes = ['token-line', ...(lineClassNames[index] ?? []), ...(numbered ? [numbered.line] : [])].map(escapeHtml).join(' ');
      const body = numbered ? `<span class="${numbered.number}"></span><span class="${numbered.content}">${spans}</span>` : spans;
      return `<div class="${classes}">${body}<br></div>`;
    })
    .join('');
}
