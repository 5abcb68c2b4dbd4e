import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATEGORY_IDS, bankSchema, categoryFileSchema, longestOptionIsCorrect, parseBank, questionSchema, type CategoryFile } from '../../src/interview/schema';
import { categories, questions, choiceQuestions, getQuestion } from '../../src/interview/bank';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../src/interview/questions');
const fileNames = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();
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

  test('at least 150 questions in 6 categories, each with easy and hard ones', () => {
    assert.deepEqual(
      categories.map((c) => c.id),
      [...CATEGORY_IDS],
    );
    assert.ok(questions.length >= 150, `${questions.length} questions`);
    for (const c of categories) {
      assert.ok(c.questions.length >= 20, `${c.id} has only ${c.questions.length} questions`);
      assert.ok(c.choiceQuestions.length >= 12, `${c.id} has only ${c.choiceQuestions.length} quiz questions`);
      for (const d of ['easy', 'hard'] as const) {
        const n = c.questions.filter((q) => q.difficulty === d).length;
        assert.ok(n >= 3, `${c.id} has only ${n} ${d} questions`);
      }
    }
  });

  test('most questions are quiz questions, all four types are used, at least 20 scenarios', () => {
    assert.ok(choiceQuestions.length / questions.length >= 0.6, `${choiceQuestions.length} of ${questions.length}`);
    const types = new Set(questions.map((q) => q.type));
    assert.deepEqual([...types].sort(), ['multiple', 'open', 'scenario', 'single']);
    const scenarios = questions.filter((q) => q.type === 'scenario').length;
    assert.ok(scenarios >= 20, `${scenarios} scenario questions`);
    for (const d of ['easy', 'medium', 'hard'] as const) {
      assert.ok(
        questions.some((q) => q.difficulty === d),
        `no ${d} question`,
      );
    }
  });

  test('the length of an option does not give the answer away', () => {
    // At most a third of single-choice questions may have the right option as the strictly
    // longest one, in every category and over the whole bank.
    const ratio = (qs: readonly (typeof choiceQuestions)[number][]) => {
      const single = qs.filter((q) => q.type === 'single');
      return { giveaways: single.filter(longestOptionIsCorrect).map((q) => q.id), total: single.length };
    };
    for (const c of categories) {
      const { giveaways, total } = ratio(c.choiceQuestions);
      assert.ok(giveaways.length * 3 <= total, `${c.id}: ${giveaways.length} of ${total} (${giveaways.join(', ')})`);
    }
    const { giveaways, total } = ratio(choiceQuestions);
    assert.ok(giveaways.length * 3 <= total, `whole bank: ${giveaways.length} of ${total}`);
  });

  test('no other length rank gives the answer away either', () => {
    // Rewriting options against the longest-is-right pattern must not create a new one
    // (say, "the second longest is right"): no rank may hold more than 45% of the right answers.
    const single = choiceQuestions.filter((q) => q.type === 'single');
    const counts = new Map<number, number>();
    for (const q of single) {
      const lengths = q.options.map((o) => o.text.length);
      const right = lengths[q.options.findIndex((o) => o.correct)]!;
      const rank = new Set(lengths.filter((l) => l > right)).size;
      counts.set(rank, (counts.get(rank) ?? 0) + 1);
    }
    for (const [rank, n] of counts) {
      assert.ok(n / single.length <= 0.45, `the right option has length rank ${rank} in ${n} of ${single.length}`);
    }
  });

  test('longestOptionIsCorrect: strictly longest and right, ties do not count', () => {
    const q = (...texts: [string, boolean][]) =>
      questionSchema.parse({ ...validQuestion, options: texts.map(([text, correct]) => ({ text, correct, why: 'w' })) });
    const check = (...texts: [string, boolean][]) => {
      const parsed = q(...texts);
      assert.ok(parsed.type === 'single');
      return longestOptionIsCorrect(parsed);
    };
    assert.equal(check(['the long right one', true], ['short', false]), true);
    assert.equal(check(['right', true], ['a longer wrong one', false]), false);
    assert.equal(check(['same len', true], ['equal ln', false]), false);
  });

  test('scenario questions carry a model answer; the bank has no near-duplicate question texts', () => {
    for (const q of questions) {
      if (q.type === 'scenario') assert.ok(q.modelAnswer.length >= 120, q.id);
    }
    const normal = (t: string) =>
      t
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, ' ')
        .trim();
    const seen = new Map<string, string>();
    for (const q of questions) {
      const key = normal(q.question);
      assert.equal(seen.get(key), undefined, `${q.id} asks the same as ${seen.get(key)}`);
      seen.set(key, q.id);
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

  test('scenario questions: a model answer is required, options are not allowed', () => {
    const { options: _o, explanation: _e, ...base } = validQuestion;
    const scenario = {
      ...base,
      type: 'scenario',
      modelAnswer:
        'First check whether sshd runs and listens (ss -tlnp), then the firewall between, then the address the client really uses. Each step rules out one layer.',
      keyPoints: ['Is sshd running?', 'Is a firewall in the way?'],
    };
    assert.ok(questionSchema.safeParse(scenario).success, 'a valid scenario (explanation optional)');
    assert.ok(questionSchema.safeParse({ ...scenario, keyPoints: undefined }).success, 'key points optional');
    const { modelAnswer: _m, ...noModel } = scenario;
    assert.equal(questionSchema.safeParse(noModel).success, false, 'no model answer');
    assert.equal(questionSchema.safeParse({ ...scenario, modelAnswer: 'Check sshd.' }).success, false, 'too short');
    assert.equal(questionSchema.safeParse({ ...scenario, modelAnswer: '   ' }).success, false, 'blank');
    assert.equal(questionSchema.safeParse({ ...scenario, keyPoints: ['only one'] }).success, false, 'one key point');
    assert.equal(questionSchema.safeParse({ ...scenario, keyPoints: ['a', ''] }).success, false, 'empty key point');
    assert.equal(questionSchema.safeParse({ ...scenario, keyPoints: ['a', 'x'.repeat(161)] }).success, false, 'key point too long');
    assert.equal(questionSchema.safeParse({ ...scenario, options: validQuestion.options }).success, false, 'options');
    assert.equal(questionSchema.safeParse({ ...validQuestion, modelAnswer: scenario.modelAnswer }).success, false, 'modelAnswer on a choice question');
  });

  test('a question filed under the wrong category', () => {
    const result = categoryFileSchema.safeParse({ ...fileWith(validQuestion), id: 'troubleshooting' });
    assert.equal(result.success, false);
  });

  test('parseBank names the file and field in its error', () => {
    const bad = fileWith({ ...validQuestion, answer: '' });
    assert.throws(
      () => parseBank([bad], ['src/interview/questions/basics.json']),
      (err: Error) => {
        assert.match(err.message, /src\/interview\/questions\/basics\.json at questions\.0\.answer/);
        return true;
      },
    );
  });
});
