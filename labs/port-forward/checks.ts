import { defineChecks, fail, pass, tcpListeners, type CheckContext } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const server = 'server';
/** Where setup put the dashboard page, served by busybox httpd on server's 127.0.0.1:8080 only. */
const pagePath = '/var/tmp/dashboard/index.html';
const localPort = 9090;
const savedPath = '~/dashboard.html';

async function dashboardPage(lab: CheckContext): Promise<string> {
  const page = await lab.readFile(server, pagePath);
  if (page === null) throw new Error(`the dashboard page ${pagePath} is missing on server; end the lab and start a new one`);
  return page;
}

/** What a browser on the workstation would get from http://localhost:<port>/ (body, status, curl's exit code). */
async function fetchLocal(lab: CheckContext, port: number): Promise<{ exit: number | null; status: string; body: string }> {
  const result = await lab.exec(
    workstation,
    `f=$(mktemp); code=$(curl -s --max-time 4 -o "$f" -w '%{http_code}' http://127.0.0.1:${port}/); rc=$?; printf '%s %s\\n' "$rc" "$code"; cat "$f"; rm -f "$f"`,
  );
  const newline = result.stdout.indexOf('\n');
  const [exit, status] = result.stdout.slice(0, newline).split(' ');
  return { exit: Number(exit), status: status ?? '', body: result.stdout.slice(newline + 1) };
}

export default defineChecks({
  'open-tunnel': async (lab) => {
    const page = await dashboardPage(lab);
    const open = await tcpListeners(lab, workstation);
    if (!open.some((l) => l.port === localPort)) {
      const others = open.filter((l) => l.ssh).map((l) => l.port);
      if (others.length) {
        return fail(
          `Nothing listens on port ${localPort} on workstation, but your ssh listens on ${others.join(', ')}. The number before the first colon of -L is the workstation's side: use -L ${localPort}:localhost:8080.`,
        );
      }
      return fail(
        `Nothing listens on port ${localPort} on workstation: no local forward is open. A -R forward would open the port on server instead, and an ssh that ended (or was never started with -f -N) holds no tunnel.`,
      );
    }
    // Something else that listens on the port (a web server serving a copy of the page) is no tunnel.
    if (!open.some((l) => l.port === localPort && l.ssh)) {
      return fail(
        `Port ${localPort} on workstation is held by a program of yours that is not your ssh: a tunnel is a listener ssh -L opens. Stop that program and open the forward with ssh -f -N -L ${localPort}:localhost:8080 server.`,
      );
    }
    const answer = await fetchLocal(lab, localPort);
    if (answer.exit === 52 || answer.exit === 56 || (answer.exit !== 0 && answer.status === '000')) {
      return fail(
        `Port ${localPort} on workstation accepts connections, but nothing answers at the far end: server's sshd could not connect to the target you gave after -L. The dashboard listens on server's own loopback, so the target is localhost:8080 as server sees it.`,
      );
    }
    if (answer.body !== page) {
      return fail(
        `Port ${localPort} on workstation answers (HTTP ${answer.status}), but not with server's dashboard page. Point the forward at localhost:8080 on server.`,
      );
    }
    return pass(`http://localhost:${localPort}/ on workstation reaches server's dashboard through your tunnel.`);
  },

  'save-page': async (lab) => {
    const page = await dashboardPage(lab);
    const saved = await lab.stat(workstation, savedPath);
    if (!saved) return fail(`There is no ${savedPath} on workstation yet. Save the page with curl -o ${savedPath} (or >).`);
    if (saved.type !== 'file') return fail(`${savedPath} on workstation is a ${saved.type}, not a file.`);
    const text = (await lab.readFile(workstation, savedPath)) ?? '';
    if (text === page) return pass(`${savedPath} on workstation holds server's dashboard page, token included.`);
    if (!text.trim()) {
      return fail(
        `${savedPath} on workstation is empty: the request reached no web server. server:8080 is closed to the network (the dashboard listens on server's 127.0.0.1 only); ask the workstation end of your tunnel, localhost:${localPort}.`,
      );
    }
    if (/404 Not Found/i.test(text)) {
      return fail(
        `${savedPath} on workstation holds a "404 Not Found" page: the tunnel works, but that path does not exist. The dashboard is the front page, /.`,
      );
    }
    return fail(
      `${savedPath} on workstation is not server's dashboard page (its content differs). Fetch http://localhost:${localPort}/ through the tunnel again.`,
    );
  },
});
