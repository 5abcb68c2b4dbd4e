import clsx from 'clsx';
import { useEffect, useState } from 'react';
import { secondsLeft } from './quiz-round';
import styles from './styles.module.css';

/**
 * A timed question's countdown. It ticks on its own, so the question around it does not re-render
 * four times a second, and calls `onTimeUp` once when the deadline passes.
 */
export default function QuestionTimer({ deadline, onTimeUp }: { deadline: number; onTimeUp(): void }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(timer);
  }, [deadline]);
  const remaining = secondsLeft(deadline, now) ?? 0;
  useEffect(() => {
    if (remaining === 0) onTimeUp();
    // Only the moment it reaches zero matters, not a new callback identity.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [remaining === 0]);
  return (
    <span role="timer" aria-label={`${remaining} seconds left`} className={clsx(styles.timer, remaining <= 10 && styles.timerLow)}>
      {remaining}s
    </span>
  );
}
