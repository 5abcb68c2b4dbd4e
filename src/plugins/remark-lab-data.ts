import { labFolders, labsDir, loadLab } from '../labs/load';
import { labPageData } from './lab-catalogue';
import { attribute, jsxElements, type MdxFile, setAttribute, type TreeNode, whereIs } from './mdx-tree';

/**
 * `<Lab id="keygen" />` in a chapter gets that lab's steps at build time (prop `data`, JSON): the
 * page's own chunk carries the lab it shows, and the site's global data (in every page's main.js)
 * only the lists' cards. An unknown id fails the build, naming the file and the labs there are.
 */
export default function remarkLabData(options: { dir?: string } = {}) {
  const dir = options.dir ?? labsDir;
  return (tree: TreeNode, file: MdxFile) => {
    const elements = jsxElements(tree, 'Lab');
    // The folder is read once per page that has a lab, not once per <Lab>, nor for pages without one.
    const labs = elements.length > 0 ? labFolders(dir) : [];
    for (const node of elements) {
      const id = attribute(node, 'id') ?? '';
      if (!labs.includes(id)) throw new Error(`${whereIs(file)}: <Lab id="${id}">: no such lab. Labs: ${labs.join(', ')}.`);
      setAttribute(node, 'data', JSON.stringify(labPageData(loadLab(id, dir))));
    }
  };
}
