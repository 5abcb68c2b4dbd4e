import Layout from '@theme/Layout';

export default function Home() {
  return (
    <Layout title="SSH Lab">
      <main className="container margin-vert--lg">
        <h1>SSH Lab</h1>
      </main>
    </Layout>
  );
}
