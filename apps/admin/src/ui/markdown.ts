import { Marked } from 'marked';

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

// Configured as the server renders notices (notices.render.ts): raw HTML in the Markdown is shown as text, so the
// preview never runs or hides anything, and it looks as the published notice will.
const marked = new Marked({ gfm: true, async: false, renderer: { html: ({ text }) => esc(text) } });

/** A notice's Markdown as HTML, for the live preview. */
export const markdownHtml = (md: string) => marked.parse(md) as string;
