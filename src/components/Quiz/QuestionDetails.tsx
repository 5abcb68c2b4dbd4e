import CodeBlock from '@theme/CodeBlock';
import type { Question } from '@site/src/interview/bank';
import RichText, { Inline } from './RichText';
import styles from './styles.module.css';

/**
 * The part of a question shown after answering or revealing: answer, explanation, code, when to
 * use. A scenario's model answer and key points are shown by the flash card before this part;
 * its explanation is optional.
 */
export default function QuestionDetails({ question, showAnswer = true }: { question: Question; showAnswer?: boolean }) {
  return (
    <div className={styles.details}>
      {showAnswer && (
        <p className={styles.shortAnswer}>
          <strong>Answer: </strong>
          <Inline text={question.answer} />
        </p>
      )}
      {question.explanation && <RichText text={question.explanation} className={styles.explanation} />}
      {question.code && (
        <div className={styles.code}>
          <CodeBlock language={question.code.lang} title="Example">
            {question.code.source}
          </CodeBlock>
        </div>
      )}
      <div className={styles.whenToUse}>
        <strong>When you'd use this: </strong>
        <Inline text={question.whenToUse} />
      </div>
    </div>
  );
}
