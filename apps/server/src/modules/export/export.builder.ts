import type { Writable } from 'node:stream';
import { AppError } from '../../lib/errors.ts';
import {
  type ExportPackageInput,
  ExportPackageMeta,
  type ExportSection,
  ExportSectionMeta,
} from './export.contract.ts';
import { csvHeader, csvRows } from './export.csv.ts';
import { renderIndexHtml } from './export.html.ts';
import { type CollectionSummary, collectionClose, collectionOpen, dataJsonHead, dataJsonTail } from './export.json.ts';
import { csvNamer, sheetNamer } from './export.names.ts';
import { buildDataJsonSchema } from './export.schema.ts';
import { planSection, type SectionPlan } from './export.scope.ts';
import { createSpool, type SpoolFile } from './export.spool.ts';
import {
  cellText,
  type JsonValue,
  jsonType,
  toJsonValue,
  XLSX_CELL_MAX,
  type XlsxCell,
  xlsxCell,
} from './export.values.ts';
import { createXlsxWriter, XLSX_MAX_ROWS, type XlsxWriter } from './export.xlsx.ts';
import { createPackageZip, type ZipEntryWriter } from './export.zip.ts';

export type BuildExportOptions = {
  /** Where the encrypted spool lives while building (default: the OS temp dir). */
  tmpDir?: string;
  /** Rows handed to each writer at a time; the unit of memory per collection. */
  batchRows?: number;
  /** Rows per sheet before continuing on a new one; Excel's limit unless a test lowers it. */
  xlsxMaxRows?: number;
};

/** What was built, without personal data: fit for logs and the audit trail. */
export type ExportPackageSummary = {
  files: string[];
  collections: { system: string; collection: string; rows: number; csv: string; sheets: string[] }[];
  excluded: { system: string; collection: string; reason: string }[];
};

/** A batch also ends at about this many characters of JSON, so wide rows cannot make a batch large. */
const BATCH_CHARS = 1 << 20;

/**
 * Streams the access (Art. 15) or portability (Art. 20) package for one person into `out` as a ZIP: data.json,
 * csv/*.csv, data.xlsx, processing.json, schema.json, index.html (docs/export.md). Each section's rows are read once
 * and teed to the three data writers a batch at a time, so memory stays flat whatever the size. On failure `out` is
 * destroyed with the error: a partial package must never look finished.
 *
 * @example
 * await buildExportPackage({ kind: 'access', subjectRef, generatedAt, locale: 'de', sections, processing,
 *   lawfulRecords, completeness }, createWriteStream('package.zip'));
 */
