import ExecutionEnvironment from '@docusaurus/ExecutionEnvironment';

/**
 * A client module: links stop prefetching their pages when they scroll into view. Docusaurus's
 * Link watches each internal link with an IntersectionObserver and, once it is visible, adds
 * `<link rel=prefetch>` tags for that page's chunks; on a docs page the callbacks of all the
 * visible links ran in one task of about 100 ms on this 2-core machine (400 ms of Lighthouse's
 * blocking time at its 4× CPU slowdown). A link still loads its page's chunks when the pointer or
 * a finger reaches it (Link's preload on mouseenter and touchstart), and a page whose chunks were
 * not loaded yet loads them on the click.
 *
 * Link calls `window.docusaurus.prefetch`, which the client entry assigns after the client modules
 * have run; the object it assigns is frozen, so it is replaced here as it is assigned.
 */
interface DocusaurusGlobal {
  prefetch: (routePath: string) => unknown;
  preload: (routePath: string) => unknown;
}

if (ExecutionEnvironment.canUseDOM) {
  let current: DocusaurusGlobal | undefined;
  Object.defineProperty(window, 'docusaurus', {
    configurable: true,
    enumerable: true,
    get: () => current,
    set: (assigned: DocusaurusGlobal) => {
      current = Object.freeze({ ...assigned, prefetch: () => false });
    },
  });
}
