import type { useCodeWordWrap as themeCommonHook } from '@docusaurus/theme-common/internal';
import { startTransition, useCallback, useEffect, useRef, useState } from 'react';

type WordWrap = ReturnType<typeof themeCommonHook>;

/**
 * theme-common's useCodeWordWrap, with the same result (the wrap toggle, shown when the code
 * scrolls sideways), minus two costs it adds to every page load. Its tab-visibility state starts
 * `undefined` and is set to `null` after mount for a block outside a hidden tab, so every code
 * block of a page rendered again; and the scrollability it measures after mount arrived as a
 * blocking update. Both landed in the one synchronous render React runs after hydration (most of
 * the page's code blocks re-rendered in it). Here a block outside a hidden tab sets no state, and
 * scrollability is a transition, which React renders in slices.
 */
export function useCodeWordWrap(): WordWrap {
  const [isEnabled, setIsEnabled] = useState(false);
  const [isCodeScrollable, setIsCodeScrollable] = useState(false);
  const codeBlockRef = useRef<HTMLPreElement | null>(null);

  const toggle = useCallback(() => {
    const code = codeBlockRef.current?.querySelector('code');
    if (!code) return;
    if (isEnabled) {
      code.removeAttribute('style');
    } else {
      code.style.whiteSpace = 'pre-wrap';
      // Very long words and tokens wrap too: no scrollbar at all while wrapping.
      code.style.overflowWrap = 'anywhere';
    }
    setIsEnabled((value) => !value);
  }, [isEnabled]);

  const updateCodeIsScrollable = useCallback(() => {
    const block = codeBlockRef.current;
    if (!block) return;
    const scrollable = block.scrollWidth > block.clientWidth || Boolean(block.querySelector('code')?.hasAttribute('style'));
    startTransition(() => setIsCodeScrollable(scrollable));
  }, []);

  useEffect(() => {
    updateCodeIsScrollable();
  }, [isEnabled, updateCodeIsScrollable]);

  useEffect(() => {
    window.addEventListener('resize', updateCodeIsScrollable, { passive: true });
    return () => window.removeEventListener('resize', updateCodeIsScrollable);
  }, [updateCodeIsScrollable]);

  // A block in a hidden tab measures 0 wide: measure again when its tab is shown.
  useEffect(() => {
    const hiddenTab = codeBlockRef.current?.closest('[role=tabpanel][hidden]');
    if (!hiddenTab) return;
    const observer = new MutationObserver(() => {
      if (!hiddenTab.hasAttribute('hidden')) updateCodeIsScrollable();
    });
    observer.observe(hiddenTab, { attributes: true, attributeFilter: ['hidden'] });
    return () => observer.disconnect();
  }, [updateCodeIsScrollable]);

  return { codeBlockRef, isEnabled, isCodeScrollable, toggle };
}
