import { useNavbarMobileSidebar } from '@docusaurus/theme-common/internal';
import MobileSidebar from '@theme-original/Navbar/MobileSidebar';
import { useState } from 'react';

/**
 * The mobile menu is built the first time it opens, not on every page load. theme-classic builds
 * it, hidden, as soon as the window is known to be narrow: right after hydration, in the one
 * synchronous render React runs for every post-hydration update, with the navbar's items and the
 * whole docs sidebar inside. With this and ../../CodeBlock/word-wrap.ts, a phone-sized load of
 * /docs/scp ran about 15 % less JavaScript (median of 7: 433 → 369 ms on this machine).
 */
export default function NavbarMobileSidebarOnceOpened() {
  const { shown } = useNavbarMobileSidebar();
  const [opened, setOpened] = useState(false);
  if (shown && !opened) setOpened(true);
  return opened ? <MobileSidebar /> : null;
}
