import Layout from '@theme/Layout';
import Challenge from '.';
import { useLabData } from '../Lab/useLabData';

/** The page of one challenge, /challenges/<id>: the route the lab-catalogue plugin adds per lab passes the lab's id. */
export default function ChallengePage({ labId }: { labId: string }) {
  const lab = useLabData(labId);
  return (
    <Layout title={lab ? `Challenge: ${lab.title}` : 'Challenge'} description={lab?.summary}>
      <main className="container margin-vert--lg">
        <Challenge id={labId} />
      </main>
    </Layout>
  );
}
