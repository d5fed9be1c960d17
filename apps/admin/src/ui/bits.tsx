import type { ReactNode } from 'react';

export const Alert = ({ children }: { children: ReactNode }) => (
  <div className="alert" role="alert">
    {children}
  </div>
);

export const Loading = ({ what }: { what: string }) => (
  <p className="muted" aria-live="polite">
    Loading {what}…
  </p>
);

/** A table that scrolls sideways on a phone; focusable so keyboard users can scroll it too. */
export const TableWrap = ({ label, children }: { label: string; children: ReactNode }) => (
  // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1).
  <section className="table-wrap" tabIndex={0} aria-label={label}>
    {children}
  </section>
);

export const when = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) : '—';

/** Saves a file the API returned (the ROPA export) without a second request. */
export const saveFile = (blob: Blob, filename: string) => {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
};
