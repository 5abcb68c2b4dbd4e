import ChallengeList from '@site/src/components/Challenge/ChallengeList';
import Layout from '@theme/Layout';

export default function ChallengesPage() {
  return (
    <Layout title="Challenges" description="Every SSH lab as a challenge: the goal and the hosts, no steps; hints on request; your times kept in this browser.">
      <main className="container margin-vert--lg">
        <h1>Challenges</h1>
        <p>
          Every lab, played without its steps: you get the goal and the hosts, and work it out in the terminal. <em>Check</em> runs the same checks as the
          guided lab and says what is still wrong; hints come one at a time when you ask. Your time and the hints you used stay in this browser.
        </p>
        <ChallengeList />
      </main>
    </Layout>
  );
}
