import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { categories, choiceQuestions, getCategory, questions, type ChoiceQuestion } from '../../src/interview/bank';
import {
  correctIndices,
  isAnswerCorrect,
  optionOrder,
  pickQuestions,
  pickSelfCheck,
  seededRandom,
  shuffle,
  summarize,
  type AnswerRecord,
} from '../../src/interview/quiz';
import { isBetter } from '../../src/interview/progress';

const single = choiceQuestions.find((q) => q.type === 'single')!;
const multiple = choiceQuestions.find((q) => q.type === 'multiple' && correctIndices(q).length >= 2)!;

function record(q: ChoiceQuestion, correct: boolean): AnswerRecord {
  return { questionId: q.id, category: q.category, selected: [], correct };
}

describe('quiz logic', () => {
  test('grading: a single-choice answer is right only with the right option', () => {
    const [right] = correctIndices(single);
    const wrong = single.options.findIndex((o) => !o.correct);
    assert.equal(isAnswerCorrect(single, [right!]), true);
    assert.equal(isAnswerCorrect(single, [wrong]), false);
    assert.equal(isAnswerCorrect(single, []), false);
  });

  test('grading: a multiple-choice answer must be exactly the set of right options', () => {
    const right = correctIndices(multiple);
    const wrong = multiple.options.findIndex((o) => !o.correct);
    assert.equal(isAnswerCorrect(multiple, right), true);
    assert.equal(isAnswerCorrect(multiple, [...right].reverse()), true, 'order does not matter');
    assert.equal(isAnswerCorrect(multiple, right.slice(1)), false, 'missing one');
    assert.equal(isAnswerCorrect(multiple, [...right, wrong]), false, 'one too many');
  });

  test('a category quiz asks every choice question of that category once', () => {
    for (const c of categories) {
      const picked = pickQuestions(c.id, 'all', seededRandom(1));
      assert.equal(picked.length, c.choiceQuestions.length);
      assert.equal(new Set(picked.map((q) => q.id)).size, picked.length);
      assert.ok(picked.every((q) => q.category === c.id && (q.type === 'single' || q.type === 'multiple')));
    }
  });

  test('quizzes grade only what they can: no open or scenario question is ever picked', () => {
    const everything = pickQuestions('mix', 'all', seededRandom(3));
    assert.equal(everything.length, choiceQuestions.length);
    assert.ok(everything.every((q) => q.type === 'single' || q.type === 'multiple'));
    assert.ok(
      questions.some((q) => q.type === 'scenario'),
      'the bank has scenarios to leave out',
    );
    for (const c of categories) {
      assert.ok(pickSelfCheck(c.id, 100, 1).every((q) => q.type === 'single' || q.type === 'multiple'));
    }
  });

  test('a random mix draws N distinct questions, reproducible from the seed', () => {
    const a = pickQuestions('mix', 10, seededRandom(42));
    const b = pickQuestions('mix', 10, seededRandom(42));
    assert.equal(a.length, 10);
    assert.equal(new Set(a.map((q) => q.id)).size, 10);
    assert.deepEqual(
      a.map((q) => q.id),
      b.map((q) => q.id),
    );
    assert.ok(new Set(pickQuestions('mix', 30, seededRandom(7)).map((q) => q.category)).size > 1);
  });

  test('self-check picks are deterministic, clamped and easy first', () => {
    const a = pickSelfCheck('keys-auth', 3, 99);
    assert.deepEqual(a, pickSelfCheck('keys-auth', 3, 99));
    assert.equal(a.length, 3);
    const rank = { easy: 0, medium: 1, hard: 2 };
    assert.ok(a.every((q, i) => i === 0 || rank[a[i - 1]!.difficulty] <= rank[q.difficulty]));
    assert.equal(pickSelfCheck('basics', 500, 1).length, getCategory('basics')!.choiceQuestions.length);
  });

  test('option order is a stable permutation', () => {
    const order = optionOrder(multiple, 5);
    assert.deepEqual([...order].sort(), multiple.options.map((_, i) => i).sort());
    assert.deepEqual(order, optionOrder(multiple, 5));
    assert.deepEqual(shuffle([], Math.random), []);
  });

  test('summary: score, per-category results and missed ids in order', () => {
    const [b1, b2] = getCategory('basics')!.choiceQuestions;
    const [t1] = getCategory('troubleshooting')!.choiceQuestions;
    const summary = summarize([record(b1!, true), record(t1!, false), record(b2!, false)]);
    assert.equal(summary.correct, 1);
    assert.equal(summary.total, 3);
    assert.equal(summary.percent, 33);
    assert.deepEqual(summary.missed, [t1!.id, b2!.id]);
    assert.deepEqual(
      summary.byCategory.map((r) => [r.category, r.correct, r.total]),
      [
        ['basics', 1, 2],
        ['troubleshooting', 0, 1],
      ],
    );
    assert.equal(summarize([]).percent, 0);
  });

  test('best score: higher percentage wins, then more questions', () => {
    assert.equal(isBetter({ correct: 5, total: 10 }, undefined), true);
    assert.equal(isBetter({ correct: 6, total: 10 }, { correct: 5, total: 10 }), true);
    assert.equal(isBetter({ correct: 4, total: 10 }, { correct: 5, total: 10 }), false);
    assert.equal(isBetter({ correct: 10, total: 20 }, { correct: 5, total: 10 }), true);
    assert.equal(isBetter({ correct: 5, total: 10 }, { correct: 5, total: 10 }), false);
  });
});
