import { createContext } from 'react';

/**
 * A code block's lines as highlighted at build time (src/plugins/remark-prism-static.ts), from the
 * CodeBlock wrapper to CodeBlock/Content, which then needs no Prism in the browser.
 */
export const Prehighlighted = createContext<string | undefined>(undefined);
