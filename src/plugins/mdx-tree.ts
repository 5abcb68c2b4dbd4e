import { relative } from 'node:path';

/** The parts of an MDX tree the build's remark plugins read (mdast-util-mdx-jsx's element, as far as they use it). */
export interface JsxAttribute {
  type: string;
  name?: string;
  value?: unknown;
}
export interface TreeNode {
  type: string;
  name?: string | null;
  attributes?: JsxAttribute[];
  children?: TreeNode[];
}
export interface MdxFile {
  path?: string;
  cwd?: string;
}

/** A JSX attribute's value: `category="basics"` is a string; `count={3}` an expression whose source text is `value`. */
export function attribute(node: TreeNode, name: string): string | undefined {
  const found = node.attributes?.find((a) => a.type === 'mdxJsxAttribute' && a.name === name);
  if (!found) return undefined;
  if (typeof found.value === 'string') return found.value;
  const expression = found.value as { value?: unknown } | undefined;
  return typeof expression?.value === 'string' ? expression.value : undefined;
}

/** Sets a string attribute, replacing one of the same name (a page never sets the build's own props). */
export function setAttribute(node: TreeNode, name: string, value: string): void {
  node.attributes = [...(node.attributes ?? []).filter((a) => a.name !== name), { type: 'mdxJsxAttribute', name, value }];
}

/** Every flow element of the tree named `name`, in document order. */
export function jsxElements(tree: TreeNode, name: string): TreeNode[] {
  const found: TreeNode[] = [];
  const visit = (node: TreeNode) => {
    if (node.type === 'mdxJsxFlowElement' && node.name === name) found.push(node);
    for (const child of node.children ?? []) visit(child);
  };
  visit(tree);
  return found;
}

/** The page's file, relative to the site, for build errors. */
export function whereIs(file: MdxFile): string {
  return file.path ? relative(file.cwd ?? process.cwd(), file.path) : 'an MDX page';
}
