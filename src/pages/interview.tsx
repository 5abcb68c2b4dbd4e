import Layout from '@theme/Layout';

export default function Page() {
  return (
    <Layout title="interview">
      <main className="container margin-vert--lg">
        <h1>interview</h1>
      </main>
    </Layout>
  );
}
