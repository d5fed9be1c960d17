import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { ControllerRecord, ProcessorRecord } from './ropa.model.ts';

const list = (xs: readonly string[]) => xs.join('; ');
const contact = (c: ControllerRecord['controller']) =>
  [c.name, c.address, c.email, c.phone, c.representative ? `representative: ${c.representative}` : undefined]
    .filter(Boolean)
    .join(', ');
const dpoLine = (d: ControllerRecord['dpo']) =>
  d ? [d.name, d.email, d.phone].filter(Boolean).join(', ') : 'none designated';

/** Rows of the controller record: one per processing activity, each self-contained (a spreadsheet sorts rows). */
const controllerRows = (r: ControllerRecord) => {
  const header = [
    'controller (30(1)(a))',
    'dpo (30(1)(a))',
    'purpose (30(1)(b))',
    'version',
    'description',
    'lawful bases',
    'legitimate interest / LIA',
    'categories of data subjects (30(1)(c))',
    'categories of personal data (30(1)(c))',
    'special categories / Art. 9(2) condition',
    'recipients (30(1)(d))',
    'transfers and safeguards (30(1)(e))',
    'retention (30(1)(f))',
    'source',
    'automated decision-making',
    'direct marketing',
    'security measures (30(1)(g))',
  ];
  const rows = r.activities.map((a) => [
    contact(r.controller),
    dpoLine(r.dpo),
    `${a.name} (${a.purpose})`,
    String(a.version),
    a.description,
    list(a.lawfulBases.map((b) => `${b.basis} (${b.article})`)),
    a.legitimateInterest ? `${a.legitimateInterest} [LIA ${a.liaReference}]` : '',
    list(a.subjectCategories),
    list(a.dataCategories),
    a.specialCategories.length ? `${list(a.specialCategories)} [${a.art9Condition}]` : '',
    list(a.recipients.map((x) => `${x.name} (${x.role}, ${x.country})`)),
    list(a.transfers.map((t) => `${t.recipient} → ${t.country}: ${t.safeguard}`)),
    a.retention,
    a.source,
    a.automatedDecisionMaking,
    a.directMarketing ? 'yes' : 'no',
    list(r.securityMeasures),
  ]);
  return { header, rows };
};

const processorRows = (r: ProcessorRecord) => {
  const header = [
    'processor (30(2)(a))',
    'dpo (30(2)(a))',
    'controller on whose behalf (30(2)(a))',
    'categories of processing (30(2)(b))',
    'transfers and safeguards (30(2)(c))',
    'security measures (30(2)(d))',
  ];
  const rows = r.activities.map((a) => [
    contact(r.processor),
    dpoLine(r.dpo),
    `${a.controllerName} (${a.controllerContact})`,
    list(a.processingCategories),
    list(a.transfers.map((t) => `${t.country}: ${t.safeguard}`)),
    list(r.securityMeasures),
  ]);
  return { header, rows };
};

const tableOf = (r: ControllerRecord | ProcessorRecord) =>
  r.article === 'Art. 30(1)' ? controllerRows(r) : processorRows(r);

export const toCsv = (r: ControllerRecord | ProcessorRecord): string => {
  const { header, rows } = tableOf(r);
  return stringify([header, ...rows]);
};

export const toXlsx = async (r: ControllerRecord | ProcessorRecord): Promise<Buffer> => {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Lawful';
  wb.created = new Date(r.generatedAt);
  const { header, rows } = tableOf(r);
  const main = wb.addWorksheet(r.article === 'Art. 30(1)' ? 'Processing activities' : 'Processing for controllers', {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  main.addRow(header).font = { bold: true };
  for (const row of rows) main.addRow(row);
  main.columns.forEach((col) => {
    col.width = 32;
    col.alignment = { wrapText: true, vertical: 'top' };
  });
  const measures = wb.addWorksheet('Security measures');
  measures.addRow(['Art. 32(1) technical and organisational measures']).font = { bold: true };
  for (const m of r.securityMeasures) measures.addRow([m]);
  if (r.subprocessors) {
    const sp = wb.addWorksheet('Sub-processors');
    sp.addRow(['name', 'country', 'purpose', 'safeguards', 'effective from', 'status']).font = { bold: true };
    const versions = [
      ...(r.subprocessors.current ? [{ v: r.subprocessors.current, status: 'in effect' }] : []),
      ...r.subprocessors.upcoming.map((v) => ({ v, status: 'announced' })),
    ];
    for (const { v, status } of versions) {
      for (const s of v.subprocessors)
        sp.addRow([s.name, s.country, s.purpose, s.safeguards.join('; '), v.effectiveAt, status]);
    }
  }
  measures.getColumn(1).width = 120;
  return Buffer.from(await wb.xlsx.writeBuffer());
};
