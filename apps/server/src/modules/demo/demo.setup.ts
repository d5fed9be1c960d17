import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { parse as parseYamlMap } from 'yaml';
import { PGLITE_CONF } from '../../db/client.ts';
import { seedPlatform } from './demo.platform.ts';

export const DEMO_DATABASE = 'lawful_demo_platform';
export const DEMO_MAP = readFileSync(new URL('./demo.datamap.yaml', import.meta.url), 'utf8');

export type DemoPlatform = {
  url: string;
  /** Where the platform's database lives, in words (no credentials). */
  where: string;
  /** Whether the database stops with this process (embedded: the socket lives in this process). */
  ephemeral: boolean;
  close(): Promise<void>;
};

type Exec = { query(text: string, params?: unknown[]): Promise<unknown> };

/**
 * The demo platform is a separate database that Lawful reaches only through its PostgreSQL connector, like a
 * customer's own. With a PostgreSQL server (DATABASE_URL), it is a database `lawful_demo_platform` on that server.
 * Embedded, it is a second PGlite folder exposed on 127.0.0.1 through @electric-sql/pglite-socket (the wire
 * protocol), so the connector code is exactly the production path; it is reachable while this process runs.
 */
export const startDemoPlatform = async (
  opts: { databaseUrl?: string; dataDir: string; port: number },
  seed: (db: Exec) => Promise<void>,
): Promise<DemoPlatform> => {
  if (opts.databaseUrl) {
    const admin = new pg.Client({ connectionString: opts.databaseUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query('select 1 from pg_database where datname = $1', [DEMO_DATABASE]);
      if (rows.length === 0) await admin.query(`create database ${DEMO_DATABASE}`);
    } finally {
      await admin.end();
    }
    const u = new URL(opts.databaseUrl);
    u.pathname = `/${DEMO_DATABASE}`;
    const c = new pg.Client({ connectionString: u.toString() });
    await c.connect();
    try {
      await seed(c);
    } finally {
      await c.end();
    }
    return {
      url: u.toString(),
      where: `database ${DEMO_DATABASE} on ${u.hostname}:${u.port || 5432}`,
      ephemeral: false,
      close: async () => {},
    };
  }
  const db = await PGlite.create({ dataDir: join(opts.dataDir, 'demo-platform'), postgresqlconf: PGLITE_CONF });
  await seed(db);
  // Queries of concurrent connections are queued by the socket server; a pool closing and reopening needs slots.
  const server = new PGLiteSocketServer({ db, port: opts.port, host: '127.0.0.1', maxConnections: 8 });
  await server.start();
  return {
    url: `postgres://postgres@127.0.0.1:${opts.port}/postgres`,
    where: `embedded PGlite (${join(opts.dataDir, 'demo-platform')}) served on 127.0.0.1:${opts.port}`,
    ephemeral: true,
    close: async () => {
      await server.stop();
      await db.close();
    },
  };
};

export const seedDemoPlatform = (db: Exec, users = 200) => seedPlatform(db, { users });

type Api = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Record<string, unknown> }>;

const purpose = (key: string, name: string, description: string, o: Record<string, unknown>) => ({
  key,
  locales: { en: { name, description } },
  subjectCategories: ['platform users'],
  retention: { period: 'P2Y' },
  source: { kind: 'data_subject' },
  recipients: [],
  ...o,
});

/**
 * Configures the demo tenant through the public API (the same calls a customer makes): controller, purposes, a
 * published notice, the data map and its connection, a few consents and requests.
 */
export const configureDemoTenant = async (
  api: Api,
  platform: { url: string },
  people: { id: number; email: string }[],
) => {
  const must = async (method: string, path: string, body?: unknown) => {
    const r = await api(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body;
  };
  await must('PUT', '/v1/ropa/controller', {
    controller: {
      name: 'Folio Demo SAS',
      address: '10 rue de la Demo, 75011 Paris, France',
      email: 'privacy@folio.example',
    },
    dpo: { name: 'Data Protection Officer', email: 'dpo@folio.example' },
    securityMeasures: ['TLS everywhere', 'encrypted backups'],
  });
  await must(
    'POST',
    '/v1/purposes',
    purpose('account', 'Your account and portfolio', 'Running your account and publishing your portfolio.', {
      allowedBases: ['contract'],
      dataCategories: ['user.account', 'user.contact.email', 'user.name', 'user.content', 'user.contact.phone'],
      recipients: [{ name: 'Scaleway SAS', role: 'processor', country: 'FR', transferSafeguard: 'none_needed_eea' }],
    }),
  );
  await must(
    'POST',
    '/v1/purposes',
    purpose('newsletter', 'Newsletter', 'Sending you our newsletter and measuring opens and clicks.', {
      allowedBases: ['consent'],
      dataCategories: ['user.contact.email', 'user.behavior.email_tracking', 'user.device.ip_address'],
      recipients: [
        {
          name: 'Mailchimp (Intuit Inc.)',
          role: 'processor',
          country: 'US',
          transferSafeguard: 'standard_contractual_clauses',
        },
      ],
      directMarketing: true,
    }),
  );
  await must(
    'POST',
    '/v1/purposes',
    purpose('support-calls', 'Support and sales calls', 'Answering your calls and keeping notes for disputes.', {
      allowedBases: ['legitimate_interests'],
      legitimateInterest: 'Resolving disputes about what was agreed on a call.',
      liaReference: 'LIA-2026-03',
      dataCategories: ['user.contact.phone', 'user.behavior', 'user.content.message'],
    }),
  );
  const notice = await must('POST', '/v1/notices', {
    key: 'signup',
    name: 'Sign-up form',
    draft: {
      texts: {
        en: { title: 'Your choices', markdown: 'Would you like our **newsletter**? You can unsubscribe any time.' },
      },
      purposes: ['account', 'newsletter', 'support-calls'],
    },
  });
  const published = await must('POST', `/v1/notice-versions/${notice.id}/publish`);
  const rendered = published.rendered as Record<string, { sha256: string }>;
  await must('PUT', '/v1/datamap', JSON.parse(JSON.stringify(parseYamlMap(DEMO_MAP))));
  await must('PUT', '/v1/datamap/connections/demo-platform', {
    engine: 'postgres',
    url: platform.url,
    maxConnections: 1,
  });
  for (const p of people.slice(0, 5)) {
    await must('POST', '/v1/consents', {
      subject: { identity: { kind: 'email', value: p.email } },
      noticeVersionId: published.id,
      noticeHash: rendered.en!.sha256,
      locale: 'en',
      decisions: [{ purpose: 'newsletter', granted: p.id % 2 === 1 }],
      method: 'form_checkbox',
      affirmativeAction: { kind: 'checkbox_ticked', label: 'Yes, send me the newsletter' },
      collectionPoint: { formId: 'signup', pageUrl: 'https://folio.example/signup' },
    });
  }
  const access = await must('POST', '/v1/requests', {
    types: ['access'],
    identities: [{ type: 'email', value: people[0]!.email }],
    identityVerified: true,
  });
  const erasure = await must('POST', '/v1/requests', {
    types: ['erasure'],
    identities: [{ type: 'email', value: people[1]!.email }],
    identityVerified: true,
  });
  return { access: access.id as string, erasure: erasure.id as string };
};
