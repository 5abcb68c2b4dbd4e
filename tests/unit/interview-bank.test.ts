import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CATEGORY_IDS,
  bankSchema,
  categoryFileSchema,
  parseBank,
  questionSchema,
  type CategoryFile,
} from '../../src/interview/schema';
import { categories, questions, choiceQuestions, getQuestion } from '../../src/interview/bank';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../src/interview/questions');
const fileNames = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const raw = (): unknown[] => fileNames.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
const clone = <T>(v: T): T => structuredClone(v);

/** A valid single-choice question to mutate in the negative tests. */
const validQuestion = {
  id: 'sample-question',
  category: 'basics',
  difficulty: 'easy',
  type: 'single',
  question: 'Which port does sshd listen on by default?',
  answer: '22.',
  explanation: 'IANA assigned port 22 to SSH.',
  whenToUse: 'Firewall rules.',
  tags: ['port'],
  options: [
    { text: '22', correct: true, why: 'The SSH port.' },
    { text: '23', correct: false, why: 'Telnet.' },
  ],
};
const fileWith = (...qs: unknown[]) => ({ id: 'basics', title: 'Basics', description: 'd', questions: qs });

describe('interview question bank: the data', () => {
  test('one JSON file per category, named after it', () => {
    assert.deepEqual(fileNames, [...CATEGORY_IDS].map((id) => `${id}.json`).sort());
    for (const name of fileNames) {
      const data = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { id: string };
      assert.equal(`${data.id}.json`, name);
    }
  });

  test('every file validates against the schema and the whole bank parses', () => {
    for (const [i, file] of raw().entries()) {
      const result = categoryFileSchema.safeParse(file);
      assert.ok(result.success, `${fileNames[i]}: ${result.success ? '' : result.error.message}`);
    }
    assert.doesNotThrow(() => parseBank(raw(), fileNames));
  });

  test('at least 80 questions in at least 6 categories', () => {
    assert.ok(categories.length >= 6, `${categories.length} categories`);
    assert.deepEqual(
      categories.map((c) => c.id),
      [...CATEGORY_IDS],
    );
    assert.ok(questions.length >= 80, `${questions.length} questions`);
    for (const c of categories) {
      assert.ok(c.questions.length >= 10, `${c.id} has only ${c.questions.length} questions`);
      assert.ok(c.choiceQuestions.length >= 8, `${c.id} has only ${c.choiceQuestions.length} quiz questions`);
    }
  });

  test('most questions are single or multiple choice, and all three types are used', () => {
    assert.ok(choiceQuestions.length / questions.length >= 0.75);
    const types = new Set(questions.map((q) => q.type));
    assert.deepEqual([...types].sort(), ['multiple', 'open', 'single']);
    for (const d of ['easy', 'medium', 'hard'] as const) {
      assert.ok(questions.some((q) => q.difficulty === d), `no ${d} question`);
    }
  });

  test('question ids are unique and resolvable', () => {
    const ids = questions.map((q) => q.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const q of questions) assert.equal(getQuestion(q.id), q);
  });

  test('choice questions: single has exactly one right option, all have a wrong one', () => {
    for (const q of choiceQuestions) {
      const right = q.options.filter((o) => o.correct).length;
      assert.ok(right >= 1 && right < q.options.length, q.id);
      if (q.type === 'single') assert.equal(right, 1, q.id);
    }
  });

  test('version-specific facts are stated where the bank relies on them', () => {
    const text = JSON.stringify(raw());
    assert.match(text, /9\.0/); // scp uses SFTP, sntrup761x25519 default
    assert.match(text, /8\.8/); // ssh-rsa SHA-1 signatures disabled
    assert.match(text, /sntrup761x25519-sha512@openssh\.com/);
    assert.match(text, /scp -O/);
  });
});

