/**
 * Prism for the code blocks that were not highlighted at build time (a quiz's example code): its
 * own chunk, loaded when such a block mounts, so no page carries Prism in its main bundle.
 * prism-global comes first: Prism's language components register into a global `Prism`.
 */
import './prism-global';
import 'prismjs/components/prism-bash';
import 'prismjs/components/prism-powershell';
import 'prismjs/components/prism-ini';
import { normalizeTokens, Prism } from 'prism-react-renderer';
import type { PrismLike } from './highlight-html';

export const prism: PrismLike = { Prism, normalizeTokens };
