import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP receiver on 127.0.0.1 for the webhook tests. Each path answers from its own script of replies
 * (a status code, or `hang` to never answer), then 200 once the script runs out.
 */
export type Received = { path: string; headers: IncomingHttpHeaders; body: string };
export type Reply = number | 'hang';

export const startReceiver = async () => {
  const received: Received[] = [];
  const scripts = new Map<string, Reply[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const reply = scripts.get(path)?.shift() ?? 200;
      if (reply === 'hang') return; // the sender's timeout must give up
      if (reply >= 300 && reply < 400) res.setHeader('location', '/redirected');
      res.statusCode = reply;
      res.end(reply >= 400 ? 'receiver error with a@b.example in it' : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    received,
    at: (path: string) => received.filter((r) => r.path === path),
    script: (path: string, replies: Reply[]) => scripts.set(path, [...replies]),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
