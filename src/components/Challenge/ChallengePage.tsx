import Layout from '@theme/Layout';
import Challenge from '.';
import type { LabPageData } from '../../protocol/catalogue';

/** The page of one challenge, /challenges/<id>: the route the lab-catalogue plugin adds per lab brings that lab's data. */
export default function ChallengePage({ lab }: { lab: LabPageData }) {
  return (
    <Layout title={`Challenge: ${lab.title}`} description={lab.summary}>
      <main className="container margin-vert--lg">
        <Challenge lab={lab} />
      </main>
    </Layout>
  );
}
