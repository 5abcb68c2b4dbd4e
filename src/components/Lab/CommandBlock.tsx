import { useState } from 'react';
import styles from './styles.module.css';

/** A command from the instructions, with Copy and (while a terminal is open) Run, which types it without pressing Enter. */
export default function CommandBlock({ code, language, onRun }: { code: string; language: string; onRun?: (text: string) => void }) {
  const [copied, setCopied] = useState(false);
  const shell = ['bash', 'sh', 'shell', 'console'].includes(language);
  const lines = code.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  return (
    <div className={styles.command}>
      <pre className={styles.commandCode}>
        <code>{code}</code>
      </pre>
      <div className={styles.commandButtons}>
        {shell && onRun && (
          <button
            type="button"
            className="button button--sm button--primary"
            title="Type this into the terminal (you press Enter)"
            data-testid="lab-run"
            onClick={() => onRun(lines.join(' && '))}
          >
            Run in terminal
          </button>
        )}
        <button
          type="button"
          className="button button--sm button--secondary"
          onClick={() => {
            void navigator.clipboard?.writeText(code).then(() => {
              setCopied(true);
              window.setTimeout(() => setCopied(false), 1500);
            });
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  );
}
