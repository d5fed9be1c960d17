import type { Purpose, RopaController } from '@lawful/contract';
import { Marked } from 'marked';
import { sha256Hex } from '../../lib/crypto.ts';

/**
 * Renders a notice version for one locale: the tenant's Markdown, then a standard block that Lawful writes from the
 * record of processing, so that a published notice always names the controller, every purpose it asks about, the
 * data used, recipients, retention, the right to withdraw, and — where relevant — automated decision-making and
 * transfers (check 8; Art. 7(3), 13). The SHA-256 of this exact HTML is the proof of what was shown.
 */

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// Raw HTML in a tenant's Markdown is shown as text: a notice must not carry scripts or hidden content.
const marked = new Marked({ gfm: true, async: false, renderer: { html: ({ text }) => esc(text) } });

type Labels = {
  controller: string;
  dpo: string;
  purposes: string;
  data: string;
  recipients: string;
  retention: string;
  withdraw: string;
  adm: string;
  transfers: string;
  source: string;
  noRecipients: string;
};

export const noticeLabels: Record<string, Labels> = {
  en: {
    controller: 'Who is responsible for your data',
    dpo: 'Data protection officer',
    purposes: 'What we ask you to agree to',
    data: 'Data used',
    recipients: 'Who receives it',
    retention: 'How long we keep it',
    withdraw:
      'You can withdraw your consent at any time, as easily as you gave it. Withdrawing does not affect processing that took place before.',
    adm: 'Automated decision-making',
    transfers: 'Transfers outside the European Economic Area',
    source: 'Where the data comes from',
    noRecipients: 'No one outside our organisation.',
  },
  de: {
    controller: 'Wer für Ihre Daten verantwortlich ist',
    dpo: 'Datenschutzbeauftragte(r)',
    purposes: 'Wozu wir Ihre Einwilligung erbitten',
    data: 'Verwendete Daten',
    recipients: 'Wer sie erhält',
    retention: 'Wie lange wir sie aufbewahren',
    withdraw:
      'Sie können Ihre Einwilligung jederzeit so einfach widerrufen, wie Sie sie erteilt haben. Der Widerruf berührt nicht die Rechtmäßigkeit der bis dahin erfolgten Verarbeitung.',
    adm: 'Automatisierte Entscheidungsfindung',
    transfers: 'Übermittlungen außerhalb des Europäischen Wirtschaftsraums',
    source: 'Woher die Daten stammen',
    noRecipients: 'Niemand außerhalb unserer Organisation.',
  },
  fr: {
    controller: 'Qui est responsable de vos données',
    dpo: 'Délégué à la protection des données',
    purposes: 'Ce à quoi nous vous demandons de consentir',
    data: 'Données utilisées',
    recipients: 'Qui les reçoit',
    retention: 'Combien de temps nous les conservons',
    withdraw:
      'Vous pouvez retirer votre consentement à tout moment, aussi facilement que vous l’avez donné. Le retrait ne remet pas en cause les traitements effectués auparavant.',
    adm: 'Prise de décision automatisée',
    transfers: 'Transferts hors de l’Espace économique européen',
    source: 'D’où viennent les données',
    noRecipients: 'Personne en dehors de notre organisation.',
  },
  es: {
    controller: 'Quién es responsable de sus datos',
    dpo: 'Delegado de protección de datos',
    purposes: 'Para qué le pedimos su consentimiento',
    data: 'Datos utilizados',
    recipients: 'Quién los recibe',
    retention: 'Cuánto tiempo los conservamos',
    withdraw:
      'Puede retirar su consentimiento en cualquier momento, con la misma facilidad con que lo dio. La retirada no afecta al tratamiento realizado antes.',
    adm: 'Decisiones automatizadas',
    transfers: 'Transferencias fuera del Espacio Económico Europeo',
    source: 'De dónde proceden los datos',
    noRecipients: 'Nadie fuera de nuestra organización.',
  },
  it: {
    controller: 'Chi è responsabile dei tuoi dati',
    dpo: 'Responsabile della protezione dei dati',
    purposes: 'Per che cosa ti chiediamo il consenso',
    data: 'Dati utilizzati',
    recipients: 'Chi li riceve',
    retention: 'Per quanto tempo li conserviamo',
    withdraw:
      'Puoi revocare il consenso in qualsiasi momento, con la stessa facilità con cui l’hai dato. La revoca non pregiudica il trattamento effettuato prima.',
    adm: 'Processi decisionali automatizzati',
    transfers: 'Trasferimenti al di fuori dello Spazio economico europeo',
    source: 'Da dove provengono i dati',
    noRecipients: 'Nessuno al di fuori della nostra organizzazione.',
  },
  nl: {
    controller: 'Wie verantwoordelijk is voor uw gegevens',
    dpo: 'Functionaris voor gegevensbescherming',
    purposes: 'Waarvoor wij uw toestemming vragen',
    data: 'Gebruikte gegevens',
    recipients: 'Wie ze ontvangt',
    retention: 'Hoe lang wij ze bewaren',
    withdraw:
      'U kunt uw toestemming op elk moment intrekken, net zo gemakkelijk als u die gaf. Intrekken heeft geen invloed op de verwerking die daarvoor plaatsvond.',
    adm: 'Geautomatiseerde besluitvorming',
    transfers: 'Doorgiften buiten de Europese Economische Ruimte',
    source: 'Waar de gegevens vandaan komen',
    noRecipients: 'Niemand buiten onze organisatie.',
  },
};