describe('interview question bank: the schema rejects bad data', () => {
  test('a valid sample passes (so the rejections below are meaningful)', () => {
    assert.ok(questionSchema.safeParse(validQuestion).success);
    assert.ok(bankSchema.safeParse([fileWith(validQuestion)]).success);
  });

  test('duplicate question id within a file', () => {
    const result = bankSchema.safeParse([fileWith(validQuestion, clone(validQuestion))]);
    assert.equal(result.success, false);
    assert.match(JSON.stringify(result.error?.issues), /duplicate question id/);
  });

  test('duplicate question id across files', () => {
    const files = raw() as CategoryFile[];
    const [a, b] = [clone(files[0]!), clone(files[1]!)];
    b.questions[0] = { ...b.questions[0]!, id: a.questions[0]!.id };
    assert.throws(() => parseBank([a, b], ['a.json', 'b.json']), /duplicate question id/);
  });

  test('multiple-choice question without a wrong option', () => {
    const q = { ...clone(validQuestion), type: 'multiple' };
    q.options = q.options.map((o) => ({ ...o, correct: true }));
    const result = questionSchema.safeParse(q);
    assert.equal(result.success, false);
    assert.match(JSON.stringify(result.error?.issues), /at least one wrong option/);
  });

  test('multiple-choice question without a right option', () => {
    const q = { ...clone(validQuestion), type: 'multiple' };
    q.options = q.options.map((o) => ({ ...o, correct: false }));
    assert.equal(questionSchema.safeParse(q).success, false);
  });

  test('single-choice question with two right options', () => {
    const q = clone(validQuestion);
    q.options.push({ text: '2222', correct: true, why: 'Also right?' });
    const result = questionSchema.safeParse(q);
    assert.equal(result.success, false);
    assert.match(JSON.stringify(result.error?.issues), /exactly one correct option/);
  });

  test('empty or blank strings', () => {
    for (const field of ['question', 'answer', 'explanation', 'whenToUse', 'id'] as const) {
      assert.equal(questionSchema.safeParse({ ...validQuestion, [field]: '' }).success, false, field);
    }
    assert.equal(questionSchema.safeParse({ ...validQuestion, explanation: '   ' }).success, false);
    const q = clone(validQuestion);
    q.options[1]!.why = '';
    assert.equal(questionSchema.safeParse(q).success, false, 'option.why');
    assert.equal(questionSchema.safeParse({ ...validQuestion, tags: [''] }).success, false, 'tag');
  });

  test('missing fields, unknown fields, bad enums', () => {
    const { whenToUse: _omit, ...missing } = validQuestion;
    assert.equal(questionSchema.safeParse(missing).success, false);
    assert.equal(questionSchema.safeParse({ ...validQuestion, hint: 'x' }).success, false);
    assert.equal(questionSchema.safeParse({ ...validQuestion, difficulty: 'trivial' }).success, false);
    assert.equal(questionSchema.safeParse({ ...validQuestion, category: 'networking' }).success, false);
    assert.equal(questionSchema.safeParse({ ...validQuestion, type: 'essay' }).success, false);
  });

  test('open questions must not have options; choice questions must', () => {
    assert.equal(questionSchema.safeParse({ ...validQuestion, type: 'open' }).success, false);
    const { options: _o, ...noOptions } = validQuestion;
    assert.equal(questionSchema.safeParse(noOptions).success, false);
    assert.ok(questionSchema.safeParse({ ...noOptions, type: 'open' }).success);
  });

  test('a question filed under the wrong category', () => {
    const result = categoryFileSchema.safeParse({ ...fileWith(validQuestion), id: 'troubleshooting' });
    assert.equal(result.success, false);
  });

  test('parseBank names the file and field in its error', () => {
    const bad = fileWith({ ...validQuestion, answer: '' });
    assert.throws(() => parseBank([bad], ['src/interview/questions/basics.json']), (err: Error) => {
      assert.match(err.message, /src\/interview\/questions\/basics\.json at questions\.0\.answer/);
      return true;
    });
  });
});
