import { config } from 'zod/v4/core';

/**
 * What `zod` is in the browser bundle (src/plugins/zod-jitless aliases it here): zod itself,
 * configured before any schema is built. The site's Content-Security-Policy allows no
 * 'unsafe-eval'; zod would probe `new Function('')` when it builds an object schema, to compile
 * faster parsers, and the browser would report a CSP violation (Lighthouse's best-practices
 * audit). Parsing without that compiler is plenty fast for the widget's few messages. Only the
 * pages that use zod load it: it is no longer a client module every page evaluates.
 */
config({ jitless: true });

export * from 'zod/v4';
