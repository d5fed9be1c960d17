import type { ExportPackageMeta } from './export.contract.ts';
import { createKit, esc, type Html, type Kit, raw, STYLE } from './export.html-kit.ts';
import { type CollectionSummary, consentsWithCheck } from './export.json.ts';
import type { MessageKey } from './export.messages.ts';
import type { SectionPlan } from './export.scope.ts';

/**
 * index.html: what Lawful holds about the person and why, in their language and in plain words, one self-contained
 * page (Art. 12(1): concise, intelligible, easily accessible). Headings follow Art. 15(1)(a)–(h) and 15(2).
 */
export type HtmlInput = { meta: ExportPackageMeta; collections: CollectionSummary[]; plans: SectionPlan[] };

const k = (prefix: string, value: string) => `${prefix}_${value}` as MessageKey;

const dataSection = (x: Kit, { meta, collections }: HtmlInput) => {
  const cats = meta.processing.categories;
  const purposeName = (key: string) => meta.processing.purposes.find((p) => p.key === key)?.name ?? key;
  const rows = collections.map((c) => [
    c.system,
    c.collection,
    x.num(c.rowCount),
    raw(
      c.fields
        .map((f) => {
          const cat = cats.find((y) => y.key === f.category)?.name ?? f.category;
          const desc = f.description ? ` – ${esc(f.description)}` : '';
          return `<code>${esc(f.name)}</code> <span class="muted">(${esc(cat)})</span>${desc}`;
        })
        .join('<br>') || esc(x.s('none')),
    ),
    c.purposes.map(purposeName).join(', ') || x.s('none'),
    raw(`<code>${esc(c.csv)}</code>`),
  ]);
  const notes = collections
    .filter((c) => c.undeclared.size > 0)
    .map((c) =>
      x.p(x.t('undeclared', { fields: `${c.system} / ${c.collection}: ${[...c.undeclared.keys()].join(', ')}` })),
    );
  if (collections.some((c) => c.truncatedCells > 0)) notes.push(x.p(x.t('truncatedCells')));
  const head = ['colSystem', 'colCollection', 'colRecords', 'colFields', 'colPurposes', 'colFile'] as const;
  const body = collections.length ? x.table(null, head.map(x.s), rows) + notes.join('') : x.p(x.s('noData'));
  return x.section('data', x.s('hData'), body);
};

const purposesSection = (x: Kit, { meta }: HtmlInput) => {
  const { purposes, categories, recipients } = meta.processing;
  const rows = purposes.map((p) => [
    raw(`${esc(p.name)}<br><span class="muted">${esc(p.description)}</span>`),
    raw(
      esc(x.s(k('basis', p.lawfulBasis))) +
        (p.legitimateInterest ? `<br>${x.t('legitimateInterest', { text: p.legitimateInterest }).html}` : ''),
    ),
    p.categories.map((c) => categories.find((y) => y.key === c)?.name ?? c).join(', ') || x.s('none'),
    [p.retention.period, p.retention.criteria].filter(Boolean).join(' – '),
    p.recipients.map((r) => recipients.find((y) => y.id === r)?.name ?? r).join(', ') || x.s('none'),
  ]);
  const head = ['colPurpose', 'colBasis', 'colCategories', 'colRetention', 'colRecipients'] as const;
  return x.section('purposes', x.s('hPurposes'), x.table(null, head.map(x.s), rows));
};

const categoriesSection = (x: Kit, { meta }: HtmlInput) =>
  x.section(
    'categories',
    x.s('hCategories'),
    x.list(
      meta.processing.categories.map((c) =>
        raw(
          `<strong>${esc(c.name)}</strong>${c.description ? ` – ${esc(c.description)}` : ''}` +
            (c.special ? ` <span class="warn">(${esc(x.s('special'))})</span>` : ''),
        ),
      ),
    ),
  );

const recipientsSection = (x: Kit, { meta }: HtmlInput) => {
  const { recipients } = meta.processing;
  const safeguard = (r: (typeof recipients)[number]): Html =>
    r.transfer
      ? raw(
          `${esc(x.s(k('safeguard', r.transfer.safeguard)))}<br>${esc(r.transfer.detail)}` +
            (r.transfer.copyAt ? `<br>${esc(x.s('copyAt'))}: ${x.link(r.transfer.copyAt).html}` : ''),
        )
      : raw(esc(x.s('withinEea')));
  const rows = recipients.map((r) => [r.name, x.s(k('role', r.role)), x.country(r.country), safeguard(r)]);
  const head = ['colRecipient', 'colRole', 'colCountry', 'colSafeguard'] as const;
  const body = recipients.length ? x.table(null, head.map(x.s), rows) : x.p(x.s('noRecipients'));
  const transfers = recipients.filter((r) => r.transfer);
  const transferBody = transfers.length
    ? x.list(
        transfers.map((r) =>
          raw(`<strong>${esc(r.name)}</strong>, ${esc(x.country(r.country))}: ${safeguard(r).html}`),
        ),
      )
    : x.p(x.s('noTransfers'));
  return x.section('recipients', x.s('hRecipients'), body) + x.section('transfers', x.s('hTransfers'), transferBody);
};

