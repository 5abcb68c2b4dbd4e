export interface SelfCheckProps {
  /** A question-bank category id. */
  category: string;
  count?: number;
}

export default function SelfCheck({ category }: SelfCheckProps) {
  return <p>Self-check: {category}</p>;
}
