import * as z from 'zod';

/** What the browser and the API show of a lab: data only, never check code. */
export const labStepSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  instructions: z.string(),
  optional: z.boolean().optional(),
});

export const labHostSummarySchema = z.object({
  name: z.string(),
  role: z.enum(['workstation', 'server']),
  description: z.string().optional(),
});

export const labSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  summary: z.string(),
  chapter: z.string(),
  difficulty: z.enum(['beginner', 'intermediate', 'advanced']),
  minutes: z.number(),
  hosts: z.array(labHostSummarySchema),
  steps: z.array(labStepSummarySchema),
});

export type LabStepSummary = z.infer<typeof labStepSummarySchema>;
export type LabHostSummary = z.infer<typeof labHostSummarySchema>;
export type LabSummary = z.infer<typeof labSummarySchema>;

/** A step's instructions split for the widget: prose as HTML (rendered at build), commands as code blocks with Run/Copy. */
export type InstructionPart = { kind: 'html'; html: string } | { kind: 'code'; language: string; code: string };

export interface LabPageStep extends LabStepSummary {
  parts: InstructionPart[];
  /** The step's hint from lab.yaml: a nudge the challenge reveals one at a time, on request. */
  hint?: string;
}

export interface LabPageData extends Omit<LabSummary, 'steps'> {
  steps: LabPageStep[];
}

/**
 * A lab on the lists (/labs, /challenges), in every page's global data: what a card shows and the
 * steps' ids. A lab's instructions reach only the pages that show that lab (src/plugins/remark-lab-data.ts
 * and the challenge pages' own data).
 */
export interface LabCard extends Pick<LabSummary, 'id' | 'title' | 'summary' | 'chapter' | 'difficulty' | 'minutes'> {
  steps: Pick<LabStepSummary, 'id' | 'optional'>[];
}

export function labCard(lab: LabSummary | LabPageData): LabCard {
  const { id, title, summary, chapter, difficulty, minutes } = lab;
  return { id, title, summary, chapter, difficulty, minutes, steps: lab.steps.map((s) => ({ id: s.id, ...(s.optional ? { optional: true } : {}) })) };
}
