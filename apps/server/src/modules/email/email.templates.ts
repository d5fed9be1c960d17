import type { RefusalGround, RequestLocale, RequestType } from '@lawful/contract';
import { AppError } from '../../lib/errors.ts';
import { type Block, renderHtml, renderText, secureUrl } from './email.html.ts';
import { authorityUrls, type EmailMessages, emailMessages } from './email.messages.ts';

/** Who is writing, to whom, in which language and time zone. */
export type EmailContext = { locale: RequestLocale; timeZone: string; organisation: string };

/** The e-mails Lawful sends to people. Field names say what the subject will read, never internal ids. */
export type EmailTemplate =
  | { kind: 'verification'; link: string; code: string; expiresAt: Date }
  | { kind: 'request_received'; reference: string; types: RequestType[]; dueAt: Date }
  | {
      kind: 'extension_notice';
      reference: string;
      originalDueAt: Date;
      newDueAt: Date;
      reason: string;
      /** When the notice goes out; check 33 requires it before the original due date. */
      sentAt: Date;
    }
  | {
      kind: 'refusal';
      reference: string;
      types: RequestType[];
      grounds: RefusalGround[];
      explanation: string;
      /** From the tenant's jurisdiction profile. */
      authority: { nameKey: string; urlKey: string };
    }
  | {
      kind: 'completion';
      reference: string;
      types: RequestType[];
      /** Required for access and portability: a personal, expiring HTTPS link (check 38). */
      download?: { url: string; expiresAt: Date };
      /** Required for erasure, rectification and restriction: who was told (Art. 19). Empty: nobody received the data. */
      recipientsNotified?: string[];
    }
  | { kind: 'consent_confirmation'; link: string; purposes: string[] }
  | {
      kind: 'breach_notice';
      /** Art. 34(2): the nature of the breach in plain language. */
      whatHappened: string;
      likelyConsequences: string;
      measuresTaken: string;
      recommendedActions: string;
      /** Name and contact details of the DPO or other contact point (Art. 33(3)(b)). */
      contact: string;
    };

export type RenderedEmail = { subject: string; text: string; html: string };

// 'en' dates read the European way (28 February 2025): most Lawful tenants answer to EU or UK law.
const intlLocale = (l: RequestLocale) => (l === 'en' ? 'en-GB' : l);

const day = (ctx: EmailContext, d: Date) =>
  new Intl.DateTimeFormat(intlLocale(ctx.locale), { dateStyle: 'long', timeZone: ctx.timeZone }).format(d);

const moment = (ctx: EmailContext, d: Date) =>
  new Intl.DateTimeFormat(intlLocale(ctx.locale), {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
    timeZone: ctx.timeZone,
  }).format(d);

const typesList = (ctx: EmailContext, m: EmailMessages, types: readonly RequestType[]) =>
  new Intl.ListFormat(intlLocale(ctx.locale), { type: 'conjunction' }).format(types.map((t) => m.requestTypes[t]));

const required = (value: string, field: string): string => {
  if (value.trim() === '') throw new AppError('VALIDATION_FAILED', `${field} is required in this e-mail`, { field });
  return value.trim();
};

