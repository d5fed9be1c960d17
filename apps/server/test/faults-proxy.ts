import { createServer, type Server, Socket } from 'node:net';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });

/**
 * A TCP proxy to PostgreSQL on 127.0.0.1 that can be cut (every open connection reset, new ones refused, as when
 * the database restarts) and restored on the same port.
 */
export const tcpProxy = async (target: { host: string; port: number }) => {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  const port = await freePort();
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = new Socket();
        sockets.add(client);
        sockets.add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        upstream.connect(target.port, target.host, () => {
          client.pipe(upstream);
          upstream.pipe(client);
        });
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
      server = s;
    });
  await listen();
  return {
    port,
    url: (databaseUrl: string) => {
      const u = new URL(databaseUrl);
      u.host = `127.0.0.1:${port}`;
      return u.toString();
    },
    async cut() {
      const s = server;
      server = null;
      for (const so of sockets) so.destroy();
      sockets.clear();
      await new Promise<void>((r) => (s ? s.close(() => r()) : r()));
    },
    restore: listen,
    close() {
      return this.cut();
    },
  };
};
