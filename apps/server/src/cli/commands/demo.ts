import type { Command } from 'commander';
import { configureDemoTenant, seedDemoPlatform, startDemoPlatform } from '../../modules/demo/demo.setup.ts';
import { type CommandContext, print } from '../context.ts';
import { CliError, EXIT } from '../io.ts';

export const registerDemoCommand = (program: Command, ctx: CommandContext) => {
  program
    .command('demo')
    .description(
      'Create a demo "portfolio platform" database with synthetic people, its data map, and a demo tenant with purposes, a notice, consents and requests',
    )
    .option('--users <n>', 'synthetic people on the platform', '200')
    .option('--platform-port <port>', 'embedded mode: port the demo platform database listens on (127.0.0.1)', '5499')
    .option('--no-wait', 'embedded mode without a server: exit at once (the platform database stops with this command)')
    .action(async (opts: { users: string; platformPort: string; wait: boolean }) => {
      const users = Number(opts.users);
      const port = Number(opts.platformPort);
      if (!Number.isInteger(users) || users < 3 || users > 100_000)
        throw new CliError('--users: 3 to 100000', EXIT.usage);
      if (!Number.isInteger(port) || port < 1024 || port > 65535)
        throw new CliError('--platform-port: 1024 to 65535', EXIT.usage);
      const rt = await ctx.runtime();
      let people: { id: number; email: string; name: string }[] = [];
      let rows = 0;
      const platform = await startDemoPlatform(
        { databaseUrl: rt.config.databaseUrl, dataDir: rt.config.dataDir, port },
        async (db) => {
          const r = await seedDemoPlatform(db, users);
          people = r.people;
          rows = r.rows;
        },
      ).catch((e: Error) => {
        throw new CliError(
          `could not create the demo platform database: ${e.message.split('\n')[0]}`,
          EXIT.environment,
        );
      });
      const { buildApp } = await import('../../main.ts');
      const app = buildApp(rt);
      const existing = (await rt.services.tenants.list()).find((t) => t.slug === 'demo');
      const { tenant, adminKey } = existing
        ? {
            tenant: existing,
            adminKey: await rt.services.keys.create(existing.id, { name: 'demo', role: 'admin' }, 'cli'),
          }
        : await rt.services.tenants.create({ name: 'Folio (Lawful demo)', slug: 'demo' }, 'cli');
      const api = async (method: string, path: string, body?: unknown) => {
        const res = await app.request(path, {
          method,
          headers: { authorization: `Bearer ${adminKey.secret}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
      };
      const reqs = existing ? null : await configureDemoTenant(api, platform, people);
      if (existing)
        await api('PUT', '/v1/datamap/connections/demo-platform', {
          engine: 'postgres',
          url: platform.url,
          maxConnections: 1,
        });
      const base = rt.config.publicUrl ?? `http://127.0.0.1:${rt.config.port}`;
      print(
        ctx,
        [
          `Demo platform: ${rows.toLocaleString('en')} rows for ${people.length} synthetic people in ${platform.where}.`,
          `Demo tenant: ${tenant.slug} (${tenant.id}). Admin key (shown once): ${adminKey.secret}`,
          existing
            ? 'The tenant existed already: the platform was re-seeded and its connection refreshed.'
            : 'Purposes, a published notice, the data map, 5 consents, an access and an erasure request are set up.',
          '',
          'Try next:',
          '  lawful datamap check --tenant demo',
          `  curl -s -H "Authorization: Bearer $KEY" ${base}/v1/requests | jq`,
          ...(reqs
            ? [
                `  the access request ${reqs.access} runs once the server's worker picks it up; then:`,
                `  curl -s -H "Authorization: Bearer $KEY" "${base}/v1/exports?requestId=${reqs.access}" | jq`,
                `  approve the erasure (a privacy officer's call): curl -s -X POST -H "Authorization: Bearer $KEY" -H 'content-type: application/json' -d '{}' ${base}/v1/requests/${reqs.erasure}/approve`,
              ]
            : []),
          `  people to ask about: ${people
            .slice(0, 3)
            .map((p) => p.email)
            .join(', ')}`,
        ],
        {
          tenant,
          adminKey: adminKey.secret,
          platform: { where: platform.where },
          requests: reqs,
          people: people.slice(0, 3),
        },
      );
      if (!platform.ephemeral) return;
      if (ctx.inServer) return; // the platform lives as long as the server that ran this command
      if (!opts.wait) {
        await platform.close();
        return;
      }
      ctx.io.err('The demo platform database is served by this command: keep it running (Ctrl-C to stop).');
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      await platform.close();
    });
};
