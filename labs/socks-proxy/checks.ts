import { defineChecks, fail, pass, tcpListeners, type CheckContext } from '../../src/labs/check-kit.js';

const workstation = 'workstation';
const server = 'server';
/** Setup's page, served by busybox httpd on server's 127.0.0.1:8080 only: "localhost" as server sees it. */
const pagePath = '/var/tmp/intranet/index.html';
const site = 'http://localhost:8080/';
const proxyPort = 1080;
const savedPath = '~/intranet.html';

async function intranetPage(lab: CheckContext): Promise<string> {
  const page = await lab.readFile(server, pagePath);
  if (page === null) throw new Error(`the internal page ${pagePath} is missing on server; end the lab and start a new one`);
  return page;
}

/** What curl on the workstation gets from the internal site through a SOCKS5 proxy that resolves the name (on server). */
async function throughProxy(lab: CheckContext, port: number): Promise<{ exit: number; body: string }> {
  const result = await lab.exec(
    workstation,
    `f=$(mktemp); curl -s --max-time 4 --socks5-hostname 127.0.0.1:${port} -o "$f" ${site}; rc=$?; echo "$rc"; cat "$f"; rm -f "$f"`,
  );
  const newline = result.stdout.indexOf('\n');
  return { exit: Number(result.stdout.slice(0, newline)), body: result.stdout.slice(newline + 1) };
}

export default defineChecks({
  'open-proxy': async (lab) => {
    const page = await intranetPage(lab);
    const open = await tcpListeners(lab, workstation);
    const proxy = open.find((l) => l.port === proxyPort);
    if (!proxy) {
      const other = open.find((l) => l.ssh);
      if (other)
        return fail(
          `Nothing listens on port ${proxyPort} on workstation, but your ssh listens on ${other.port}. The number after -D is the local port: use -D ${proxyPort}.`,
        );
      return fail(
        `Nothing listens on port ${proxyPort} on workstation. Start the proxy with ssh -f -N -D ${proxyPort} server; an ssh that ended (or was never started with -f -N) holds no proxy.`,
      );
    }
    if (!proxy.ssh) return fail(`Port ${proxyPort} on workstation is taken by a program other than ssh. Stop it and start ssh -D ${proxyPort} there.`);
    const answer = await throughProxy(lab, proxyPort);
    if (answer.exit === 0 && answer.body === page)
      return pass(`Your ssh on workstation port ${proxyPort} is a SOCKS proxy that reaches server's internal site.`);
    // 97: the SOCKS handshake failed; 28: nothing answered it (a plain forward to a web server waits for an HTTP request).
    if ([7, 28, 52, 56, 97].includes(answer.exit)) {
      return fail(
        `Port ${proxyPort} on workstation belongs to ssh, but it does not answer as a SOCKS proxy (curl exit ${answer.exit}): it is a plain forward (-L) to one fixed target. Dynamic forwarding is -D ${proxyPort}, with no target.`,
      );
    }
    return fail(
      `Port ${proxyPort} on workstation answers as a proxy, but a request for ${site} through it did not return server's internal page (curl exit ${answer.exit}).`,
    );
  },

  'fetch-page': async (lab) => {
    const page = await intranetPage(lab);
    const saved = await lab.stat(workstation, savedPath);
    if (!saved) {
      return fail(
        `There is no ${savedPath} on workstation yet. Save the page with curl -o ${savedPath}, through the proxy (--socks5-hostname localhost:${proxyPort}).`,
      );
    }
    if (saved.type !== 'file') return fail(`${savedPath} on workstation is a ${saved.type}, not a file.`);
    const text = (await lab.readFile(workstation, savedPath)) ?? '';
    if (text === page) return pass(`${savedPath} holds server's internal page, token included: it came through your SOCKS proxy.`);
    if (!text.trim()) {
      return fail(
        `${savedPath} on workstation is empty: the request reached no web server. Without the proxy, localhost:8080 is your workstation, where nothing listens, and server:8080 is closed to the network. Send the request through the proxy (curl --socks5-hostname localhost:${proxyPort}), so that localhost means server.`,
      );
    }
    if (/404 Not Found/i.test(text)) {
      return fail(`${savedPath} on workstation holds a "404 Not Found" page: the proxy works, but that path does not exist. The site is the front page, /.`);
    }
    return fail(`${savedPath} on workstation is not server's internal page (its content differs). Fetch ${site} through the proxy again.`);
  },
});
