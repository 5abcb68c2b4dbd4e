import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { choiceQuestions } from '../../src/interview/bank';
import { correctIndices } from '../../src/interview/quiz';
import {
  currentAnswer,
  currentQuestion,
  initialQuizRound,
  quizRoundReducer,
  secondsLeft,
  type QuizRoundAction,
  type QuizRoundState,
} from '../../src/components/Quiz/quiz-round';

const single = choiceQuestions.filter((q) => q.type === 'single').slice(0, 2);
const multiple = choiceQuestions.find((q) => q.type === 'multiple' && correctIndices(q).length >= 2)!;
const wrongOf = (q: (typeof choiceQuestions)[number]) => q.options.findIndex((o) => !o.correct);

const apply = (state: QuizRoundState, ...actions: QuizRoundAction[]) => actions.reduce(quizRoundReducer, state);
const answerRight = (q: (typeof choiceQuestions)[number]): QuizRoundAction[] => [
  ...correctIndices(q).map((option) => ({ type: 'toggle' as const, option })),
  { type: 'submit' },
];

describe('a quiz round', () => {
  test('answer, next, finish: the score and the time taken', () => {
    const [a, b] = single as [(typeof single)[0], (typeof single)[0]];
    let s = apply(initialQuizRound([a, b], null), { type: 'clock-started', now: 1000 });
    s = apply(s, ...answerRight(a));
    assert.equal(currentAnswer(s)?.correct, true);
    s = apply(s, { type: 'next', now: 2000 }, { type: 'toggle', option: wrongOf(b) }, { type: 'submit' });
    assert.equal(currentAnswer(s)?.correct, false);
    s = apply(s, { type: 'next', now: 31_000, newBest: true });
    assert.equal(s.finished, true);
    assert.equal(s.elapsedMs, 30_000);
    assert.equal(s.newBest, true);
    assert.equal(currentQuestion(s), undefined);
  });

  test('submit needs a choice; an answered question takes no more toggles; next needs an answer', () => {
    const q = single[0]!;
    let s = apply(initialQuizRound([q], null), { type: 'submit' }, { type: 'next', now: 0 });
    assert.equal(s.answers.length, 0);
    assert.equal(s.finished, false);
    s = apply(s, { type: 'toggle', option: 0 }, { type: 'submit' }, { type: 'toggle', option: 1 });
    assert.deepEqual(s.answers[0]?.selected, [0]);
  });

  test('single choice replaces the choice; multiple choice toggles each option', () => {
    let s = apply(initialQuizRound([single[0]!], null), { type: 'toggle', option: 0 }, { type: 'toggle', option: 1 });
    assert.deepEqual(s.selected, [1]);
    s = apply(initialQuizRound([multiple], null), { type: 'toggle', option: 0 }, { type: 'toggle', option: 1 }, { type: 'toggle', option: 0 });
    assert.deepEqual(s.selected, [1]);
  });

  test('timed: a deadline per question from the client clock; time-up records a miss and stops the clock', () => {
    const [a, b] = single as [(typeof single)[0], (typeof single)[0]];
    let s = initialQuizRound([a, b], 45);
    assert.equal(s.deadline, null, 'no clock during the server render');
    s = apply(s, { type: 'clock-started', now: 10_000 });
    assert.equal(s.deadline, 55_000);
    assert.equal(secondsLeft(s.deadline, 10_500), 45);
    assert.equal(secondsLeft(s.deadline, 60_000), 0);
    s = apply(s, ...correctIndices(a).map((option) => ({ type: 'toggle' as const, option })), { type: 'time-up' });
    assert.deepEqual([currentAnswer(s)?.correct, currentAnswer(s)?.timedOut, s.deadline], [false, true, null]);
    s = apply(s, { type: 'next', now: 60_000 });
    assert.equal(s.deadline, 105_000);
    assert.equal(apply(s, { type: 'time-up' }, { type: 'time-up' }).answers.length, 2, 'a second time-up changes nothing');
  });

  test('reviewing mistakes replays only the missed questions, as a new round that sets no best', () => {
    const [a, b] = single as [(typeof single)[0], (typeof single)[0]];
    let s = apply(
      initialQuizRound([a, b], null),
      { type: 'clock-started', now: 0 },
      ...answerRight(a),
      { type: 'next', now: 1 },
      { type: 'toggle', option: wrongOf(b) },
      { type: 'submit' },
      { type: 'next', now: 2, newBest: true },
    );
    s = apply(s, { type: 'review-mistakes', now: 5 });
    assert.deepEqual(
      s.questions.map((q) => q.id),
      [b.id],
    );
    assert.deepEqual([s.review, s.round, s.index, s.answers.length, s.finished, s.newBest], [true, 1, 0, 0, false, false]);
    s = apply(s, ...answerRight(b), { type: 'next', now: 9, newBest: true });
    assert.deepEqual([s.finished, s.newBest, s.elapsedMs], [true, false, 4]);
  });
});
