import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { themes } from 'prism-react-renderer';
import { themeCss } from '../../src/plugins/prism-static';
import remarkPrismStatic from '../../src/plugins/remark-prism-static';
import { codeToHtml } from '../../src/theme/CodeBlock/highlight-html';
import { prism } from '../../src/theme/CodeBlock/prism-runtime';

/** Each line's tokens as [types, text], from codeToHtml's markup. */
function tokens(html: string): [string, string][][] {
  return [...html.matchAll(/<div class="token-line[^"]*">(.*?)<br><\/div>/g)].map(([, line]) =>
    [...line!.matchAll(/<span class="token ([^"]+)"[^>]*>(.*?)<\/span>/g)].map(([, types, text]) => [types!, text!]),
  );
}

describe('codeToHtml', () => {
  test('highlights bash with the grammars the browser chunk loads, a div per line', () => {
    const html = codeToHtml('# copy it\nscp notes.txt server:', 'bash', prism);
    const lines = tokens(html);
    assert.equal(lines.length, 2);
    assert.deepEqual(
      lines[0]!.find(([types]) => types === 'comment'),
      ['comment', '# copy it'],
    );
    assert.ok(
      lines[1]!.some(([types, text]) => types === 'function' && text === 'scp'),
      html,
    );
    for (const language of ['bash', 'powershell', 'ini']) assert.ok(prism.Prism.languages[language], `${language} grammar loaded`);
  });

  test("escapes the code's text: markup in a block stays text", () => {
    const html = codeToHtml('echo "<b>&amp;</b>" > out', 'bash', prism);
    assert.doesNotMatch(html, /<b>/);
    assert.match(html, /&lt;b&gt;&amp;amp;&lt;\/b&gt;/);
  });

  test('without Prism, or for a language it has no grammar for, every line is one plain token', () => {
    for (const html of [codeToHtml('a < b\n\nc', 'bash'), codeToHtml('a < b\n\nc', 'no-such-language', prism)]) {
      assert.deepEqual(tokens(html), [[['plain', 'a &lt; b']], [['plain', '']], [['plain', 'c']]]);
      assert.match(html, /<span class="token plain" style="display:inline-block"><\/span>/, 'an empty line keeps its height');
    }
  });

  test('magic-comment classes go on their lines, and numbered lines get their number cell', () => {
    const html = codeToHtml('one\ntwo', 'text', undefined, {
      lineClassNames: { 1: ['theme-code-block-highlighted-line'] },
      numbered: { line: 'L', number: 'N', content: 'C' },
    });
    assert.equal(
      html,
      '<div class="token-line L"><span class="N"></span><span class="C"><span class="token plain">one</span></span><br></div>' +
        '<div class="token-line theme-code-block-highlighted-line L"><span class="N"></span><span class="C"><span class="token plain">two</span></span><br></div>',
    );
  });
});

describe('remark-prism-static', () => {
  const block = (lang: string | null, value: string, meta: string | null = null) =>
    ({ type: 'code', lang, meta, value }) as {
      type: string;
      lang: string | null;
      meta: string | null;
      value: string;
      data?: { hProperties?: Record<string, unknown> };
    };

  test("gives every plain fence its lines' HTML, keeping other properties", () => {
    const bash = block('bash', 'ssh server', 'runnable setup="key"');
    const text = block(null, 'Permission denied (publickey).');
    bash.data = { hProperties: { id: 'kept' } };
    remarkPrismStatic()({ type: 'root', children: [{ type: 'blockquote', children: [bash] }, text] } as never);
    assert.equal(bash.data?.hProperties?.highlighted, codeToHtml('ssh server', 'bash', prism));
    assert.equal(bash.data?.hProperties?.id, 'kept');
    assert.equal(text.data?.hProperties?.highlighted, codeToHtml('Permission denied (publickey).', 'text', prism));
  });

  test('leaves to the browser the blocks theme-classic decorates, and mermaid to its own plugin', () => {
    const left = [
      block('bash', 'ssh a\n# highlight-next-line\nssh b'),
      block('bash', 'ssh a', '{1}'),
      block('bash', 'ssh a', 'showLineNumbers'),
      block('mermaid', 'graph TD; a-->b'),
    ];
    remarkPrismStatic()({ type: 'root', children: left } as never);
    for (const node of left) assert.equal(node.data, undefined, `${node.lang} ${node.meta ?? ''}`);
  });
});

describe('themeCss', () => {
  test("scopes each theme entry to its colour mode, and language entries to their language's blocks", () => {
    const css = themeCss(themes.github, 'light');
    assert.match(css, /\[data-theme='light'\] \.prism-code \.token\.comment,[^{]*\{\n {2}color: #999988;\n {2}font-style: italic;\n\}/);
    assert.doesNotMatch(css, /data-theme='dark'/);
    const scoped = themeCss({ plain: {}, styles: [{ types: ['tag'], languages: ['markup'], style: { color: 'red' } }] }, 'dark');
    assert.equal(scoped, "[data-theme='dark'] .prism-code.language-markup .token.tag {\n  color: red;\n}");
  });

  test('keeps the theme order, so a later entry wins over an earlier one for the same token, as in the theme', () => {
    const css = themeCss(
      {
        plain: {},
        styles: [
          { types: ['a'], style: { color: 'red' } },
          { types: ['a'], style: { color: 'blue' } },
        ],
      },
      'light',
    );
    assert.ok(css.indexOf('red') < css.indexOf('blue'));
  });
});
