import type { Database, Queryable } from '../../db/client.ts';
import { emailOutbox } from '../../db/schema/index.ts';
import type { Clock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { createMailer, type Mailer, type OutboundEmail } from '../email/email.mailer.ts';
import type { Vault } from '../vault/vault.service.ts';

export type Delivery = {
  channel: 'smtp' | 'outbox' | 'none';
  messageId: string | null;
  outcome: 'sent' | 'queued' | 'not_sent';
  reason: string | null;
};

/**
 * How breach e-mails leave: by SMTP when `SMTP_URL` is set, otherwise into the install's e-mail outbox (sealed
 * under the tenant key, as the double opt-in mails are), where `lawful outbox list` shows them to the operator.
 * The `email_outbox` table belongs to the preferences module; this writes rows in its format.
 */
export const createBreachMail = (deps: {
  db: Database;
  vault: Pick<Vault, 'sealForTenant'>;
  clock: Clock;
  from: string;
  smtpUrl: string | undefined;
}) => {
  let smtp: Mailer | null = null;

  const viaOutbox = async (
    q: Queryable,
    tenantId: string,
    kind: string,
    subjectId: string | null,
    m: OutboundEmail,
  ) => {
    const id = newId('message', deps.clock.now().getTime());
    const sealed = await deps.vault.sealForTenant(
      q,
      tenantId,
      `outbox:${id}`,
      JSON.stringify({ ...m, from: deps.from }),
    );
    await q.insert(emailOutbox).values({ tenantId, id, kind, subjectId, sealed, createdAt: deps.clock.now() });
    return id;
  };

  return {
    /** Whether mail leaves the machine (SMTP) or waits in the outbox. */
    channel: (): 'smtp' | 'outbox' => (deps.smtpUrl ? 'smtp' : 'outbox'),
    /**
     * Sends one e-mail. With SMTP it goes out at once; with the outbox it is written in `q`, the caller's
     * transaction, next to the record of who was told. A failed SMTP send is reported, not thrown, so one bad
     * address does not stop the notices to everyone else.
     */
    async deliver(
      q: Queryable,
      tenantId: string,
      kind: string,
      subjectId: string | null,
      email: OutboundEmail,
    ): Promise<Delivery> {
      if (!deps.smtpUrl) {
        return {
          channel: 'outbox',
          messageId: await viaOutbox(q, tenantId, kind, subjectId, email),
          outcome: 'queued',
          reason: null,
        };
      }
      smtp ??= createMailer({ from: deps.from, smtpUrl: deps.smtpUrl });
      try {
        const r = await smtp.send(email);
        return { channel: 'smtp', messageId: r.via === 'smtp' ? r.messageId : null, outcome: 'sent', reason: null };
      } catch (e) {
        // The class of failure only: the relay's reply may quote the address.
        const code = e instanceof Error && 'code' in e ? String((e as { code: unknown }).code) : 'error';
        return { channel: 'smtp', messageId: null, outcome: 'not_sent', reason: `smtp: ${code}` };
      }
    },
    close() {
      smtp?.close();
    },
  };
};
export type BreachMail = ReturnType<typeof createBreachMail>;
