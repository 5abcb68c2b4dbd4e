import type { Config } from '@docusaurus/types';
import type * as Preset from '@docusaurus/preset-classic';
import { themes as prismThemes } from 'prism-react-renderer';
import labCatalogue from './src/plugins/lab-catalogue';
import pageBoot from './src/plugins/page-boot';
import prismStatic from './src/plugins/prism-static';
import rehypeMermaidSvg from './src/plugins/rehype-mermaid-svg';
import remarkLabData from './src/plugins/remark-lab-data';
import remarkPrismStatic from './src/plugins/remark-prism-static';
import remarkSelfCheck from './src/plugins/remark-self-check';
import { ssrTemplate } from './src/plugins/ssr-template';
import zodJitless from './src/plugins/zod-jitless';

const config = {
  title: 'SSH Lab',
  tagline: 'Learn SSH and SCP by doing: real hosts, real keys, real checks.',
  favicon: 'img/favicon.svg',
  url: 'http://localhost',
  baseUrl: '/',
  trailingSlash: false,
  onBrokenLinks: 'throw',
  markdown: { hooks: { onBrokenMarkdownLinks: 'throw' } },
  i18n: { defaultLocale: 'en', locales: ['en'] },
  customFields: {
    /** Where the widget finds the API; empty means the same origin that served the page. */
    apiBase: process.env.SSH_LAB_API_BASE ?? '',
  },
  presets: [
    [
      'classic',
      {
        // Diagrams become inline SVG at build time: no page ships mermaid. Code blocks are highlighted
        // at build time: no page ships Prism. A self-check's questions are picked at build time: no
        // page ships the interview bank. A `<Lab>` gets its own lab's steps at build time: no page
        // ships every lab's.
        docs: {
          sidebarPath: './sidebars.ts',
          routeBasePath: 'docs',
          remarkPlugins: [remarkSelfCheck, remarkLabData, remarkPrismStatic],
          rehypePlugins: [rehypeMermaidSvg],
        },
        blog: false,
        theme: { customCss: './src/css/custom.css' },
      } satisfies Preset.Options,
    ],
  ],
  // No highlighting of the search terms on the page a result opens: it runs mark.js over the whole
  // article on every page view, searched or not, which Lighthouse counted as blocking time.
  themes: [['@easyops-cn/docusaurus-search-local', { hashed: true, indexBlog: false, docsRouteBasePath: '/docs', highlightSearchTermsOnTargetPage: false }]],
  plugins: [labCatalogue, zodJitless, prismStatic, pageBoot],
  // Scripts are asked for after the first paint: see src/plugins/ssr-template.ts.
  ssrTemplate,
  themeConfig: {
    colorMode: { respectPrefersColorScheme: true },
    navbar: {
      title: 'SSH Lab',
      // Empty alt: the title "SSH Lab" is right beside it, and a screen reader would read it twice.
      logo: { alt: '', src: 'img/favicon.svg' },
      items: [
        { type: 'docSidebar', sidebarId: 'tutorial', position: 'left', label: 'Tutorial' },
        { to: '/labs', label: 'Labs', position: 'left' },
        { to: '/challenges', label: 'Challenges', position: 'left' },
        { to: '/interview', label: 'Interview prep', position: 'left' },
      ],
    },
    footer: {
      style: 'dark',
      links: [
        {
          title: 'Learn',
          items: [
            { label: 'Tutorial', to: '/docs/why-ssh' },
            { label: 'Labs', to: '/labs' },
          ],
        },
        { title: 'Practise', items: [{ label: 'Interview prep', to: '/interview' }] },
      ],
      copyright: `SSH Lab. Tutorial text written for SSH Lab; OpenSSH is a trademark of the OpenBSD project.`,
    },
    // Code is highlighted at build time with the grammars of src/theme/CodeBlock/prism-runtime.ts (src/plugins/prism-static.ts).
    prism: { theme: prismThemes.github, darkTheme: prismThemes.dracula },
  } satisfies Preset.ThemeConfig,
} satisfies Config;

export default config;
