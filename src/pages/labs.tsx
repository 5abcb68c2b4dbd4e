import Layout from '@theme/Layout';

export default function Page() {
  return (
    <Layout title="labs">
      <main className="container margin-vert--lg">
        <h1>labs</h1>
      </main>
    </Layout>
  );
}
