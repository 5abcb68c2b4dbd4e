import type { CodeBlockMetadata } from '@docusaurus/theme-common/internal';
import { useCodeBlockContext } from '@docusaurus/theme-common/internal';
import clsx from 'clsx';
import { useContext, useEffect, useState } from 'react';
import { codeToHtml, type LineOptions } from '../highlight-html';
import { Prehighlighted } from '../prehighlighted';
import styles from './styles.module.css';

/**
 * theme-classic's CodeBlock/Content, without Prism in the page: the lines are HTML made at build
 * time (src/plugins/remark-prism-static.ts) and set as the code element's content, so hydrating a
 * chapter does not rebuild thousands of token elements, and no page's main bundle carries Prism's
 * grammars (both were most of a long chapter's blocking time under Lighthouse's mobile CPU).
 * A block the build did not highlight (a quiz's example) shows plain lines, then its colours once
 * the Prism chunk (../prism-runtime) has loaded.
 */
function lineOptions(metadata: CodeBlockMetadata): LineOptions {
  return {
    lineClassNames: metadata.lineClassNames,
    numbered:
      metadata.lineNumbersStart === undefined ? undefined : { line: styles.codeLine!, number: styles.codeLineNumber!, content: styles.codeLineContent! },
  };
}

function useLinesHtml(metadata: CodeBlockMetadata): string {
  const prehighlighted = useContext(Prehighlighted);
  const { code, language } = metadata;
  const [runtime, setRuntime] = useState<{ code: string; html: string }>();
  useEffect(() => {
    if (prehighlighted !== undefined) return;
    let current = true;
    void import('../prism-runtime').then(({ prism }) => {
      if (current) setRuntime({ code, html: codeToHtml(code, language, prism, lineOptions(metadata)) });
    });
    return () => {
      current = false;
    };
  }, [prehighlighted, code, language, metadata]);
  if (prehighlighted !== undefined) return prehighlighted;
  return runtime?.code === code ? runtime.html : codeToHtml(code, language, undefined, lineOptions(metadata));
}

export default function CodeBlockContent({ className }: { className?: string }) {
  const { metadata, wordWrap } = useCodeBlockContext();
  const html = useLinesHtml(metadata);
  const start = metadata.lineNumbersStart;
  // The HTML is codeToHtml's: every token's text is escaped, the markup is its own.
  return (
    <pre
      ref={wordWrap.codeBlockRef}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a code block scrolls sideways; the keyboard must reach it (as in theme-classic)
      tabIndex={0}
      className={clsx(className, 'prism-code', `language-${metadata.language}`, styles.codeBlock, 'thin-scrollbar')}
    >
      <code
        className={clsx(styles.codeBlockLines, start !== undefined && styles.codeBlockLinesWithNumbering)}
        style={start === undefined ? undefined : { counterReset: `line-count ${start - 1}` }}
        dangerouslySetInnerHTML={{ __html: html }}
      />
    </pre>
  );
}