const retentionSection = (x: Kit, { meta }: HtmlInput) =>
  x.section(
    'retention',
    x.s('hRetention'),
    x.list(
      meta.processing.purposes.map((p) =>
        raw(
          `<strong>${esc(p.name)}</strong>: ${esc([p.retention.period, p.retention.criteria].filter(Boolean).join(' – '))}`,
        ),
      ),
    ),
  );

const rightsSection = (x: Kit, { meta }: HtmlInput) => {
  const { rightsContact, dpoContact, supervisoryAuthority: sa } = meta.processing;
  const rights = ['access', 'rectification', 'erasure', 'restriction', 'objection', 'portability', 'withdraw'];
  return x.section(
    'rights',
    x.s('hRights'),
    x.list(rights.map((r) => x.s(k('right', r)))) +
      x.p(x.t('exercise', { contact: x.link(rightsContact) })) +
      (dpoContact ? x.p(x.t('dpo', { dpo: dpoContact })) : '') +
      x.p(
        raw(`${x.t('complaint', { authority: sa.name }).html} ${x.link(sa.url).html} (${esc(x.country(sa.country))})`),
      ),
  );
};

const sourcesSection = (x: Kit, { meta }: HtmlInput) => {
  const { sources, categories } = meta.processing;
  const items = sources.map((s) =>
    raw(
      `${esc(s.description)}${s.publiclyAvailable ? ` (${esc(x.s('publicSource'))})` : ''}` +
        (s.categories.length
          ? ` – <span class="muted">${esc(s.categories.map((c) => categories.find((y) => y.key === c)?.name ?? c).join(', '))}</span>`
          : ''),
    ),
  );
  return x.section('sources', x.s('hSources'), sources.length ? x.list(items) : x.p(x.s('sourcesSelf')));
};

const automatedSection = (x: Kit, { meta }: HtmlInput) => {
  const ds = meta.processing.automatedDecisions;
  const body = ds.length
    ? ds
        .map(
          (d) =>
            `<h3>${esc(d.name)}</h3><dl><dt>${esc(x.s('autoLogic'))}</dt><dd>${esc(d.logic)}</dd>` +
            `<dt>${esc(x.s('autoSignificance'))}</dt><dd>${esc(d.significance)}</dd>` +
            `<dt>${esc(x.s('autoConsequences'))}</dt><dd>${esc(d.consequences)}</dd>` +
            `<dt>${esc(x.s('autoHuman'))}</dt><dd>${esc(d.humanReview)}</dd></dl>`,
        )
        .join('')
    : x.p(x.s('noAutomated'));
  return x.section('automated', x.s('hAutomated'), body);
};

const searchSection = (x: Kit, { meta }: HtmlInput) => {
  const rows = meta.completeness.map((c) => [
    c.system,
    c.searched.join(', ') || x.s('none'),
    x.num(c.rowsFound),
    c.status === 'ok'
      ? x.s('searchOk')
      : raw(`<span class="warn">${esc(x.s('searchFailed'))}</span>${c.error ? `<br>${esc(c.error)}` : ''}`),
  ]);
  const failed = meta.completeness.filter((c) => c.status === 'failed').length;
  const head = ['colSystem', 'colSearched', 'colFound', 'colResult'] as const;
  const warn = failed
    ? `<p class="warn">${x.t('searchIncomplete', { count: failed, contact: x.link(meta.processing.rightsContact) }).html}</p>`
    : '';
  return x.section('search', x.s('hSearch'), warn + x.table(null, head.map(x.s), rows));
};

