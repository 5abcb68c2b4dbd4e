import type { ChoiceQuestion } from '../../interview/bank';
import { isAnswerCorrect, type AnswerRecord } from '../../interview/quiz-core';

/**
 * One quiz round as a pure reducer: the question shown, the options chosen, the answers given,
 * the per-question deadline in timed mode, and the replay of a round's mistakes. Time comes in
 * with the actions (`now`), so the reducer is deterministic and the server render has no clock.
 */

export interface QuizRoundState {
  questions: ChoiceQuestion[];
  /** A replay of the previous round's mistakes. */
  review: boolean;
  /** Changes on every round, so per-round keys and the option order change with it. */
  round: number;
  index: number;
  selected: number[];
  answers: AnswerRecord[];
  finished: boolean;
  /** The first round set a new best score (known when it finishes). */
  newBest: boolean;
  /** Seconds per question in timed mode, else null. */
  secondsPerQuestion: number | null;
  /** Epoch ms when the clock started (null until the browser has one). */
  startedAt: number | null;
  /** Epoch ms by which the current question must be answered (timed mode, unanswered). */
  deadline: number | null;
  /** Time the finished round took. */
  elapsedMs: number;
}

export type QuizRoundAction =
  | { type: 'clock-started'; now: number }
  | { type: 'toggle'; option: number }
  | { type: 'submit' }
  | { type: 'time-up' }
  | { type: 'next'; now: number; newBest?: boolean }
  | { type: 'review-mistakes'; now: number };

export function initialQuizRound(questions: ChoiceQuestion[], secondsPerQuestion: number | null): QuizRoundState {
  return {
    questions,
    review: false,
    round: 0,
    index: 0,
    selected: [],
    answers: [],
    finished: false,
    newBest: false,
    secondsPerQuestion,
    startedAt: null,
    deadline: null,
    elapsedMs: 0,
  };
}

export const currentQuestion = (s: QuizRoundState): ChoiceQuestion | undefined => (s.finished ? undefined : s.questions[s.index]);
/** The answer given to the current question, once submitted. */
export const currentAnswer = (s: QuizRoundState): AnswerRecord | undefined => (s.answers.length > s.index ? s.answers[s.index] : undefined);
/** "Next" ends the round. */
export const isLastQuestion = (s: QuizRoundState): boolean => s.index + 1 >= s.questions.length;

const deadlineFrom = (s: QuizRoundState, now: number) => (s.secondsPerQuestion === null ? null : now + s.secondsPerQuestion * 1000);

function record(s: QuizRoundState, timedOut: boolean): QuizRoundState {
  const question = currentQuestion(s);
  if (!question || currentAnswer(s)) return s;
  const entry: AnswerRecord = {
    questionId: question.id,
    category: question.category,
    selected: [...s.selected].sort((a, b) => a - b),
    correct: !timedOut && isAnswerCorrect(question, s.selected),
    ...(timedOut ? { timedOut: true } : {}),
  };
  return { ...s, answers: [...s.answers, entry], deadline: null };
}

export function quizRoundReducer(s: QuizRoundState, action: QuizRoundAction): QuizRoundState {
  switch (action.type) {
    case 'clock-started':
      return s.startedAt === null ? { ...s, startedAt: action.now, deadline: currentAnswer(s) ? null : deadlineFrom(s, action.now) } : s;
    case 'toggle': {
      const question = currentQuestion(s);
      if (!question || currentAnswer(s)) return s;
      if (question.type === 'single') return { ...s, selected: [action.option] };
      const selected = s.selected.includes(action.option) ? s.selected.filter((x) => x !== action.option) : [...s.selected, action.option];
      return { ...s, selected };
    }
    case 'submit':
      return s.selected.length ? record(s, false) : s;
    case 'time-up':
      return record(s, true);
    case 'next':
      if (!currentAnswer(s)) return s;
      if (!isLastQuestion(s)) return { ...s, index: s.index + 1, selected: [], deadline: deadlineFrom(s, action.now) };
      return {
        ...s,
        selected: [],
        finished: true,
        deadline: null,
        elapsedMs: s.startedAt === null ? 0 : action.now - s.startedAt,
        newBest: !s.review && Boolean(action.newBest),
      };
    case 'review-mistakes': {
      const missed = new Set(s.answers.filter((a) => !a.correct).map((a) => a.questionId));
      const questions = s.questions.filter((q) => missed.has(q.id));
      return {
        ...s,
        questions,
        review: true,
        round: s.round + 1,
        index: 0,
        selected: [],
        answers: [],
        finished: false,
        newBest: false,
        startedAt: action.now,
        deadline: deadlineFrom(s, action.now),
        elapsedMs: 0,
      };
    }
  }
}

/** Whole seconds left before the deadline (never below zero), or null with no deadline. */
export function secondsLeft(deadline: number | null, now: number): number | null {
  return deadline === null ? null : Math.max(0, Math.ceil((deadline - now) / 1000));
}
