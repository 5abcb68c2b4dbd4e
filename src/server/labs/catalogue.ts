import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { LabChecks } from '../../labs/check-kit.js';
import { labsDir, loadLabs, summarise, LabFormatError, type LoadedLab } from '../../labs/load.js';
import type { LabSummary } from '../../protocol/catalogue.js';

/**
 * A lab's checks: its checks.ts when the server runs from source (tsx, tests), the compiled
 * dist/labs/<id>/checks.js when it runs compiled under plain node (npm start).
 */
function checksModule(definition: LoadedLab): string {
  if (import.meta.url.endsWith('.ts')) return join(definition.dir, 'checks.ts');
  return fileURLToPath(new URL(`../../../labs/${definition.id}/checks.js`, import.meta.url));
}

export interface RunnableLab {
  definition: LoadedLab;
  checks: LabChecks;
  summary: LabSummary;
}

/** Every lab folder, validated, with its check functions loaded. A broken lab stops the server at start-up. */
export class LabCatalogue {
  private constructor(private readonly labs: Map<string, RunnableLab>) {}

  static async load(dir = labsDir): Promise<LabCatalogue> {
    const labs = new Map<string, RunnableLab>();
    for (const definition of loadLabs(dir)) {
      const module = (await import(pathToFileURL(checksModule(definition)).href)) as { default?: LabChecks };
      const checks = module.default;
      if (!checks) throw new LabFormatError(`${definition.dir}/checks.ts has no default export (use defineChecks)`);
      const stepIds = definition.steps.map((s) => s.id);
      const missing = stepIds.filter((id) => typeof checks[id] !== 'function');
      const extra = Object.keys(checks).filter((id) => !stepIds.includes(id));
      if (missing.length || extra.length) {
        throw new LabFormatError(
          `${definition.dir}/checks.ts must export one check per step: ${missing.length ? `missing ${missing.join(', ')}` : ''}${extra.length ? ` unknown ${extra.join(', ')}` : ''}`,
        );
      }
      labs.set(definition.id, { definition, checks, summary: summarise(definition) });
    }
    return new LabCatalogue(labs);
  }

  get(id: string): RunnableLab | undefined {
    return this.labs.get(id);
  }

  all(): RunnableLab[] {
    return [...this.labs.values()];
  }

  summaries(): LabSummary[] {
    return this.all().map((lab) => lab.summary);
  }
}
