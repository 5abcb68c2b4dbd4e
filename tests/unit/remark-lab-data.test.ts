import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { loadLab } from '../../src/labs/load';
import { labPageData } from '../../src/plugins/lab-catalogue';
import remarkLabData from '../../src/plugins/remark-lab-data';
import type { LabPageData } from '../../src/protocol/catalogue';

/** An MDX tree as remark-mdx parses `<Lab id="…" />`, inside a section. */
function page(id: string) {
  const element = { type: 'mdxJsxFlowElement', name: 'Lab', attributes: [{ type: 'mdxJsxAttribute', name: 'id', value: id }], children: [] };
  return {
    tree: {
      type: 'root',
      children: [
        { type: 'paragraph', children: [] },
        { type: 'blockquote', children: [element] },
      ],
    },
    element,
  };
}

const data = (element: { attributes: { name: string; value: unknown }[] }): LabPageData =>
  JSON.parse(String(element.attributes.find((a) => a.name === 'data')?.value));

describe('remark-lab-data', () => {
  test("gives each <Lab> its own lab's steps, as the lab catalogue renders them", () => {
    const { tree, element } = page('keygen');
    remarkLabData()(tree, { path: '/site/docs/everyday-ssh.mdx', cwd: '/site' });
    assert.deepEqual(data(element), labPageData(loadLab('keygen')));
    assert.equal(element.attributes.filter((a) => a.name === 'data').length, 1);
  });

  test('a page cannot set the data itself: the build replaces it', () => {
    const { tree, element } = page('keygen');
    element.attributes.push({ type: 'mdxJsxAttribute', name: 'data', value: '{"id":"forged"}' });
    remarkLabData()(tree, { path: '/site/docs/everyday-ssh.mdx', cwd: '/site' });
    assert.equal(element.attributes.filter((a) => a.name === 'data').length, 1);
    assert.equal(data(element).id, 'keygen');
  });

  test('an unknown or missing id fails the build, naming the file and the labs there are', () => {
    for (const id of ['no-such-lab', '', '../labs/keygen']) {
      const { tree } = page(id);
      assert.throws(
        () => remarkLabData()(tree, { path: '/site/docs/scp.mdx', cwd: '/site' }),
        (error: Error) => error.message.startsWith(`docs/scp.mdx: <Lab id="${id}">: no such lab. Labs: `) && error.message.includes('keygen'),
      );
    }
  });
});
