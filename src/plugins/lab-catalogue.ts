import type { LoadContext, Plugin } from '@docusaurus/types';
import { Lexer, Parser, type Token } from 'marked';
import { labsDir, loadLabs, summarise } from '../labs/load';
import type { InstructionPart, LabPageData } from '../protocol/catalogue';

/** Lab instructions are Markdown written by the project: prose becomes HTML, fenced commands stay code. */
export function instructionParts(markdown: string): InstructionPart[] {
  const parts: InstructionPart[] = [];
  let prose: Token[] = [];
  const flush = () => {
    if (prose.length) parts.push({ kind: 'html', html: Parser.parse(Object.assign(prose, { links: {} }) as never) });
    prose = [];
  };
  for (const token of Lexer.lex(markdown)) {
    if (token.type === 'code') {
      flush();
      parts.push({ kind: 'code', language: token.lang || 'text', code: token.text });
    } else prose.push(token);
  }
  flush();
  return parts;
}

/**
 * Puts every lab's summary (validated lab.yaml, no checks or solutions) into the site's global
 * data, so a page renders a lab's steps even when the backend is unreachable.
 * A malformed lab fails the build with the file and the problem.
 */
export default function labCataloguePlugin(_context: LoadContext): Plugin<unknown> {
  return {
    name: 'lab-catalogue',
    loadContent: async (): Promise<LabPageData[]> =>
      loadLabs()
        .map(summarise)
        .map((lab) => ({ ...lab, steps: lab.steps.map((step) => ({ ...step, parts: instructionParts(step.instructions) })) })),
    contentLoaded: async ({ content, actions }) => {
      actions.setGlobalData({ labs: content as LabPageData[] });
    },
    getPathsToWatch: () => [`${labsDir}/**/lab.yaml`],
  };
}