const recordsSection = (x: Kit, { meta }: HtmlInput) => {
  const purposeName = (key: string) => meta.processing.purposes.find((p) => p.key === key)?.name ?? key;
  const consents = consentsWithCheck(meta.lawfulRecords).map((c) => {
    const status = c.withdrawnAt
      ? x.t('consentWithdrawn', { date: x.date(c.withdrawnAt) }).html
      : esc(x.s(c.granted ? 'consentGiven' : 'consentRefused'));
    const via = c.channel ? `, ${x.t('via', { channel: c.channel }).html}` : '';
    return (
      `<article><h3>${esc(purposeName(c.purpose))}: ${status}</h3>` +
      `<p class="muted">${x.t('recordedOn', { date: x.date(c.recordedAt) }).html}${via}</p>` +
      `<p>${x.t('noticeVersion', { title: c.notice.title, version: c.notice.versionId, locale: c.notice.locale }).html}</p>` +
      `<blockquote lang="${esc(c.notice.locale)}">${esc(c.notice.text)}</blockquote>` +
      `<p>${esc(x.s('fingerprint'))}: <code>${esc(c.notice.sha256)}</code> – ` +
      (c.notice.textMatchesHash ? esc(x.s('hashOk')) : `<span class="warn">${esc(x.s('hashBad'))}</span>`) +
      '</p></article>'
    );
  });
  const bases = meta.lawfulRecords.lawfulBases.flatMap((b) =>
    b.history.map((h) => [
      purposeName(b.purpose),
      x.s(k('basis', h.basis)),
      x.date(h.from),
      h.to ? x.date(h.to) : x.s('current'),
      h.reason ?? x.s('none'),
    ]),
  );
  const requests = meta.lawfulRecords.requests.map((r) => [
    raw(`<code>${esc(r.id)}</code>`),
    r.types.map((t) => x.s(k('request', t))).join(', '),
    x.s(k('state', r.state)),
    x.date(r.receivedAt),
    x.date(r.closedAt),
  ]);
  return (
    x.section('consents', x.s('hConsents'), consents.join('') || x.p(x.s('noConsents'))) +
    (bases.length
      ? x.section(
          'bases',
          x.s('hBases'),
          x.table(
            null,
            ['colPurpose', 'colBasis', 'colFrom', 'colUntil', 'colReason'].map((h) => x.s(h as MessageKey)),
            bases,
          ),
        )
      : '') +
    x.section(
      'requests',
      x.s('hRequests'),
      requests.length
        ? x.table(
            null,
            (['colReference', 'colType', 'colState', 'colReceived', 'colClosed'] as const).map(x.s),
            requests,
          )
        : x.p(x.s('noRequests')),
    )
  );
};

const portabilitySection = (x: Kit, { plans }: HtmlInput) => {
  const items = plans
    .filter((e) => !e.included)
    .map((e) =>
      raw(
        `<strong>${esc(e.system)} / ${esc(e.collection)}</strong>: ` +
          x.t(k('excluded', e.excluded?.reason ?? 'unmapped'), {
            bases: (e.excluded?.bases ?? []).map((b) => x.s(k('basis', b))).join(', '),
          }).html,
      ),
    );
  const fields = plans
    .filter((d) => d.included)
    .flatMap((d) => d.droppedFields.map((f) => `${d.system} / ${d.collection}: ${f}`));
  const body =
    (items.length ? x.list(items) : '') +
    (fields.length ? x.p(x.t('excludedFields', { fields: fields.join('; ') })) : '') +
    (items.length || fields.length ? '' : x.p(x.s('nothingExcluded'))) +
    x.p(x.s('excludedLawful'));
  return x.section('portability', x.s('hPortability'), body);
};

export const renderIndexHtml = (input: HtmlInput): string => {
  const { meta, collections } = input;
  const x = createKit(meta.locale);
  const controller = meta.processing.controller;
  const title = x.t(meta.kind === 'access' ? 'titleAccess' : 'titlePortability', { controller: controller.name });
  const holds = collections.some((c) => c.rowCount > 0);
  const intro =
    meta.kind === 'portability'
      ? x.p(x.s('portabilityIntro'))
      : x.p(x.t(holds ? 'confirmYes' : 'confirmNo', { controller: controller.name }));
  const files = [
    ['data.json', 'fileData'],
    ['csv/…', 'fileCsv'],
    ['data.xlsx', 'fileXlsx'],
    ['processing.json', 'fileProcessing'],
    ['schema.json', 'fileSchema'],
    ['index.html', 'fileIndex'],
  ] as const;
  const body = [
    intro,
    x.section('files', x.s('hFiles'), x.list(files.map(([f, d]) => raw(`<code>${esc(f)}</code>: ${esc(x.s(d))}`)))),
    dataSection(x, input),
    meta.kind === 'portability' ? portabilitySection(x, input) : '',
    purposesSection(x, input),
    categoriesSection(x, input),
    recipientsSection(x, input),
    retentionSection(x, input),
    sourcesSection(x, input),
    automatedSection(x, input),
    rightsSection(x, input),
    searchSection(x, input),
    meta.kind === 'access' ? recordsSection(x, input) : '',
  ].join('\n');
  return `<!doctype html>
<html lang="${esc(meta.locale)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${title.html}</title><style>${STYLE}</style></head>
<body><a class="skip" href="#main">${esc(x.s('skip'))}</a><main id="main">
<h1>${title.html}</h1>
<p class="muted">${x.t('prepared', { date: x.date(meta.generatedAt), subject: meta.subjectRef }).html}<br>${x.t('controller', { name: controller.name, contact: x.link(controller.contact) }).html}</p>
${body}
</main></body></html>
`;
};
