/**
 * The page template (`ssrTemplate`): Docusaurus's own (core/lib/ssg/ssgTemplate.html), except for
 * the scripts. Docusaurus puts them in <head> with `defer`: fetched at once, beside the stylesheet
 * the first paint waits for. Here an inline script at the end of <body> adds them, in order, once
 * the browser reports the first contentful paint (at once in a tab that is not visible, which
 * paints nothing; after 3 s at the latest). A docs page's text is all in the HTML, so it shows
 * without them, and on a slow link the stylesheet no longer shares the bandwidth with ~130 KB of
 * JavaScript. Lighthouse's mobile run counted every script asked for before the largest paint as
 * holding that paint back: 4.4 s on /docs/scp, about 1.9 s with the scripts asked for after it.
 * (Waiting one frame was not enough: the paint's timestamp is when the frame is shown, which can
 * come after a timer set in that frame.)
 * The Content-Security-Policy allows this script by its hash, as every inline script of the
 * built pages (src/server/security-headers.ts).
 */
const loader = (scripts: string) =>
  `(function(){var s=${scripts},done=false;function go(){if(done)return;done=true;s.forEach(function(u){var e=document.createElement('script');e.src=u;e.async=false;document.head.appendChild(e)})}` +
  `if(document.visibilityState!=='visible'){go();return}setTimeout(go,3000);` +
  `try{new PerformanceObserver(function(list){if(list.getEntriesByName('first-contentful-paint').length)go()}).observe({type:'paint',buffered:true})}catch(e){go()}})()`;

export const ssrTemplate = `<!DOCTYPE html>
<html <%~ it.htmlAttributes %>>
  <head>
    <meta charset="UTF-8">
    <meta name="generator" content="Docusaurus v<%= it.version %>">
    <% it.metaAttributes.forEach((metaAttribute) => { %>
      <%~ metaAttribute %>
    <% }); %>
    <%~ it.headTags %>
    <% it.stylesheets.forEach((stylesheet) => { %>
      <link rel="stylesheet" href="<%= it.baseUrl %><%= stylesheet %>" />
    <% }); %>
  </head>
  <body <%~ it.bodyAttributes %>>
    <%~ it.preBodyTags %>
    <div id="__docusaurus"><%~ it.appHtml %></div>
    <%~ it.postBodyTags %>
    <script>${loader('<%~ JSON.stringify(it.scripts.map((script) => it.baseUrl + script)) %>')}</script>
  </body>
</html>
`;
