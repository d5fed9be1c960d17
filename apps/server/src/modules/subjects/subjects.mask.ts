import type { IdentifierKind } from '@lawful/contract';

const DOTS = '•••';

/** First character of each part kept, the rest hidden: enough to tell two people apart, too little to write to. */
const maskEmail = (v: string) => {
  const at = v.lastIndexOf('@');
  if (at < 1) return DOTS;
  const labels = v.slice(at + 1).split('.');
  const tld = labels.length > 1 ? `.${labels.at(-1)}` : '';
  return `${v[0]}${DOTS}@${labels[0]?.[0] ?? ''}${DOTS}${tld}`;
};

/** `+44 20 7946 0089` → `+44•••••89`: the country code and the last two digits. */
const maskPhone = (v: string) => {
  const digits = v.replace(/\D/g, '');
  if (digits.length < 6) return DOTS;
  return `${v.trim().startsWith('+') ? '+' : ''}${digits.slice(0, 2)}•••••${digits.slice(-2)}`;
};

/** Platform ids: two characters either side of long ones, one before short ones. */
const maskOpaque = (v: string) => (v.length >= 10 ? `${v.slice(0, 2)}${DOTS}${v.slice(-2)}` : `${v[0] ?? ''}${DOTS}`);

/**
 * What a list may show of an identifier (the console's data minimisation): never more than a few characters.
 * @example maskIdentifier('email', 'jane.doe@example.com') // 'j•••@e•••.com'
 */
export const maskIdentifier = (kind: IdentifierKind, value: string | null): string | null => {
  if (value === null) return null;
  if (kind === 'email') return maskEmail(value);
  if (kind === 'phone') return maskPhone(value);
  return maskOpaque(value);
};
