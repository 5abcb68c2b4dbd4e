import MDXComponents from '@theme-original/MDXComponents';
import Lab from '@site/src/components/Lab';
import SelfCheck from '@site/src/components/SelfCheck';

/** Components every MDX page can use without importing them. */
export default {
  ...MDXComponents,
  Lab,
  SelfCheck,
};
