import type { RequestLocale } from './export.contract.ts';
import { de } from './messages/de.messages.ts';
import { type ExportMessages, en } from './messages/en.messages.ts';
import { es } from './messages/es.messages.ts';
import { fr } from './messages/fr.messages.ts';
import { it } from './messages/it.messages.ts';
import { nl } from './messages/nl.messages.ts';

export type { ExportMessages };
export type MessageKey = keyof ExportMessages;

export const exportMessages: Record<RequestLocale, ExportMessages> = { en, de, fr, es, it, nl };
