import type CodeBlockType from '@theme/CodeBlock';
import ElementContent from '@theme/CodeBlock/Content/Element';
import StringContent from '@theme/CodeBlock/Content/String';
import type { WrapperProps } from '@docusaurus/types';
import { Children, isValidElement, useEffect, useState } from 'react';
import { isAnyLabRunning, onActiveChange, requestRun } from '@site/src/components/Lab/bus';
import { Prehighlighted } from './prehighlighted';

/** `highlighted`: the block's lines as HTML, set by the build (src/plugins/remark-prism-static.ts). */
type Props = WrapperProps<typeof CodeBlockType> & { highlighted?: string };

const shells = ['language-bash', 'language-sh', 'language-shell'];

/**
 * The code block itself, as theme-classic's CodeBlock renders it, without its remount after
 * hydration (`key={String(isBrowser)}`): that remount rebuilt every code block of a page, Prism
 * tokens and all, in one task of ~0.7 s at Lighthouse's mobile CPU (most of a long chapter's
 * blocking time). It is no longer needed: useColorMode() lags on purpose (theme-common's
 * colorMode.js) so the first client render matches the server's, and a dark theme arrives as
 * an ordinary update, which React applies to the DOM.
 */
function CodeBlock({ children, highlighted, ...props }: Props) {
  const all = Children.toArray(children);
  const text = all.some((child) => isValidElement(child)) ? undefined : all.join('');
  if (text === undefined) return <ElementContent {...props}>{children}</ElementContent>;
  return (
    <Prehighlighted.Provider value={highlighted}>
      <StringContent {...props}>{text}</StringContent>
    </Prehighlighted.Provider>
  );
}

/** Shell blocks in the tutorial get "Run in terminal" while a lab on the page is running (typed, not executed). */
export default function CodeBlockWrapper(props: Props) {
  const [labRunning, setLabRunning] = useState(false);
  const isShell = shells.some((c) => props.className?.includes(c)) && typeof props.children === 'string';
  useEffect(() => {
    if (!isShell) return;
    setLabRunning(isAnyLabRunning());
    return onActiveChange(() => setLabRunning(isAnyLabRunning()));
  }, [isShell]);
  const command = isShell
    ? String(props.children)
        .split('\n')
        .filter((line) => line.trim() && !line.trim().startsWith('#'))
        .join(' && ')
    : '';
  return (
    <>
      <CodeBlock {...props} />
      {isShell && labRunning && command && (
        <button
          type="button"
          className="button button--sm button--primary margin-bottom--md"
          style={{ marginTop: '-0.75rem' }}
          onClick={() => requestRun(command)}
        >
          Run in terminal ↓
        </button>
      )}
    </>
  );
}
