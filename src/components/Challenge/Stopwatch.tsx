import { useEffect, useState } from 'react';
import { type ChallengeAttempt, elapsedMs, formatDuration } from './challenge';

/** The attempt's clock. It ticks on its own, so the rest of the challenge does not re-render every second. */
export default function Stopwatch({ attempt }: { attempt: ChallengeAttempt }) {
  const [now, setNow] = useState(() => Date.now());
  const running = !attempt.finished;
  useEffect(() => {
    if (!running) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [running]);
  return (
    <span data-testid="challenge-timer" data-running={running ? 'true' : 'false'}>
      time {formatDuration(elapsedMs(attempt, now))}
    </span>
  );
}
