import type { Breach, RopaController } from '@lawful/contract';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { escapeHtml } from '../email/email.html.ts';

/** The notification to the supervisory authority, laid out as Art. 33(3)(a)–(d) asks. A draft: the officer sends it. */
export type AuthorityDraft = {
  article: 'Art. 33';
  generatedAt: string;
  breachId: string;
  controller: RopaController['controller'] | null;
  dpo: RopaController['dpo'];
  awareAt: string;
  occurred: { from: string | null; to: string | null };
  deadline: Breach['deadline'];
  processorSide: boolean;
  /** (a) the nature of the breach, categories and approximate numbers of people and records. */
  a_nature: {
    description: string;
    subjectCategories: string[];
    approxSubjects: number | null;
    approxRecords: number | null;
    dataCategories: string[];
    systems: string[];
  };
  /** (b) the DPO or other contact point. */
  b_contact: string;
  /** (c) likely consequences. */
  c_consequences: string;
  /** (d) measures taken or proposed, including to mitigate possible adverse effects. */
  d_measures: { taken: string; proposed: string };
  risk: Breach['risk'];
  /** Art. 33(1): reasons for a notification later than 72 hours. */
  delayReason: string | null;
  authorityNotifiedAt: string | null;
};

export const authorityDraft = (b: Breach, c: RopaController | null, at: Date): AuthorityDraft => ({
  article: 'Art. 33',
  generatedAt: at.toISOString(),
  breachId: b.id,
  controller: c?.controller ?? null,
  dpo: c?.dpo ?? null,
  awareAt: b.awareAt,
  occurred: { from: b.occurredFrom, to: b.occurredTo },
  deadline: b.deadline,
  processorSide: b.processorSide,
  a_nature: {
    description: b.whatHappened,
    subjectCategories: b.subjectCategories,
    approxSubjects: b.approxSubjects,
    approxRecords: b.approxRecords,
    dataCategories: b.dataCategories,
    systems: b.systems,
  },
  b_contact: b.contactPoint,
  c_consequences: b.likelyConsequences,
  d_measures: { taken: b.measuresTaken, proposed: b.measuresProposed },
  risk: b.risk,
  delayReason: b.delayReason ?? (b.deadline.overdue && !b.authorityNotifiedAt ? '' : null),
  authorityNotifiedAt: b.authorityNotifiedAt,
});

