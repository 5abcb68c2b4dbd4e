// Stands in, in the browser bundle, for a module whose only effect the site does without (see src/plugins/prism-static.ts).
export {};
