import type { JurisdictionCode, RefusalGround, RequestLocale, RequestType } from '@lawful/contract';
import { de } from './locales/email.de.ts';
import { en } from './locales/email.en.ts';
import { es } from './locales/email.es.ts';
import { fr } from './locales/email.fr.ts';
import { it } from './locales/email.it.ts';
import { nl } from './locales/email.nl.ts';

/**
 * Everything a subject reads, per language. One type for all locales, so a missing translation is a compile error
 * rather than an English sentence in a German e-mail. Write plainly: these go to people, not lawyers.
 */
export type EmailMessages = {
  greeting: string;
  regards: string;
  reference: (ref: string) => string;
  requestTypes: Record<RequestType, string>;
  refusalGrounds: Record<RefusalGround, string>;
  /** Authority names, worded to follow the `complaint` sentence (e.g. dative in German). Keyed by text key. */
  authorityNames: Record<`authority.${JurisdictionCode}.name`, string>;
  verification: {
    subject: (org: string) => string;
    intro: (org: string) => string;
    action: string;
    code: (code: string) => string;
    expires: (when: string) => string;
    notYou: string;
  };
  received: {
    subject: (ref: string) => string;
    intro: (org: string, types: string) => string;
    due: (date: string) => string;
    free: string;
  };
  extension: {
    subject: (ref: string) => string;
    intro: (originalDue: string, newDue: string) => string;
    reason: string;
  };
  refusal: {
    subject: (ref: string) => string;
    intro: (types: string) => string;
    grounds: string;
    explanation: string;
    complaint: (authority: string) => string;
    complaintLink: string;
    court: string;
  };
  completion: {
    subject: (ref: string) => string;
    done: (types: string) => string;
    download: string;
    downloadExpires: (when: string) => string;
    recipientsTold: string;
    noRecipients: string;
  };
  consent: {
    subject: (org: string) => string;
    intro: (org: string) => string;
    action: string;
    notYou: string;
  };
  breach: {
    subject: (org: string) => string;
    intro: (org: string) => string;
    what: string;
    consequences: string;
    measures: string;
    advice: string;
    contact: string;
  };
};

export const emailMessages: Readonly<Record<RequestLocale, EmailMessages>> = { en, de, fr, es, it, nl };

/** Supervisory authority web pages (Art. 77), resolved from a jurisdiction profile's `urlKey`; not translated. */
export const authorityUrls: Readonly<Record<`authority.${JurisdictionCode}.url`, string>> = {
  'authority.eu.url': 'https://www.edpb.europa.eu/about-edpb/about-edpb/members_en',
  'authority.uk.url': 'https://ico.org.uk/make-a-complaint/',
  'authority.fr.url': 'https://www.cnil.fr/fr/plaintes',
  'authority.de.url': 'https://www.bfdi.bund.de/',
  'authority.us-ca.url': 'https://cppa.ca.gov/',
};
