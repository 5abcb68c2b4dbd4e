import type { LoadContext, Plugin } from '@docusaurus/types';
import { labsDir, loadLabs, summarise } from '../labs/load';
import type { LabSummary } from '../protocol/catalogue';

/**
 * Puts every lab's summary (validated lab.yaml, no checks or solutions) into the site's global
 * data, so a page can render a lab's steps even when the backend is unreachable.
 * A malformed lab fails the build with the file and the problem.
 */
export default function labCataloguePlugin(_context: LoadContext): Plugin<unknown> {
  return {
    name: 'lab-catalogue',
    loadContent: async (): Promise<LabSummary[]> => loadLabs().map(summarise),
    contentLoaded: async ({ content, actions }) => {
      actions.setGlobalData({ labs: content as LabSummary[] });
    },
    getPathsToWatch: () => [`${labsDir}/**/lab.yaml`],
  };
}