const labelsFor = (locale: string) => noticeLabels[locale.slice(0, 2)] ?? noticeLabels.en!;

const localised = (p: Purpose, locale: string) =>
  p.locales[locale] ?? p.locales[locale.slice(0, 2)] ?? p.locales.en ?? Object.values(p.locales)[0]!;

export const renderNotice = (input: {
  locale: string;
  title: string;
  markdown: string;
  controller: RopaController;
  purposes: Purpose[];
}) => {
  const L = labelsFor(input.locale);
  const c = input.controller.controller;
  const dpo = input.controller.dpo;
  const parts: string[] = [`<h1>${esc(input.title)}</h1>`, marked.parse(input.markdown) as string];
  parts.push(`<section><h2>${esc(L.controller)}</h2><p>${esc(c.name)}, ${esc(c.address)} — ${esc(c.email)}</p>`);
  if (dpo) parts.push(`<p>${esc(L.dpo)}: ${esc(dpo.name)} — ${esc(dpo.email)}</p>`);
  parts.push('</section>', `<section><h2>${esc(L.purposes)}</h2>`);
  for (const p of input.purposes) {
    const t = localised(p, input.locale);
    parts.push(`<article data-purpose="${esc(p.key)}"><h3>${esc(t.name)}</h3><p>${esc(t.description)}</p><dl>`);
    parts.push(`<dt>${esc(L.data)}</dt><dd>${p.dataCategories.map(esc).join(', ')}</dd>`);
    const rec = p.recipients.map((r) => `${esc(r.name)} (${esc(r.country)})`).join(', ');
    parts.push(`<dt>${esc(L.recipients)}</dt><dd>${rec || esc(L.noRecipients)}</dd>`);
    parts.push(`<dt>${esc(L.retention)}</dt><dd>${esc(p.retention.description ?? p.retention.period)}</dd>`);
    parts.push(`<dt>${esc(L.source)}</dt><dd>${esc(p.source.description ?? p.source.kind)}</dd>`);
    if (p.automatedDecisionMaking.used) {
      parts.push(`<dt>${esc(L.adm)}</dt><dd>${esc(p.automatedDecisionMaking.logic ?? '')}</dd>`);
    }
    const transfers = p.recipients.filter((r) => r.transferSafeguard && r.transferSafeguard !== 'none_needed_eea');
    if (transfers.length > 0) {
      parts.push(
        `<dt>${esc(L.transfers)}</dt><dd>${transfers.map((r) => `${esc(r.name)}: ${esc(r.country)}, ${esc(String(r.transferSafeguard))}`).join('; ')}</dd>`,
      );
    }
    parts.push('</dl></article>');
  }
  parts.push(`</section><section><p><strong>${esc(L.withdraw)}</strong></p></section>`);
  const html = parts.join('\n');
  return { html, sha256: sha256Hex(html) };
};
