import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskIdentifier } from './subjects.mask.ts';

describe('maskIdentifier (console data minimisation)', () => {
  it.each([
    ['email', 'jane.doe@example.com', 'j•••@e•••.com'],
    ['email', 'a@b.co.uk', 'a•••@b•••.uk'],
    ['email', 'x@localhost', 'x•••@l•••'],
    ['phone', '+44 20 7946 0089', '+44•••••89'],
    ['phone', '020 7946 0012', '02•••••12'],
    ['phone', '12345', '•••'],
    ['user_id', 'cus_9XgT61m2q', 'cu•••2q'],
    ['device_id', 'd-1', 'd•••'],
  ] as const)('%s %s → %s', (kind, value, masked) => {
    expect(maskIdentifier(kind, value)).toBe(masked);
  });

  it('a shredded value stays null', () => {
    expect(maskIdentifier('email', null)).toBeNull();
  });

  it('never shows more than four characters of the value', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('email', 'phone', 'user_id', 'device_id' as const),
        fc.string({ minLength: 1, maxLength: 80 }),
        (kind, value) => {
          const shown = (maskIdentifier(kind, value) ?? '').replaceAll('•', '').replace(/[@.+]/g, '');
          // The e-mail's top-level domain is shown in full: it is shared by millions.
          const tld = kind === 'email' && value.includes('@') ? (value.split('@').at(-1)?.split('.').at(-1) ?? '') : '';
          expect(shown.length).toBeLessThanOrEqual(4 + tld.length);
        },
      ),
    );
  });
});
