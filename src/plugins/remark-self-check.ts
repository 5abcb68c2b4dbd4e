import { CATEGORY_IDS, getCategory, isCategoryId } from '../interview/bank';
import { hashString, pickSelfCheck } from '../interview/quiz';
import type { SelfCheckPick } from '../components/SelfCheck/pick';
import { attribute, jsxElements, type MdxFile, setAttribute, type TreeNode, whereIs } from './mdx-tree';

/**
 * `<SelfCheck category="keys-auth" count={3} />` in a chapter gets its first questions picked at
 * build time (prop `picked`, JSON): the page ships those few questions, not the whole interview
 * bank, and its HTML shows them. "Try other questions" loads the bank when pressed. The seed is
 * the chapter's file and the category, so each chapter asks its own questions, the same on every
 * build. An unknown category fails the build, naming the file.
 */
export default function remarkSelfCheck() {
  return (tree: TreeNode, file: MdxFile) => {
    for (const node of jsxElements(tree, 'SelfCheck')) {
      const where = whereIs(file);
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
      setAttribute(node, 'picked', JSON.stringify(pick));
    }
  };
}
