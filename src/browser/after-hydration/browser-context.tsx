/**
 * Replaces @docusaurus/core's client/browserContext.js in the browser bundle (src/plugins/page-boot.ts).
 * The same provider, except that isBrowser turns true in a transition. Docusaurus flips it in an
 * effect right after hydration, and an update from an effect is urgent: every consumer (colour
 * mode toggle, sidebar categories, tabs, BrowserOnly) re-rendered in one synchronous task with
 * every other post-hydration update. A transition is rendered in slices between other work, and
 * hydration itself already is one (Docusaurus hydrates inside startTransition).
 */
import { createContext, type ReactNode, startTransition, useEffect, useState } from 'react';

export const Context = createContext(false);

export function BrowserContextProvider({ children }: { children: ReactNode }) {
  const [isBrowser, setIsBrowser] = useState(false);
  useEffect(() => startTransition(() => setIsBrowser(true)), []);
  return <Context.Provider value={isBrowser}>{children}</Context.Provider>;
}
