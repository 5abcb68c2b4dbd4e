import CopyButton from '@theme/CodeBlock/Buttons/CopyButton';
import WordWrapButton from '@theme/CodeBlock/Buttons/WordWrapButton';
import type { Props } from '@theme/CodeBlock/Buttons';
import clsx from 'clsx';
import { startTransition, useEffect, useState } from 'react';
import styles from './styles.module.css';

/**
 * theme-classic's code block buttons, still client-only (not worth their SVG in the HTML), but
 * mounted in a transition instead of through BrowserOnly. BrowserOnly shows its children when
 * the page's isBrowser flag turns true after hydration, in the one synchronous render React runs
 * for every post-hydration update: a chapter's copy and wrap buttons, five components a block,
 * were all built in that single task. A transition is rendered in slices between other work.
 */
export default function CodeBlockButtons({ className }: Props) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => startTransition(() => setMounted(true)), []);
  if (!mounted) return null;
  return (
    <div className={clsx(className, styles.buttonGroup)}>
      <WordWrapButton />
      <CopyButton />
    </div>
  );
}
