import * as z from 'zod';

/**
 * The site's Content-Security-Policy allows no 'unsafe-eval'. zod would probe `new Function('')`
 * on its first object parse to compile faster parsers: the CSP blocks it and the browser reports
 * a violation (Lighthouse's best-practices audit). Parsing without that compiler is plenty fast
 * for the widget's few messages. A Docusaurus client module: it runs before any page renders.
 */
z.config({ jitless: true });
