import type { CategoryId, ChoiceQuestion } from '../../interview/schema';

/** A self-check's first round, chosen at build time by src/plugins/remark-self-check.ts. */
export interface SelfCheckPick {
  category: CategoryId;
  title: string;
  count: number;
  seed: number;
  questions: ChoiceQuestion[];
}
