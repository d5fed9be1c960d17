import type { EmailMessages } from '../email.messages.ts';

export const de: EmailMessages = {
  greeting: 'Guten Tag,',
  regards: 'Mit freundlichen Grüßen',
  reference: (ref) => `Referenz: ${ref}`,
  requestTypes: {
    access: 'Auskunft über Ihre personenbezogenen Daten',
    portability: 'eine Kopie Ihrer Daten zur Mitnahme (Datenübertragbarkeit)',
    erasure: 'Löschung Ihrer personenbezogenen Daten',
    rectification: 'Berichtigung Ihrer personenbezogenen Daten',
    restriction: 'Einschränkung der Verarbeitung',
    objection: 'Widerspruch gegen die Verarbeitung',
  },
  refusalGrounds: {
    art17_3_a_freedom_of_expression:
      'Wir benötigen die Daten zur Ausübung des Rechts auf freie Meinungsäußerung und Information (Art. 17 Abs. 3 lit. a DSGVO).',
    art17_3_b_legal_obligation_or_public_task:
      'Wir sind gesetzlich verpflichtet, die Daten aufzubewahren, oder benötigen sie für eine Aufgabe im öffentlichen Interesse (Art. 17 Abs. 3 lit. b DSGVO).',
    art17_3_c_public_health:
      'Wir benötigen die Daten aus Gründen des öffentlichen Interesses im Bereich der öffentlichen Gesundheit (Art. 17 Abs. 3 lit. c DSGVO).',
    art17_3_d_archiving_research_statistics:
      'Wir benötigen die Daten für Archivzwecke im öffentlichen Interesse, für wissenschaftliche oder historische Forschung oder für Statistik, und eine Löschung würde diese Arbeit ernsthaft beeinträchtigen (Art. 17 Abs. 3 lit. d DSGVO).',
    art17_3_e_legal_claims:
      'Wir benötigen die Daten zur Geltendmachung, Ausübung oder Verteidigung von Rechtsansprüchen (Art. 17 Abs. 3 lit. e DSGVO).',
    manifestly_unfounded: 'Der Antrag ist offenkundig unbegründet (Art. 12 Abs. 5 DSGVO).',
    manifestly_excessive:
      'Der Antrag ist exzessiv, insbesondere weil er frühere Anträge wiederholt (Art. 12 Abs. 5 DSGVO).',
    identity_not_verified:
      'Wir konnten nicht bestätigen, dass der Antrag von Ihnen stammt. Ohne diese Bestätigung könnten wir Ihre Daten an eine andere Person geben oder Ihnen fremde Daten schicken (Art. 12 Abs. 6 DSGVO).',
  },
  authorityNames: {
    'authority.eu.name':
      'der Datenschutz-Aufsichtsbehörde in dem EU-Land, in dem Sie leben oder arbeiten oder in dem der mutmaßliche Verstoß stattfand,',
    'authority.uk.name': 'dem Information Commissioner’s Office (ICO) im Vereinigten Königreich',
    'authority.fr.name': 'der französischen Datenschutzbehörde CNIL',
    'authority.de.name': 'der Datenschutz-Aufsichtsbehörde Ihres Bundeslandes',
    'authority.us-ca.name': 'der California Privacy Protection Agency (CPPA)',
  },
  verification: {
    subject: (org) => `Bitte bestätigen Sie Ihre Anfrage an ${org}`,
    intro: (org) =>
      `${org} hat eine Anfrage zu Ihren personenbezogenen Daten erhalten. Damit wir sicher sind, dass sie von Ihnen stammt, bestätigen Sie sie bitte.`,
    action: 'Anfrage bestätigen',
    code: (code) => `Oder geben Sie diesen Code ein: ${code}`,
    expires: (when) => `Link und Code gelten bis ${when}.`,
    notYou: 'Wenn Sie diese Anfrage nicht gestellt haben, ignorieren Sie diese E-Mail. Es passiert dann nichts.',
  },
  received: {
    subject: (ref) => `Wir haben Ihre Anfrage erhalten (${ref})`,
    intro: (org, types) => `${org} hat Ihre Anfrage erhalten: ${types}.`,
    due: (date) =>
      `Wir antworten Ihnen spätestens am ${date}. Falls wir mehr Zeit brauchen, sagen wir Ihnen das vorher und nennen die Gründe.`,
    free: 'Das ist für Sie kostenlos.',
  },
  extension: {
    subject: (ref) => `Wir brauchen mehr Zeit für Ihre Anfrage (${ref})`,
    intro: (originalDue, newDue) =>
      `Wir können Ihre Anfrage nicht bis zum ${originalDue} abschließen. Das Gesetz erlaubt uns mehr Zeit, wenn eine Anfrage komplex ist oder wir viele Anfragen erhalten. Wir antworten Ihnen spätestens am ${newDue}.`,
    reason: 'Warum wir mehr Zeit brauchen:',
  },
  refusal: {
    subject: (ref) => `Unsere Antwort auf Ihre Anfrage (${ref})`,
    intro: (types) => `Wir können Ihre Anfrage ganz oder teilweise nicht erfüllen: ${types}.`,
    grounds: 'Unsere Gründe:',
    explanation: 'Im Einzelnen:',
    complaint: (authority) =>
      `Wenn Sie nicht einverstanden sind, haben Sie das Recht, sich bei ${authority} zu beschweren.`,
    complaintLink: 'So reichen Sie eine Beschwerde ein',
    court: 'Außerdem haben Sie das Recht, vor Gericht zu gehen (gerichtlicher Rechtsbehelf).',
  },
  completion: {
    subject: (ref) => `Ihre Anfrage ist erledigt (${ref})`,
    done: (types) => `Wir haben Ihre Anfrage erledigt: ${types}.`,
    download: 'Ihre Daten herunterladen',
    downloadExpires: (when) =>
      `Dieser Link ist nur für Sie bestimmt und gilt bis ${when}. Bitte leiten Sie ihn nicht weiter.`,
    recipientsTold: 'Wir haben außerdem diese Empfänger Ihrer Daten informiert:',
    noRecipients: 'Wir haben Ihre Daten an niemanden weitergegeben, daher musste niemand sonst informiert werden.',
  },
  consent: {
    subject: (org) => `Bitte bestätigen Sie Ihre Anmeldung bei ${org}`,
    intro: (org) => `Sie haben ${org} gebeten, Sie zu kontaktieren oder Ihre Daten für Folgendes zu nutzen:`,
    action: 'Ja, ich bestätige',
    notYou:
      'Wenn Sie das nicht waren, ignorieren Sie diese E-Mail: Ohne Ihre Bestätigung nutzen wir Ihre Adresse dafür nicht.',
  },
  breach: {
    subject: (org) => `Wichtig: Ein Sicherheitsvorfall bei ${org} betrifft Ihre Daten`,
    intro: (org) =>
      `Wir informieren Sie über eine Verletzung des Schutzes personenbezogener Daten bei ${org}, die Sie betreffen kann.`,
    what: 'Was passiert ist',
    consequences: 'Was das für Sie bedeuten kann',
    measures: 'Was wir getan haben und tun',
    advice: 'Was wir Ihnen empfehlen',
    contact: 'An wen Sie sich wenden können',
  },
};
