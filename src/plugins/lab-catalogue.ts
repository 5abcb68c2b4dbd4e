import type { LoadContext, Plugin } from '@docusaurus/types';
import { Lexer, Parser, type Token } from 'marked';
import { labsDir, loadLabs, summarise } from '../labs/load';
import type { LabDefinition } from '../labs/schema';
import { type InstructionPart, type LabPageData, labCard } from '../protocol/catalogue';

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

/** A lab as the site shows it: the summary, each step's instructions split into parts, and its hint. */
export function labPageData(lab: LabDefinition): LabPageData {
  const summary = summarise(lab);
  return {
    ...summary,
    steps: summary.steps.map((step, index) => {
      const hint = lab.steps[index]?.hint;
      return { ...step, parts: instructionParts(step.instructions), ...(hint ? { hint } : {}) };
    }),
  };
}

/**
 * Puts every lab's card (title, summary, step ids; validated lab.yaml, no checks or solutions) into
 * the site's global data for the lists, and adds each lab's challenge page (/challenges/<id>), which
 * gets that one lab's steps as its own data. A chapter's `<Lab>` gets its lab from
 * remark-lab-data.ts, so no page carries the instructions of labs it does not show. A malformed lab
 * fails the build with the file and the problem.
 */
export default function labCataloguePlugin(context: LoadContext): Plugin<unknown> {
  return {
    name: 'lab-catalogue',
    loadContent: async (): Promise<LabPageData[]> => loadLabs().map(labPageData),
    contentLoaded: async ({ content, actions }) => {
      const labs = content as LabPageData[];
      actions.setGlobalData({ labs: labs.map(labCard) });
      for (const lab of labs) {
        actions.addRoute({
          path: `${context.baseUrl}challenges/${lab.id}`,
          component: '@site/src/components/Challenge/ChallengePage',
          exact: true,
          modules: { lab: await actions.createData(`challenge-${lab.id}.json`, JSON.stringify(lab)) },
        });
      }
    },
    getPathsToWatch: () => [`${labsDir}/**/lab.yaml`],
  };
}