const para = (s: string) =>
  s
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replaceAll('\n', '<br>')}</p>`)
    .join('');
const items = (xs: readonly string[]) =>
  xs.length ? `<ul>${xs.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>` : '<p>—</p>';
const num = (n: number | null) => (n === null ? 'unknown' : `approximately ${n.toLocaleString('en-GB')}`);

/** A self-contained page (no scripts, no external resources) an officer can read, print or paste from. */
export const draftHtml = (d: AuthorityDraft): string => {
  const who = d.controller
    ? `${escapeHtml(d.controller.name)}, ${escapeHtml(d.controller.address)}, ${escapeHtml(d.controller.email)}`
    : 'not recorded (PUT /v1/ropa/controller)';
  const dpo = d.dpo ? `${escapeHtml(d.dpo.name)}, ${escapeHtml(d.dpo.email)}` : 'none designated';
  const late =
    d.delayReason !== null
      ? `<section><h2>Reasons for the delay (Art. 33(1))</h2>${d.delayReason ? para(d.delayReason) : '<p><strong>Required: the 72 hours have passed.</strong></p>'}</section>`
      : '';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Personal data breach notification ${escapeHtml(d.breachId)}</title>
<style>body{font-family:system-ui,sans-serif;line-height:1.5;color:#111;max-width:760px;margin:0 auto;padding:24px}h1{font-size:22px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ddd}dt{font-weight:600}dd{margin:0 0 8px}.due{padding:8px 12px;background:#fef3c7;border-left:4px solid #d97706}</style>
</head>
<body>
<h1>Notification of a personal data breach (GDPR Art. 33)</h1>
<p>Draft generated ${escapeHtml(d.generatedAt)} · reference ${escapeHtml(d.breachId)}${d.processorSide ? ' · reported by our processor (Art. 33(2))' : ''}</p>
<dl>
<dt>Controller</dt><dd>${who}</dd>
<dt>Data protection officer</dt><dd>${dpo}</dd>
<dt>Became aware</dt><dd>${escapeHtml(d.awareAt)}</dd>
<dt>Breach window</dt><dd>${escapeHtml(d.occurred.from ?? 'unknown')} – ${escapeHtml(d.occurred.to ?? 'unknown')}</dd>
<dt>Risk assessment</dt><dd>${escapeHtml(d.risk)}</dd>
</dl>
<p class="due">Due to the authority by ${escapeHtml(d.deadline.local)} (${escapeHtml(d.deadline.at)}, 72 hours after awareness)${d.authorityNotifiedAt ? ` · notified ${escapeHtml(d.authorityNotifiedAt)}` : ''}</p>
<section><h2>(a) Nature of the breach</h2>${para(d.a_nature.description)}
<dl><dt>Categories of data subjects</dt><dd>${items(d.a_nature.subjectCategories)}</dd>
<dt>Approximate number of data subjects</dt><dd>${num(d.a_nature.approxSubjects)}</dd>
<dt>Categories of personal data records</dt><dd>${items(d.a_nature.dataCategories)}</dd>
<dt>Approximate number of records</dt><dd>${num(d.a_nature.approxRecords)}</dd>
<dt>Systems affected</dt><dd>${items(d.a_nature.systems)}</dd></dl></section>
<section><h2>(b) Contact point</h2>${para(d.b_contact)}</section>
<section><h2>(c) Likely consequences</h2>${para(d.c_consequences)}</section>
<section><h2>(d) Measures taken or proposed</h2><h3>Taken</h3>${para(d.d_measures.taken)}<h3>Proposed</h3>${d.d_measures.proposed ? para(d.d_measures.proposed) : '<p>—</p>'}</section>
${late}
</body>
</html>
`;
};

const header = [
  'id',
  'status',
  'risk',
  'processor side',
  'aware at',
  'deadline (UTC)',
  'deadline (local)',
  'authority notified at',
  'late',
  'delay reason',
  'subjects notified at',
  'closed at',
  'occurred from',
  'occurred to',
  'what happened',
  'subject categories',
  'approx. subjects',
  'approx. records',
  'data categories',
  'systems',
  'likely consequences',
  'measures taken',
  'measures proposed',
  'contact point',
];

const rowOf = (b: Breach): (string | number)[] => [
  b.id,
  b.status,
  b.risk,
  b.processorSide ? 'yes' : 'no',
  b.awareAt,
  b.deadline.at,
  b.deadline.local,
  b.authorityNotifiedAt ?? '',
  b.authorityNotifiedAt && b.deadline.overdue ? 'yes' : 'no',
  b.delayReason ?? '',
  b.subjectsNotifiedAt ?? '',
  b.closedAt ?? '',
  b.occurredFrom ?? '',
  b.occurredTo ?? '',
  b.whatHappened,
  b.subjectCategories.join('; '),
  b.approxSubjects ?? '',
  b.approxRecords ?? '',
  b.dataCategories.join('; '),
  b.systems.join('; '),
  b.likelyConsequences,
  b.measuresTaken,
  b.measuresProposed,
  b.contactPoint,
];

/** The Art. 33(5) register as CSV: one row per breach, notified or not. */
export const registerCsv = (items: readonly Breach[]): string => stringify([header, ...items.map(rowOf)]);

export const registerXlsx = async (items: readonly Breach[], at: Date): Promise<Buffer> => {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Lawful';
  wb.created = at;
  const ws = wb.addWorksheet('Breach register', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRow(header).font = { bold: true };
  for (const b of items) ws.addRow(rowOf(b));
  ws.columns.forEach((col) => {
    col.width = 28;
    col.alignment = { wrapText: true, vertical: 'top' };
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
};
