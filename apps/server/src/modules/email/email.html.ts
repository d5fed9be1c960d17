import { AppError } from '../../lib/errors.ts';

/**
 * E-mail bodies are built from a few block kinds and rendered twice, as plain text and as HTML. Every string reaching
 * HTML goes through `escapeHtml`, and every link through `secureUrl`, in this one file.
 */
export type Block =
  | { kind: 'p'; text: string }
  | { kind: 'heading'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'button'; label: string; url: string }
  | { kind: 'link'; label: string; url: string }
  | { kind: 'quote'; text: string };

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** @example escapeHtml('<b>"x"</b>') // '&lt;b&gt;&quot;x&quot;&lt;/b&gt;' */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => entities[c] ?? c);

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Check 38: links that carry personal data or prove identity travel over HTTPS. Plain HTTP is accepted only for a
 * loopback host, so local development works without a certificate. Anything else (javascript:, data:, http to a
 * real host) is refused before it reaches an e-mail.
 */
export const secureUrl = (raw: string, field: string): string => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'not a valid URL', { field });
  }
  const ok = url.protocol === 'https:' || (url.protocol === 'http:' && loopbackHosts.has(url.hostname));
  if (!ok) throw new AppError('VALIDATION_FAILED', 'e-mail links must use https', { field });
  if (url.username || url.password) throw new AppError('VALIDATION_FAILED', 'links carry no credentials', { field });
  return url.toString();
};

type Renderers = { [K in Block['kind']]: (block: Extract<Block, { kind: K }>) => string };
const renderWith = (r: Renderers, b: Block): string => (r[b.kind] as (block: Block) => string)(b);

const text: Renderers = {
  // No hard wrapping: quoted-printable transfer keeps long lines safe, and clients reflow them.
  p: (b) => b.text,
  heading: (b) => `${b.text}\n${'-'.repeat(Math.min(b.text.length, 76))}`,
  list: (b) => b.items.map((i) => `- ${i.replaceAll('\n', '\n  ')}`).join('\n'),
  // URLs stay on a line of their own so mail clients can link them.
  button: (b) => `${b.label}:\n${b.url}`,
  link: (b) => `${b.label}:\n${b.url}`,
  quote: (b) =>
    b.text
      .split('\n')
      .map((l) => `> ${l}`)
      .join('\n'),
};

export const renderText = (blocks: readonly Block[]): string =>
  `${blocks.map((b) => renderWith(text, b)).join('\n\n')}\n`;

const inline = (s: string) => escapeHtml(s).replaceAll('\n', '<br>');

const html: Renderers = {
  p: (b) => `<p>${inline(b.text)}</p>`,
  heading: (b) => `<h2 style="font-size:16px;margin:24px 0 8px">${inline(b.text)}</h2>`,
  list: (b) => `<ul>${b.items.map((i) => `<li>${inline(i)}</li>`).join('')}</ul>`,
  button: (b) =>
    `<p><a href="${escapeHtml(b.url)}" style="display:inline-block;padding:10px 18px;background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:4px">${inline(b.label)}</a></p>`,
  link: (b) => `<p><a href="${escapeHtml(b.url)}">${inline(b.label)}</a></p>`,
  quote: (b) =>
    `<blockquote style="margin:0;padding-left:12px;border-left:3px solid #ccc">${inline(b.text)}</blockquote>`,
};

export const renderHtml = (blocks: readonly Block[], opts: { lang: string; title: string }): string => {
  const body = blocks.map((b) => renderWith(html, b)).join('\n');
  return `<!doctype html>
<html lang="${escapeHtml(opts.lang)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(opts.title)}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#111;max-width:600px;margin:0 auto;padding:16px">
${body}
</body>
</html>
`;
};