const body = (ctx: EmailContext, m: EmailMessages, template: EmailTemplate): { subject: string; blocks: Block[] } => {
  const org = ctx.organisation;
  switch (template.kind) {
    case 'verification':
      return {
        subject: m.verification.subject(org),
        blocks: [
          { kind: 'p', text: m.verification.intro(org) },
          { kind: 'button', label: m.verification.action, url: secureUrl(template.link, 'link') },
          { kind: 'p', text: m.verification.code(required(template.code, 'code')) },
          { kind: 'p', text: m.verification.expires(moment(ctx, template.expiresAt)) },
          { kind: 'p', text: m.verification.notYou },
        ],
      };
    case 'request_received':
      return {
        subject: m.received.subject(template.reference),
        blocks: [
          { kind: 'p', text: m.received.intro(org, typesList(ctx, m, template.types)) },
          { kind: 'p', text: m.received.due(day(ctx, template.dueAt)) },
          { kind: 'p', text: m.received.free },
          { kind: 'p', text: m.reference(template.reference) },
        ],
      };
    case 'extension_notice':
      if (template.sentAt.getTime() > template.originalDueAt.getTime()) {
        throw new AppError('RULE_VIOLATION', 'an extension notice must go out before the original due date', {
          field: 'sentAt',
        });
      }
      return {
        subject: m.extension.subject(template.reference),
        blocks: [
          { kind: 'p', text: m.extension.intro(day(ctx, template.originalDueAt), day(ctx, template.newDueAt)) },
          { kind: 'p', text: m.extension.reason },
          { kind: 'quote', text: required(template.reason, 'reason') },
          { kind: 'p', text: m.reference(template.reference) },
        ],
      };
    case 'refusal': {
      if (template.grounds.length === 0) {
        throw new AppError('VALIDATION_FAILED', 'a refusal names its grounds', { field: 'grounds' });
      }
      const { nameKey, urlKey } = template.authority;
      const name = nameKey in m.authorityNames ? m.authorityNames[nameKey as keyof typeof m.authorityNames] : undefined;
      const url = urlKey in authorityUrls ? authorityUrls[urlKey as keyof typeof authorityUrls] : undefined;
      if (!name || !url) throw new AppError('INTERNAL', `no text for authority keys ${nameKey}, ${urlKey}`);
      return {
        subject: m.refusal.subject(template.reference),
        blocks: [
          { kind: 'p', text: m.refusal.intro(typesList(ctx, m, template.types)) },
          { kind: 'heading', text: m.refusal.grounds },
          { kind: 'list', items: template.grounds.map((g) => m.refusalGrounds[g]) },
          { kind: 'heading', text: m.refusal.explanation },
          { kind: 'quote', text: required(template.explanation, 'explanation') },
          { kind: 'p', text: m.refusal.complaint(name) },
          { kind: 'link', label: m.refusal.complaintLink, url },
          { kind: 'p', text: m.refusal.court },
          { kind: 'p', text: m.reference(template.reference) },
        ],
      };
    }
    case 'completion': {
      const blocks: Block[] = [{ kind: 'p', text: m.completion.done(typesList(ctx, m, template.types)) }];
      if (template.types.some((t) => t === 'access' || t === 'portability')) {
        if (!template.download) {
          throw new AppError('VALIDATION_FAILED', 'access and portability answers need a download link', {
            field: 'download',
          });
        }
        blocks.push(
          { kind: 'button', label: m.completion.download, url: secureUrl(template.download.url, 'download.url') },
          { kind: 'p', text: m.completion.downloadExpires(moment(ctx, template.download.expiresAt)) },
        );
      }
      if (template.types.some((t) => t === 'erasure' || t === 'rectification' || t === 'restriction')) {
        const told = template.recipientsNotified;
        if (!told) {
          throw new AppError('VALIDATION_FAILED', 'say which recipients were told (Art. 19), or pass []', {
            field: 'recipientsNotified',
          });
        }
        if (told.length === 0) blocks.push({ kind: 'p', text: m.completion.noRecipients });
        else blocks.push({ kind: 'p', text: m.completion.recipientsTold }, { kind: 'list', items: told });
      }
      blocks.push({ kind: 'p', text: m.reference(template.reference) });
      return { subject: m.completion.subject(template.reference), blocks };
    }
    case 'consent_confirmation':
      if (template.purposes.length === 0) {
        throw new AppError('VALIDATION_FAILED', 'name what the subject is consenting to', { field: 'purposes' });
      }
      return {
        subject: m.consent.subject(org),
        blocks: [
          { kind: 'p', text: m.consent.intro(org) },
          { kind: 'list', items: template.purposes },
          { kind: 'button', label: m.consent.action, url: secureUrl(template.link, 'link') },
          { kind: 'p', text: m.consent.notYou },
        ],
      };
    case 'breach_notice':
      return {
        subject: m.breach.subject(org),
        blocks: [
          { kind: 'p', text: m.breach.intro(org) },
          { kind: 'heading', text: m.breach.what },
          { kind: 'p', text: required(template.whatHappened, 'whatHappened') },
          { kind: 'heading', text: m.breach.consequences },
          { kind: 'p', text: required(template.likelyConsequences, 'likelyConsequences') },
          { kind: 'heading', text: m.breach.measures },
          { kind: 'p', text: required(template.measuresTaken, 'measuresTaken') },
          { kind: 'heading', text: m.breach.advice },
          { kind: 'p', text: required(template.recommendedActions, 'recommendedActions') },
          { kind: 'heading', text: m.breach.contact },
          { kind: 'p', text: required(template.contact, 'contact') },
        ],
      };
  }
};

/**
 * Renders one e-mail in the subject's language, as text and HTML.
 * @example renderEmail({ locale: 'de', timeZone: 'Europe/Berlin', organisation: 'Acme' }, { kind: 'request_received', reference: 'req_…', types: ['access'], dueAt })
 */
export const renderEmail = (ctx: EmailContext, template: EmailTemplate): RenderedEmail => {
  const m = emailMessages[ctx.locale];
  if (!m) throw new AppError('VALIDATION_FAILED', `no e-mail texts for locale ${ctx.locale}`, { field: 'locale' });
  const { subject, blocks } = body(ctx, m, template);
  const all: Block[] = [
    { kind: 'p', text: m.greeting },
    ...blocks,
    { kind: 'p', text: `${m.regards}\n${ctx.organisation}` },
  ];
  return { subject, text: renderText(all), html: renderHtml(all, { lang: ctx.locale, title: subject }) };
};
