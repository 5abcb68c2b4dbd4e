import type { ReactNode } from 'react';

/**
 * Renders the bank's light text format: paragraphs separated by blank lines,
 * "- " bullet lists, "1. " numbered lists, `inline code` and **bold**.
 * Deliberately tiny: question text is data, never HTML.
 */

export function Inline({ text }: { text: string }): ReactNode {
  const parts = text.split(/(`[^`]+`|\*\*[^*]+\*\*)/g);
  return parts.map((part, i) => {
    if (part.length > 2 && part.startsWith('`') && part.endsWith('`')) return <code key={i}>{part.slice(1, -1)}</code>;
    if (part.length > 4 && part.startsWith('**') && part.endsWith('**')) return <strong key={i}>{part.slice(2, -2)}</strong>;
    return part;
  });
}

type Block = { kind: 'p'; lines: string[] } | { kind: 'ul' | 'ol'; items: string[] };

function toBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  for (const chunk of text.split(/\n\s*\n/)) {
    for (const line of chunk.split('\n')) {
      const bullet = /^\s*[-*]\s+(.*)$/.exec(line);
      const numbered = /^\s*\d+\.\s+(.*)$/.exec(line);
      const last = blocks[blocks.length - 1];
      if (bullet || numbered) {
        const kind = bullet ? 'ul' : 'ol';
        const item = (bullet ?? numbered)![1]!;
        if (last && last.kind === kind) last.items.push(item);
        else blocks.push({ kind, items: [item] });
      } else if (line.trim()) {
        if (last && last.kind === 'p') last.lines.push(line.trim());
        else blocks.push({ kind: 'p', lines: [line.trim()] });
      }
    }
    // a blank line always ends the current block
    blocks.push({ kind: 'p', lines: [] });
  }
  return blocks.filter((b) => (b.kind === 'p' ? b.lines.length > 0 : b.items.length > 0));
}

export default function RichText({ text, className }: { text: string; className?: string }) {
  return (
    <div className={className}>
      {toBlocks(text).map((b, i) => {
        if (b.kind === 'p') {
          return (
            <p key={i}>
              <Inline text={b.lines.join(' ')} />
            </p>
          );
        }
        const List = b.kind;
        return (
          <List key={i}>
            {b.items.map((item, j) => (
              <li key={j}>
                <Inline text={item} />
              </li>
            ))}
          </List>
        );
      })}
    </div>
  );
}
