import styles from './styles.module.css';

const keys: { label: string; send: string; title: string }[] = [
  { label: 'Esc', send: '\x1b', title: 'Escape' },
  { label: 'Tab', send: '\t', title: 'Tab (completion)' },
  { label: '←', send: '\x1b[D', title: 'Left' },
  { label: '↑', send: '\x1b[A', title: 'Up (history)' },
  { label: '↓', send: '\x1b[B', title: 'Down' },
  { label: '→', send: '\x1b[C', title: 'Right' },
  { label: '|', send: '|', title: 'Pipe' },
  { label: '~', send: '~', title: 'Tilde' },
  { label: '^C', send: '\x03', title: 'Ctrl+C (interrupt)' },
  { label: '^D', send: '\x04', title: 'Ctrl+D (end of input)' },
];

/** Keys a phone keyboard lacks, for touch screens. */
export default function KeyBar({ onKey }: { onKey: (sequence: string) => void }) {
  return (
    <div className={styles.keyBar} role="toolbar" aria-label="Terminal keys">
      {keys.map((key) => (
        <button key={key.label} type="button" className="button button--sm button--outline button--secondary" title={key.title} onClick={() => onKey(key.send)}>
          {key.label}
        </button>
      ))}
    </div>
  );
}