export const buildExportPackage = async (
  input: ExportPackageInput,
  out: Writable,
  opts: BuildExportOptions = {},
): Promise<ExportPackageSummary> => {
  const { sections, ...rest } = input;
  const parsed = ExportPackageMeta.safeParse(rest);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
    throw new AppError('VALIDATION_FAILED', 'export package input is invalid', { issues });
  }
  const meta = parsed.data;
  const spool = await createSpool(opts.tmpDir);
  let xlsx: XlsxWriter | undefined;
  try {
    const zip = createPackageZip(out, { mtime: new Date(meta.generatedAt) });
    const xlsxFile = spool.file('data.xlsx');
    xlsx = createXlsxWriter(xlsxFile.sink, { created: new Date(meta.generatedAt) });
    const json = zip.entry('data.json');
    await json.write(dataJsonHead(meta));

    const nameSheet = sheetNamer();
    const nameCsv = csvNamer();
    const plans: SectionPlan[] = [];
    const collections: CollectionSummary[] = [];
    const csvFiles: { name: string; file: SpoolFile }[] = [];
    for await (const section of sections) {
      const sectionMeta = ExportSectionMeta.safeParse({
        system: section.system,
        collection: section.collection,
        fields: section.fields,
      });
      if (!sectionMeta.success) {
        throw new AppError('VALIDATION_FAILED', `export section #${plans.length + 1} is invalid`, {
          issues: sectionMeta.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
        });
      }
      const plan = planSection(meta.kind, sectionMeta.data, meta.processing);
      plans.push(plan);
      // Rows of a left-out section are never read: what the person is not given is not touched either.
      if (!plan.included) continue;
      const summary = await writeCollection(section, plan, {
        first: collections.length === 0,
        json,
        xlsx,
        csv: (name) => spool.file(name),
        csvName: nameCsv(plan.system, plan.collection),
        nameSheet,
        categories: meta.processing.categories,
        batchRows: opts.batchRows ?? 1000,
        maxRows: opts.xlsxMaxRows ?? XLSX_MAX_ROWS,
      });
      collections.push(summary.collection);
      csvFiles.push({ name: summary.collection.csv, file: summary.file });
    }
    await json.write(dataJsonTail(meta));
    await json.end();

    await writeFieldsSheet(xlsx, nameSheet('fields'), collections, meta);
    await xlsx.finish();
    await xlsxFile.end();
    for (const c of csvFiles) await zip.addStream(c.name, c.file.read());
    // A workbook is itself a deflated ZIP: storing it avoids compressing twice for nothing.
    await zip.addStream('data.xlsx', xlsxFile.read(), { compress: false });

    const processing = {
      format: 'lawful-export-processing/1',
      kind: meta.kind,
      subjectRef: meta.subjectRef,
      generatedAt: meta.generatedAt,
      locale: meta.locale,
      ...meta.processing,
      completeness: meta.completeness,
      collections: collections.map((c) => ({
        system: c.system,
        collection: c.collection,
        purposes: c.purposes,
        rows: c.rowCount,
        csv: c.csv,
        sheets: c.sheets,
      })),
      ...(meta.kind === 'portability'
        ? {
            portability: {
              rule:
                'Included: collections serving at least one purpose based, for this person, on consent or contract ' +
                '(Art. 20(1)(a)); of those, fields the person provided or that were observed. Left out: derived fields, ' +
                'undeclared values, collections linked to no purpose, and Lawful’s own compliance records (Art. 7(1)).',
              excluded: plans
                .filter((p) => !p.included)
                .map((p) => ({ system: p.system, collection: p.collection, ...p.excluded })),
              droppedFields: plans
                .filter((p) => p.included && p.droppedFields.length)
                .map((p) => ({ system: p.system, collection: p.collection, fields: p.droppedFields })),
            },
          }
        : {}),
    };
    await writeWhole(zip.entry('processing.json'), `${JSON.stringify(processing, null, 2)}\n`);
    await writeWhole(
      zip.entry('schema.json'),
      `${JSON.stringify(buildDataJsonSchema(meta.kind, collections), null, 2)}\n`,
    );
    await writeWhole(zip.entry('index.html'), renderIndexHtml({ meta, collections, plans }));
    await zip.finish();

    return {
      files: ['data.json', ...csvFiles.map((c) => c.name), 'data.xlsx', 'processing.json', 'schema.json', 'index.html'],
      collections: collections.map((c) => ({
        system: c.system,
        collection: c.collection,
        rows: c.rowCount,
        csv: c.csv,
        sheets: c.sheets,
      })),
      excluded: plans
        .filter((p) => !p.included)
        .map((p) => ({ system: p.system, collection: p.collection, reason: p.excluded?.reason ?? 'unmapped' })),
    };
  } catch (e) {
    out.destroy(e as Error);
    throw e;
  } finally {
    // A build that failed half way leaves the workbook's thread waiting for rows: end it.
    await xlsx?.close();
    await spool.dispose();
  }
};

const writeWhole = async (entry: ZipEntryWriter, text: string) => {
  await entry.write(text);
  await entry.end();
};

type CollectionDeps = {
  first: boolean;
  json: ZipEntryWriter;
  xlsx: XlsxWriter;
  csv: (name: string) => SpoolFile;
  csvName: string;
  nameSheet: (raw: string) => string;
  categories: ExportPackageMeta['processing']['categories'];
  batchRows: number;
  maxRows: number;
};

