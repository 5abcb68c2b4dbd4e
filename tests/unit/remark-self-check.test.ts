import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { getCategory } from '../../src/interview/bank';
import remarkSelfCheck from '../../src/plugins/remark-self-check';
import type { SelfCheckPick } from '../../src/components/SelfCheck/pick';

/** An MDX tree as remark-mdx parses `<SelfCheck category="…" count={n} />`. */
function page(attributes: { type: string; name: string; value: unknown }[]) {
  const element = { type: 'mdxJsxFlowElement', name: 'SelfCheck', attributes, children: [] };
  return { tree: { type: 'root', children: [{ type: 'paragraph', children: [] }, element] }, element };
}

const picked = (element: { attributes: { name: string; value: unknown }[] }): SelfCheckPick =>
  JSON.parse(String(element.attributes.find((a) => a.name === 'picked')?.value));

describe('remark-self-check', () => {
  test('adds the first questions of the category, as many as asked', () => {
    const { tree, element } = page([
      { type: 'mdxJsxAttribute', name: 'category', value: 'keys-auth' },
      { type: 'mdxJsxAttribute', name: 'count', value: { type: 'mdxJsxAttributeValueExpression', value: '2' } },
    ]);
    remarkSelfCheck()(tree, { path: '/site/docs/everyday-ssh.mdx', cwd: '/site' });
    const pick = picked(element);
    assert.equal(pick.category, 'keys-auth');
    assert.equal(pick.title, getCategory('keys-auth')?.title);
    assert.equal(pick.questions.length, 2);
    assert.ok(pick.questions.every((q) => q.category === 'keys-auth' && (q.type === 'single' || q.type === 'multiple')));
  });

  test('the same chapter picks the same questions on every build, another chapter its own', () => {
    const pickFor = (path: string) => {
      const { tree, element } = page([{ type: 'mdxJsxAttribute', name: 'category', value: 'basics' }]);
      remarkSelfCheck()(tree, { path, cwd: '/site' });
      return picked(element);
    };
    const once = pickFor('/site/docs/faq.mdx');
    assert.deepEqual(pickFor('/site/docs/faq.mdx'), once);
    assert.equal(once.count, 3);
    assert.notEqual(pickFor('/site/docs/install-and-first-login.mdx').seed, once.seed);
  });

  test('an unknown category fails the build, naming the file and the categories', () => {
    const { tree } = page([{ type: 'mdxJsxAttribute', name: 'category', value: 'keys' }]);
    assert.throws(
      () => remarkSelfCheck()(tree, { path: '/site/docs/scp.mdx', cwd: '/site' }),
      /docs\/scp\.mdx: <SelfCheck category="keys">: unknown category\. Use one of: basics, /,
    );
  });
});
