import Layout from '@theme/Layout';
import LabList from '@site/src/components/LabList';

export default function LabsPage() {
  return (
    <Layout title="Labs" description="Hands-on SSH and SCP labs on real hosts, checked for you.">
      <main className="container margin-vert--lg">
        <h1>Hands-on labs</h1>
        <p>
          Each lab gives you a fresh workstation and the servers it needs, for you alone, in your browser. Follow the steps, press <em>Check</em>, and the
          checker inspects the real hosts and tells you what is still wrong. Your progress stays in this browser.
        </p>
        <LabList />
      </main>
    </Layout>
  );
}
