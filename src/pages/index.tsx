import Link from '@docusaurus/Link';
import Layout from '@theme/Layout';
import styles from './index.module.css';

const tracks = [
  {
    title: 'Tutorial',
    to: '/docs/why-ssh',
    text: 'Eleven chapters from “why SSH” to how the protocol works inside: keys, scp, the config file, forwarding, hardening and troubleshooting. Every runnable example is tested.',
    cta: 'Start reading',
  },
  {
    title: 'Hands-on labs',
    to: '/labs',
    text: 'A real terminal on real Linux hosts made for you alone. Generate keys, copy them, move files with scp and rsync, tunnel ports, fix broken logins — and get told exactly what is wrong.',
    cta: 'Browse the labs',
  },
  {
    title: 'Interview prep',
    to: '/interview',
    text: 'A question bank with explanations, flash cards and quizzes by topic, with your best scores kept in your browser.',
    cta: 'Practise questions',
  },
];

const outcomes = [
  'Log in to a server and know what the host-key prompt protects you from',
  'Make ed25519 keys, install them with ssh-copy-id, and use an agent',
  'Copy files and folders with scp and rsync in both directions',
  'Write ~/.ssh/config entries, jump through bastions and forward ports',
  'Read ssh -v and fix “Permission denied (publickey)” and friends',
  'Explain key exchange, host keys and channels in an interview',
];

export default function Home() {
  return (
    <Layout title="Learn SSH and SCP by doing" description="A tutorial, hands-on labs on real OpenSSH hosts, and interview prep for SSH and SCP.">
      <header className={styles.hero}>
        <div className="container">
          <h1 className={styles.heroTitle}>Learn SSH and SCP by doing</h1>
          <p className={styles.heroText}>
            Real OpenSSH hosts in your browser, a tutorial you can run, and checks that tell you what is wrong — from your first login to interview-ready.
          </p>
          <div className={styles.heroButtons}>
            <Link className="button button--primary button--lg" to="/docs/install-and-first-login#lab-first-login">
              Try the first lab
            </Link>
            <Link className="button button--secondary button--lg" to="/docs/why-ssh">
              Read the tutorial
            </Link>
          </div>
        </div>
      </header>
      <main className="container margin-vert--xl">
        <div className="row">
          {tracks.map((t) => (
            <div key={t.title} className="col col--4 margin-bottom--lg">
              <div className={styles.track}>
                <h2>{t.title}</h2>
                <p>{t.text}</p>
                <Link to={t.to}>{t.cta} →</Link>
              </div>
            </div>
          ))}
        </div>
        <h2 className="margin-top--lg">What you will be able to do</h2>
        <ul className={styles.outcomes}>
          {outcomes.map((o) => (
            <li key={o}>{o}</li>
          ))}
        </ul>
      </main>
    </Layout>
  );
}
