import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import * as z from 'zod';
import type { LabSummary } from '../protocol/catalogue.js';
import { projectRoot } from './project-root.js';
import { labDefinitionSchema, type LabDefinition } from './schema.js';

export const labsDir = join(projectRoot, 'labs');

export interface LoadedLab extends LabDefinition {
  /** The lab's folder on disk. */
  dir: string;
}

export class LabFormatError extends Error {}

export function labFolders(dir = labsDir): string[] {
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory() && existsSync(join(dir, name, 'lab.yaml')))
    .sort();
}

/** Reads and validates one lab folder's lab.yaml; the error names the file and every problem in it. */
export function loadLab(id: string, dir = labsDir): LoadedLab {
  const folder = join(dir, id);
  const file = join(folder, 'lab.yaml');
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LabFormatError(`${file}: ${(error as Error).message}`);
  }
  const result = labDefinitionSchema.safeParse(raw);
  if (!result.success) throw new LabFormatError(`${file}:\n${z.prettifyError(result.error)}`);
  if (result.data.id !== id) throw new LabFormatError(`${file}: id "${result.data.id}" must match its folder name "${id}"`);
  for (const setup of result.data.setup) {
    if (setup.files && !existsSync(join(folder, setup.files))) throw new LabFormatError(`${file}: setup files folder "${setup.files}" does not exist`);
  }
  return { ...result.data, dir: folder };
}

export function loadLabs(dir = labsDir): LoadedLab[] {
  return labFolders(dir).map((id) => loadLab(id, dir));
}

/** What the browser and GET /api/labs see: no checks, solutions or mistakes. */
export function summarise(lab: LabDefinition): LabSummary {
  return {
    id: lab.id,
    title: lab.title,
    summary: lab.summary,
    chapter: lab.chapter,
    difficulty: lab.difficulty,
    minutes: lab.minutes,
    hosts: lab.hosts.map((h) => ({ name: h.name, role: h.role, ...(h.description ? { description: h.description } : {}) })),
    steps: lab.steps.map((s) => ({ id: s.id, title: s.title, instructions: s.instructions, ...(s.optional ? { optional: true } : {}) })),
  };
}
