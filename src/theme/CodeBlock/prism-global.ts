import { Prism } from 'prism-react-renderer';

// Prism's language components (prismjs/components/prism-*.js) extend a global `Prism`.
(globalThis as { Prism?: unknown }).Prism = Prism;
