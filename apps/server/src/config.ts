import { join, resolve } from 'node:path';
import { z } from 'zod';

/** Every setting Lawful reads, parsed once. Nothing else reads process.env. */
const Env = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  LAWFUL_DATA_DIR: z.string().default('.lawful'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  LAWFUL_PUBLIC_URL: z.string().url().optional(),
  LAWFUL_MASTER_KEY: z.string().optional(),
  LAWFUL_SIGNING_KEY: z.string().optional(),
  REDIS_URL: z.string().optional(),
  SMTP_URL: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LAWFUL_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  LAWFUL_RATE_LIMIT: z.coerce.number().int().min(1).default(600),
  /** Banner consent writes per minute per IP address (visitors behind one NAT share it). */
  LAWFUL_BANNER_RATE_LIMIT: z.coerce.number().int().min(1).default(300),
  LAWFUL_WORKER: z.enum(['on', 'off']).default('on'),
  /** Development only: comma-separated hosts webhooks may reach over http and on private addresses. */
  LAWFUL_ALLOW_INSECURE_WEBHOOKS: z.string().default(''),
  /** Seconds between webhook attempts, comma-separated; empty means the Standard Webhooks schedule. */
  LAWFUL_WEBHOOK_RETRY_DELAYS: z
    .string()
    .regex(/^(\d+(\.\d+)?(,\d+(\.\d+)?)*)?$/, 'must be seconds separated by commas, e.g. 5,300,1800')
    .default(''),
  LAWFUL_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** The sender of e-mails to data subjects. */
  LAWFUL_MAIL_FROM: z.string().min(3).default('privacy@localhost'),
  /** OpenDSR signing key and certificate (PEM); without them a self-signed pair is generated into the data folder. */
  LAWFUL_OPENDSR_KEY_FILE: z.string().optional(),
  LAWFUL_OPENDSR_CERT_FILE: z.string().optional(),
  /** Development only: OpenDSR status callbacks may go to http://127.0.0.1. */
  LAWFUL_OPENDSR_ALLOW_LOOPBACK_CALLBACKS: z.enum(['on', 'off']).default('off'),
  // Encrypted access packages: where they are written (default <data>/exports) and how long the link works.
  LAWFUL_EXPORT_DIR: z.string().optional(),
  LAWFUL_EXPORT_DAYS: z.coerce.number().int().min(1).max(30).default(7),
});

export type Config = {
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  host: string;
  publicUrl: string | undefined;
  masterKey: string | undefined;
  signingKey: string | undefined;
  redisUrl: string | undefined;
  smtpUrl: string | undefined;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  bodyLimit: number;
  rateLimitPerMinute: number;
  bannerRateLimitPerMinute: number;
  worker: boolean;
  webhooks: { allowInsecureHosts: string[]; retryDelaysSeconds: number[] | undefined; timeoutMs: number };
  mailFrom: string;
  opendsr: { keyFile: string | undefined; certFile: string | undefined; allowLoopbackCallbacks: boolean };
  exports: { dir: string; days: number };
};

/** Flags win over the environment; the environment wins over defaults. */
export const loadConfig = (
  env: Record<string, string | undefined> = process.env,
  flags: { data?: string; port?: number; databaseUrl?: string } = {},
): Config => {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: flags.databaseUrl ?? e.DATABASE_URL,
    dataDir: resolve(flags.data ?? e.LAWFUL_DATA_DIR),
    port: flags.port ?? e.PORT,
    host: e.HOST,
    publicUrl: e.LAWFUL_PUBLIC_URL,
    masterKey: e.LAWFUL_MASTER_KEY,
    signingKey: e.LAWFUL_SIGNING_KEY,
    redisUrl: e.REDIS_URL,
    smtpUrl: e.SMTP_URL,
    logLevel: e.LOG_LEVEL,
    bodyLimit: e.LAWFUL_BODY_LIMIT,
    rateLimitPerMinute: e.LAWFUL_RATE_LIMIT,
    bannerRateLimitPerMinute: e.LAWFUL_BANNER_RATE_LIMIT,
    worker: e.LAWFUL_WORKER === 'on',
    webhooks: {
      allowInsecureHosts: e.LAWFUL_ALLOW_INSECURE_WEBHOOKS.split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
      retryDelaysSeconds: e.LAWFUL_WEBHOOK_RETRY_DELAYS
        ? e.LAWFUL_WEBHOOK_RETRY_DELAYS.split(',').map(Number)
        : undefined,
      timeoutMs: e.LAWFUL_WEBHOOK_TIMEOUT_MS,
    },
    mailFrom: e.LAWFUL_MAIL_FROM,
    opendsr: {
      keyFile: e.LAWFUL_OPENDSR_KEY_FILE,
      certFile: e.LAWFUL_OPENDSR_CERT_FILE,
      allowLoopbackCallbacks: e.LAWFUL_OPENDSR_ALLOW_LOOPBACK_CALLBACKS === 'on',
    },
    exports: {
      dir: resolve(e.LAWFUL_EXPORT_DIR ?? join(flags.data ?? e.LAWFUL_DATA_DIR, 'exports')),
      days: e.LAWFUL_EXPORT_DAYS,
    },
  };
};
