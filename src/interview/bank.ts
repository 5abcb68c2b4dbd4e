import basics from './questions/basics.json';
import keysAuth from './questions/keys-auth.json';
import scpSftpRsync from './questions/scp-sftp-rsync.json';
import configAgentForwarding from './questions/config-agent-forwarding.json';
import troubleshooting from './questions/troubleshooting.json';
import internalsSecurity from './questions/internals-security.json';
import { CATEGORY_IDS, isChoice, parseBank, type CategoryFile, type CategoryId, type ChoiceQuestion, type Question } from './schema';

export type { CategoryId, ChoiceQuestion, Question, ScenarioQuestion, Option, Difficulty } from './schema';
export { isChoice, isScenario, CATEGORY_IDS } from './schema';

/**
 * The validated question bank. Parsing happens when this module is first
 * evaluated, so a bad JSON file fails `docusaurus build` (and the unit tests)
 * with a message naming the file and the field.
 */
const files = parseBank(
  [basics, keysAuth, scpSftpRsync, configAgentForwarding, troubleshooting, internalsSecurity],
  CATEGORY_IDS.map((id) => `src/interview/questions/${id}.json`),
);

export interface Category {
  id: CategoryId;
  title: string;
  description: string;
  questions: Question[];
  /** The questions a quiz can ask (single and multiple choice). */
  choiceQuestions: ChoiceQuestion[];
}

function toCategory(file: CategoryFile): Category {
  return { ...file, choiceQuestions: file.questions.filter(isChoice) };
}

/** Categories in display order (the order of CATEGORY_IDS). */
export const categories: readonly Category[] = CATEGORY_IDS.map((id) => {
  const file = files.find((f) => f.id === id);
  if (!file) throw new Error(`Invalid interview question bank: no file for category "${id}"`);
  return toCategory(file);
});

export const questions: readonly Question[] = categories.flatMap((c) => c.questions);
export const choiceQuestions: readonly ChoiceQuestion[] = categories.flatMap((c) => c.choiceQuestions);

const byId = new Map<string, Question>(questions.map((q) => [q.id, q]));
const categoryById = new Map<string, Category>(categories.map((c) => [c.id, c]));

export function getQuestion(id: string): Question | undefined {
  return byId.get(id);
}

export function getCategory(id: string): Category | undefined {
  return categoryById.get(id);
}

export function isCategoryId(id: string): id is CategoryId {
  return categoryById.has(id);
}
