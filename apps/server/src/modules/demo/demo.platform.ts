import { faker } from '@faker-js/faker';

/**
 * The demo's "portfolio platform": a realistic product database that Lawful reaches only through its connector,
 * like a customer's own. People sign up (users, profiles), publish portfolios, receive contact-form messages from
 * visitors (someone else's data: Art. 15(4)), get tracked e-mails (opens, clicks), talk to sales on the phone, and
 * open support tickets.
 */
export const PLATFORM_SCHEMA = `
create table users (
  id bigint primary key,
  email text not null unique,
  full_name text not null,
  created_at timestamptz not null
);
create table profiles (
  user_id bigint primary key references users(id),
  headline text,
  bio text,
  phone text,
  city text,
  country text,
  birth_date date
);
create table portfolios (
  id bigint primary key,
  user_id bigint not null references users(id),
  title text not null,
  slug text not null unique,
  description text,
  published_at timestamptz
);
create table form_submissions (
  id bigint primary key,
  portfolio_id bigint not null references portfolios(id),
  sender_name text not null,
  sender_email text not null,
  message text not null,
  received_at timestamptz not null
);
create table email_events (
  id bigint primary key,
  user_id bigint not null references users(id),
  campaign text not null,
  kind text not null check (kind in ('open', 'click')),
  url text,
  ip_address text,
  at timestamptz not null
);
create table call_records (
  id bigint primary key,
  -- Written by the telephony integration: a plain user id, no foreign key.
  user_id bigint,
  phone_number text not null,
  direction text not null,
  duration_seconds integer not null,
  notes text,
  started_at timestamptz not null
);
create table support_tickets (
  id bigint primary key,
  user_id bigint not null references users(id),
  subject text not null,
  body text not null,
  status text not null,
  created_at timestamptz not null
);
create index on portfolios (user_id);
create index on form_submissions (portfolio_id);
create index on email_events (user_id);
create index on call_records (user_id);
create index on support_tickets (user_id);
`;

export const PLATFORM_TABLES = [
  'support_tickets',
  'call_records',
  'email_events',
  'form_submissions',
  'portfolios',
  'profiles',
  'users',
] as const;

type Exec = { query(text: string, params?: unknown[]): Promise<unknown> };

export type SeedOptions = {
  users: number;
  /** Rows per user in each activity table (events dominate, as in real tracking data). */
  perUser?: { portfolios: number; submissions: number; events: number; calls: number; tickets: number };
  seed?: number;
  /** Epoch for generated dates, so the same seed gives the same rows. */
  now?: Date;
};

/** Inserts rows in multi-row statements of `chunk` rows; values are always bound. */
const insertAll = async (db: Exec, table: string, cols: string[], rows: unknown[][], chunk = 500) => {
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const params: unknown[] = [];
    const tuples = part.map((r) => {
      const ph = r.map((v) => {
        params.push(v);
        return `$${params.length}`;
      });
      return `(${ph.join(', ')})`;
    });
    await db.query(`insert into ${table} (${cols.join(', ')}) values ${tuples.join(', ')}`, params);
  }
};

/**
 * Creates the tables (dropping earlier ones) and fills them with synthetic people. Deterministic for a given seed.
 * Returns the people, so a demo or benchmark can pick one to ask about.
 */
export const seedPlatform = async (db: Exec, opts: SeedOptions) => {
  const per = opts.perUser ?? { portfolios: 2, submissions: 3, events: 12, calls: 2, tickets: 1 };
  faker.seed(opts.seed ?? 42);
  const now = opts.now ?? new Date('2026-11-01T09:00:00Z');
  const past = () => faker.date.past({ years: 2, refDate: now });
  for (const t of PLATFORM_TABLES) await db.query(`drop table if exists ${t} cascade`);
  for (const stmt of PLATFORM_SCHEMA.split(';').filter((s) => s.trim())) await db.query(stmt);
  const people: { id: number; email: string; name: string; phone: string }[] = [];
  const users: unknown[][] = [];
  const profiles: unknown[][] = [];
  for (let i = 1; i <= opts.users; i++) {
    const first = faker.person.firstName();
    const last = faker.person.lastName();
    const email = faker.internet
      .email({ firstName: first, lastName: last, provider: `${faker.word.noun()}.example` })
      .toLowerCase();
    const phone = faker.phone.number({ style: 'international' });
    people.push({ id: i, email: `${i}.${email}`, name: `${first} ${last}`, phone });
    users.push([i, `${i}.${email}`, `${first} ${last}`, past()]);
    profiles.push([
      i,
      faker.person.jobTitle(),
      faker.lorem.sentences(2),
      phone,
      faker.location.city(),
      faker.location.countryCode(),
      faker.date.birthdate({ min: 18, max: 70, mode: 'age', refDate: now }),
    ]);
  }
  await insertAll(db, 'users', ['id', 'email', 'full_name', 'created_at'], users);
  await insertAll(db, 'profiles', ['user_id', 'headline', 'bio', 'phone', 'city', 'country', 'birth_date'], profiles);
  const portfolios: unknown[][] = [];
  const submissions: unknown[][] = [];
  const events: unknown[][] = [];
  const calls: unknown[][] = [];
  const tickets: unknown[][] = [];
  for (const p of people) {
    for (let k = 0; k < per.portfolios; k++) {
      const id = portfolios.length + 1;
      portfolios.push([id, p.id, faker.commerce.productName(), `p-${id}`, faker.lorem.paragraph(), past()]);
      for (let s = 0; s < per.submissions; s++) {
        submissions.push([
          submissions.length + 1,
          id,
          faker.person.fullName(),
          faker.internet.email().toLowerCase(),
          faker.lorem.sentences(2),
          past(),
        ]);
      }
    }
    for (let e = 0; e < per.events; e++) {
      const click = e % 3 === 0;
      events.push([
        events.length + 1,
        p.id,
        `newsletter-${(e % 12) + 1}`,
        click ? 'click' : 'open',
        click ? faker.internet.url() : null,
        faker.internet.ipv4(),
        past(),
      ]);
    }
    for (let c = 0; c < per.calls; c++) {
      calls.push([
        calls.length + 1,
        p.id,
        p.phone,
        c % 2 ? 'inbound' : 'outbound',
        faker.number.int({ min: 20, max: 1800 }),
        `Call with ${p.name} about ${faker.commerce.product()}`,
        past(),
      ]);
    }
    for (let t = 0; t < per.tickets; t++) {
      tickets.push([
        tickets.length + 1,
        p.id,
        faker.hacker.phrase().slice(0, 80),
        `Hello, this is ${p.name} (${p.email}). ${faker.lorem.sentences(2)}`,
        t % 2 ? 'closed' : 'open',
        past(),
      ]);
    }
  }
  await insertAll(db, 'portfolios', ['id', 'user_id', 'title', 'slug', 'description', 'published_at'], portfolios);
  await insertAll(
    db,
    'form_submissions',
    ['id', 'portfolio_id', 'sender_name', 'sender_email', 'message', 'received_at'],
    submissions,
  );
  await insertAll(db, 'email_events', ['id', 'user_id', 'campaign', 'kind', 'url', 'ip_address', 'at'], events);
  await insertAll(
    db,
    'call_records',
    ['id', 'user_id', 'phone_number', 'direction', 'duration_seconds', 'notes', 'started_at'],
    calls,
  );
  await insertAll(db, 'support_tickets', ['id', 'user_id', 'subject', 'body', 'status', 'created_at'], tickets);
  return {
    people,
    rows:
      users.length +
      profiles.length +
      portfolios.length +
      submissions.length +
      events.length +
      calls.length +
      tickets.length,
  };
};