/** One collection: rows in once, out to data.json (directly into the ZIP), its CSV and its sheet(s) (spooled). */
const writeCollection = async (section: ExportSection, plan: SectionPlan, d: CollectionDeps) => {
  const names = plan.fields.map((f) => f.name);
  const declared = new Set(names);
  const c: CollectionSummary = {
    system: plan.system,
    collection: plan.collection,
    purposes: plan.purposes.map((p) => p.key),
    csv: d.csvName,
    sheets: [],
    fields: plan.fields,
    rowCount: 0,
    fieldTypes: new Map(names.map((n) => [n, new Set()])),
    undeclared: new Map(),
    truncatedCells: 0,
  };
  const file = d.csv(c.csv);
  await file.write(csvHeader(names));
  let sheetRows = 0;
  const openSheet = () => {
    const name = d.nameSheet(c.sheets.length ? `${plan.collection} (${c.sheets.length + 1})` : plan.collection);
    c.sheets.push(name);
    d.xlsx.startSheet(name, names);
    sheetRows = 1;
  };
  openSheet();
  await d.json.write(collectionOpen(d.first, c, d.categories));

  let jsonText = '';
  let csvBatch: (string | null)[][] = [];
  let xlsxBatch: XlsxCell[][] = [];
  const flush = async () => {
    await file.write(csvRows(csvBatch));
    csvBatch = [];
    // Continue on a fresh sheet rather than write a workbook Excel refuses to open.
    let rest = xlsxBatch;
    while (rest.length) {
      if (sheetRows >= d.maxRows) {
        d.xlsx.endSheet();
        openSheet();
      }
      const take = rest.slice(0, d.maxRows - sheetRows);
      await d.xlsx.addRows(take);
      sheetRows += take.length;
      rest = rest.slice(take.length);
    }
    xlsxBatch = [];
    await d.json.write(jsonText);
    jsonText = '';
  };

  // Looked up once per collection, not once per cell.
  const typeSets = names.map((n) => c.fieldTypes.get(n)!);
  for await (const row of section.rows) {
    const obj: Record<string, JsonValue> = {};
    const csvCells: (string | null)[] = new Array(names.length);
    const xlsxCells: XlsxCell[] = new Array(names.length);
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const v = toJsonValue(row[name]);
      obj[name] = v;
      typeSets[i]!.add(jsonType(v));
      const x = xlsxCell(v);
      // A string is its own CSV text; only structured values need rendering (cellText).
      csvCells[i] = typeof v === 'string' ? v : cellText(v);
      if (typeof x === 'string' && x.length === XLSX_CELL_MAX) c.truncatedCells++;
      xlsxCells[i] = x;
    }
    if (plan.keepUndeclared) {
      for (const key of Object.keys(row)) {
        if (declared.has(key) || row[key] === undefined) continue;
        const v = toJsonValue(row[key]);
        obj[key] = v;
        const seen = c.undeclared.get(key) ?? new Set();
        seen.add(jsonType(v));
        c.undeclared.set(key, seen);
      }
    }
    jsonText += `${c.rowCount === 0 ? '' : ','}\n${JSON.stringify(obj)}`;
    csvBatch.push(csvCells);
    xlsxBatch.push(xlsxCells);
    c.rowCount++;
    if (csvBatch.length >= d.batchRows || jsonText.length >= BATCH_CHARS) await flush();
  }
  await flush();
  d.xlsx.endSheet();
  await file.end();
  await d.json.write(collectionClose(c));
  return { collection: c, file };
};

/** The last sheet says where every column came from and what it means (C-487/21: context where needed). */
const writeFieldsSheet = async (
  xlsx: XlsxWriter,
  name: string,
  collections: CollectionSummary[],
  meta: ExportPackageMeta,
) => {
  xlsx.startSheet(name, [
    'system',
    'collection',
    'sheets',
    'csv',
    'field',
    'category',
    'categoryName',
    'portable',
    'description',
  ]);
  const rows: XlsxCell[][] = collections.flatMap((c) =>
    c.fields.map((f) => [
      c.system,
      c.collection,
      c.sheets.join(', '),
      c.csv,
      f.name,
      f.category,
      meta.processing.categories.find((x) => x.key === f.category)?.name ?? f.category,
      f.portable,
      f.description ?? null,
    ]),
  );
  await xlsx.addRows(rows);
  xlsx.endSheet();
};
