/**
 * Replaces @docusaurus/theme-common's hooks/useWindowSize.js in the browser bundle
 * (src/plugins/page-boot.ts): the same hook ("ssr" until mounted, then "desktop" or "mobile" at
 * Infima's 996 px breakpoint), except that its value changes in a transition. On a phone the
 * first change swaps the docs layout to its mobile form: the desktop sidebar and table of contents
 * go, the mobile sidebar's content is registered with the navbar. As an urgent update it ran in
 * the one synchronous render after hydration; as a transition React renders it in slices.
 */
import ExecutionEnvironment from '@docusaurus/ExecutionEnvironment';
import { startTransition, useEffect, useState } from 'react';

type WindowSize = 'desktop' | 'mobile' | 'ssr';

/** Infima's breakpoint: the CSS has the same value. */
const desktopBreakpoint = 996;

function windowSizeNow(breakpoint: number): WindowSize {
  if (!ExecutionEnvironment.canUseDOM) throw new Error('windowSizeNow() runs only after hydration');
  return window.innerWidth > breakpoint ? 'desktop' : 'mobile';
}

export function useWindowSize({ desktopBreakpoint: breakpoint = desktopBreakpoint }: { desktopBreakpoint?: number } = {}): WindowSize {
  // A constant first value: the server rendered with it, and hydration must match.
  const [windowSize, setWindowSize] = useState<WindowSize>('ssr');
  useEffect(() => {
    const update = () => startTransition(() => setWindowSize(windowSizeNow(breakpoint)));
    update();
    window.addEventListener('resize', update);
    return () => window.removeEventListener('resize', update);
  }, [breakpoint]);
  return windowSize;
}
