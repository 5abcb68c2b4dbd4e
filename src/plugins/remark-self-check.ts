import { relative } from 'node:path';
import { CATEGORY_IDS, getCategory, isCategoryId } from '../interview/bank';
import { hashString, pickSelfCheck } from '../interview/quiz';
import type { SelfCheckPick } from '../components/SelfCheck/pick';

/** The parts of an MDX tree this plugin reads (mdast-util-mdx-jsx's element, as far as it is used). */
interface JsxAttribute {
  type: string;
  name?: string;
  value?: unknown;
}
interface TreeNode {
  type: string;
  name?: string | null;
  attributes?: JsxAttribute[];
  children?: TreeNode[];
}

function attribute(node: TreeNode, name: string): string | undefined {
  const found = node.attributes?.find((a) => a.type === 'mdxJsxAttribute' && a.name === name);
  if (!found) return undefined;
  // `category="basics"` is a string; `count={3}` an expression whose source text is `value`.
  if (typeof found.value === 'string') return found.value;
  const expression = found.value as { value?: unknown } | undefined;
  return typeof expression?.value === 'string' ? expression.value : undefined;
}

/**
 * `<SelfCheck category="keys-auth" count={3} />` in a chapter gets its first questions picked at
 * build time (prop `picked`, JSON): the page ships those few questions, not the whole interview
 * bank, and its HTML shows them. "Try other questions" loads the bank when pressed. The seed is
 * the chapter's file and the category, so each chapter asks its own questions, the same on every
 * build. An unknown category fails the build, naming the file.
 */
export default function remarkSelfCheck() {
  return (tree: TreeNode, file: { path?: string; cwd?: string }) => {
    const visit = (node: TreeNode) => {
      if (node.type === 'mdxJsxFlowElement' && node.name === 'SelfCheck') {
        const where = file.path ? relative(file.cwd ?? process.cwd(), file.path) : 'an MDX page';
        const category = attribute(node, 'category') ?? '';
        if (!isCategoryId(category)) {
          throw new Error(`${where}: <SelfCheck category="${category}">: unknown category. Use one of: ${CATEGORY_IDS.join(', ')}.`);
        }
        const count = Math.max(1, Math.floor(Number(attribute(node, 'count') ?? 3) || 3));
        const seed = hashString(`${where}#${category}`);
        const pick: SelfCheckPick = {
          category,
          title: getCategory(category)?.title ?? category,
          count,
          seed,
          questions: pickSelfCheck(category, count, seed),
        };
        node.attributes = [...(node.attributes ?? []), { type: 'mdxJsxAttribute', name: 'picked', value: JSON.stringify(pick) }];
      }
      for (const child of node.children ?? []) visit(child);
    };
    visit(tree);
  };
}
