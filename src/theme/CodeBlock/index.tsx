import CodeBlock from '@theme-original/CodeBlock';
import type CodeBlockType from '@theme/CodeBlock';
import type { WrapperProps } from '@docusaurus/types';
import { useEffect, useState } from 'react';
import { isAnyLabRunning, onActiveChange, requestRun } from '@site/src/components/Lab/bus';

type Props = WrapperProps<typeof CodeBlockType>;

const shells = ['language-bash', 'language-sh', 'language-shell'];

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
