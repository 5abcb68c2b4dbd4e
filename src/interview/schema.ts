import * as z from 'zod';

/**
 * The format of the interview question bank: one JSON file per category in
 * src/interview/questions/<category>.json. Validated when the site builds
 * (src/interview/bank.ts parses every file) and in tests/unit/interview-bank.test.ts.
 */

/** The six categories, in the order the site shows them. Ids are fixed: other pages link to them. */
export const CATEGORY_IDS = ['basics', 'keys-auth', 'scp-sftp-rsync', 'config-agent-forwarding', 'troubleshooting', 'internals-security'] as const;

export const categoryIdSchema = z.enum(CATEGORY_IDS);
export type CategoryId = z.infer<typeof categoryIdSchema>;

/** A non-empty string: whitespace alone does not count. */
const text = z.string().trim().min(1, 'must not be empty');
const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'use lower-case letters, digits and single dashes');

export const difficultySchema = z.enum(['easy', 'medium', 'hard']);
export type Difficulty = z.infer<typeof difficultySchema>;

export const codeExampleSchema = z
  .object({
    /** Prism language used to highlight the example. */
    lang: z.enum(['bash', 'ini', 'text', 'powershell']),
    source: text,
  })
  .strict();

export const optionSchema = z
  .object({
    text,
    correct: z.boolean(),
    /** Why this option is right, or why it is wrong. Shown as feedback. */
    why: text,
  })
  .strict();
export type Option = z.infer<typeof optionSchema>;

const common = {
  id: slug,
  category: categoryIdSchema,
  difficulty: difficultySchema,
  /** The question as asked. Inline `code` in backticks is rendered as code. */
  question: text,
  /** One or two sentences: what you would say first in an interview. */
  answer: text.max(400, 'keep the short answer short (400 characters at most)'),
  /** The fuller explanation shown after answering or revealing a card. */
  explanation: text,
  code: codeExampleSchema.optional(),
  /** When you would use this in practice. */
  whenToUse: text,
  tags: z.array(slug).min(1, 'give at least one tag'),
};

const options = z.array(optionSchema).min(2, 'a choice question needs at least two options').max(6);

/** Only one option is right. */
const singleSchema = z.object({ ...common, type: z.literal('single'), options }).strict();
/** One or more options are right ("choose all that apply"). */
const multipleSchema = z.object({ ...common, type: z.literal('multiple'), options }).strict();
/** No options: shown as a flash card only. */
const openSchema = z.object({ ...common, type: z.literal('open') }).strict();
/**
 * A situation to talk through ("a deploy job fails with …, what do you check?"). No options and
 * no automatic grading: the flash card shows the model answer, and the learner compares their own
 * against the key points. The model answer carries the reasoning, so `explanation` is optional
 * (background that goes beyond it).
 */
const scenarioSchema = z
  .object({
    ...common,
    type: z.literal('scenario'),
    explanation: text.optional(),
    /** What a strong candidate would say, in the bank's text format (paragraphs, lists). */
    modelAnswer: text.min(120, 'a model answer walks through the situation (120 characters at least)'),
    /** The points a self-graded answer should hit, each short. */
    keyPoints: z.array(text.max(160, 'keep a key point short (160 characters at most)')).min(2).max(8).optional(),
  })
  .strict();

export const QUESTION_TYPES = ['single', 'multiple', 'open', 'scenario'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export const questionSchema = z.discriminatedUnion('type', [singleSchema, multipleSchema, openSchema, scenarioSchema]).superRefine((q, ctx) => {
  if (q.type === 'open' || q.type === 'scenario') return;
  const right = q.options.filter((o) => o.correct).length;
  const wrong = q.options.length - right;
  if (q.type === 'single' && right !== 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['options'],
      message: `a single-choice question needs exactly one correct option (found ${right})`,
    });
  }
  if (right < 1) {
    ctx.addIssue({ code: 'custom', path: ['options'], message: 'a choice question needs at least one correct option' });
  }
  if (wrong < 1) {
    ctx.addIssue({ code: 'custom', path: ['options'], message: 'a choice question needs at least one wrong option' });
  }
  const seen = new Set<string>();
  q.options.forEach((o, i) => {
    // Case matters: `-r` and `-R` are different options.
    const key = o.text;
    if (seen.has(key)) {
      ctx.addIssue({ code: 'custom', path: ['options', i, 'text'], message: `duplicate option "${o.text}"` });
    }
    seen.add(key);
  });
});

export type Question = z.infer<typeof questionSchema>;
export type ChoiceQuestion = Extract<Question, { type: 'single' | 'multiple' }>;
export type OpenQuestion = Extract<Question, { type: 'open' }>;
export type ScenarioQuestion = Extract<Question, { type: 'scenario' }>;

/** One file: src/interview/questions/<id>.json. */
export const categoryFileSchema = z
  .object({
    id: categoryIdSchema,
    title: text,
    description: text,
    questions: z.array(questionSchema).min(1),
  })
  .strict()
  .superRefine((file, ctx) => {
    file.questions.forEach((q, i) => {
      if (q.category !== file.id) {
        ctx.addIssue({
          code: 'custom',
          path: ['questions', i, 'category'],
          message: `question "${q.id}" says category "${q.category}" but lives in the "${file.id}" file`,
        });
      }
    });
  });
export type CategoryFile = z.infer<typeof categoryFileSchema>;

/** All files together: category ids and question ids are unique across the whole bank. */
export const bankSchema = z.array(categoryFileSchema).superRefine((files, ctx) => {
  const categories = new Set<string>();
  const ids = new Map<string, string>();
  files.forEach((file, f) => {
    if (categories.has(file.id)) {
      ctx.addIssue({ code: 'custom', path: [f, 'id'], message: `category "${file.id}" appears twice` });
    }
    categories.add(file.id);
    file.questions.forEach((q, i) => {
      const where = ids.get(q.id);
      if (where !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [f, 'questions', i, 'id'],
          message: `duplicate question id "${q.id}" (also in "${where}")`,
        });
      }
      ids.set(q.id, file.id);
    });
  });
});

/** Quizzes grade only these; open and scenario questions are flash cards (self-graded). */
export function isChoice(q: Question): q is ChoiceQuestion {
  return q.type === 'single' || q.type === 'multiple';
}

export function isScenario(q: Question): q is ScenarioQuestion {
  return q.type === 'scenario';
}

/**
 * The answer-length giveaway: a single-choice question whose right option is strictly the longest
 * text. The bank keeps these to a third at most (tests/unit/interview-bank.test.ts), so that
 * length says nothing about which option is right.
 */
export function longestOptionIsCorrect(q: ChoiceQuestion): boolean {
  const lengths = q.options.map((o) => o.text.length);
  const longest = Math.max(...lengths);
  const winners = q.options.filter((o) => o.text.length === longest);
  return winners.length === 1 && winners[0]!.correct;
}

/**
 * Parses the bank and throws one readable error listing every problem (the build
 * shows it and stops). `source` names each file in the message.
 */
export function parseBank(files: unknown[], source: string[] = []): CategoryFile[] {
  const result = bankSchema.safeParse(files);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const [index, ...rest] = issue.path;
    const file = typeof index === 'number' ? (source[index] ?? `file #${index}`) : 'bank';
    const where = rest.length ? ` at ${rest.join('.')}` : '';
    return `  - ${file}${where}: ${issue.message}`;
  });
  throw new Error(`Invalid interview question bank:\n${lines.join('\n')}`);
}
