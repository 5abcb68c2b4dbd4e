import { useEffect, useState } from 'react';

/** "12:05": minutes and seconds from `now` until `expiresAt`, never below zero. */
export function formatTimeLeft(expiresAt: string, now: number): string {
  const seconds = Math.max(0, Math.round((new Date(expiresAt).getTime() - now) / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** The session's countdown. It ticks on its own, so the rest of the widget does not re-render every second. */
export default function TimeLeft({ expiresAt }: { expiresAt: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  return <span data-testid="lab-time-left">time left {formatTimeLeft(expiresAt, now)}</span>;
}
