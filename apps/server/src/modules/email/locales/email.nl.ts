import type { EmailMessages } from '../email.messages.ts';

export const nl: EmailMessages = {
  greeting: 'Hallo,',
  regards: 'Met vriendelijke groet,',
  reference: (ref) => `Referentie: ${ref}`,
  requestTypes: {
    access: 'inzage in uw persoonsgegevens',
    portability: 'een kopie van uw gegevens om mee te nemen (overdraagbaarheid)',
    erasure: 'verwijdering van uw persoonsgegevens',
    rectification: 'correctie van uw persoonsgegevens',
    restriction: 'beperking van de verwerking',
    objection: 'bezwaar tegen de verwerking',
  },
  refusalGrounds: {
    art17_3_a_freedom_of_expression:
      'We hebben de gegevens nodig om het recht op vrijheid van meningsuiting en informatie uit te oefenen (art. 17 lid 3 onder a AVG).',
    art17_3_b_legal_obligation_or_public_task:
      'De wet verplicht ons de gegevens te bewaren, of we hebben ze nodig voor een taak van algemeen belang (art. 17 lid 3 onder b AVG).',
    art17_3_c_public_health:
      'We hebben de gegevens nodig om redenen van algemeen belang op het gebied van de volksgezondheid (art. 17 lid 3 onder c AVG).',
    art17_3_d_archiving_research_statistics:
      'We hebben de gegevens nodig voor archivering in het algemeen belang, voor wetenschappelijk of historisch onderzoek of voor statistiek, en verwijdering zou dat werk ernstig belemmeren (art. 17 lid 3 onder d AVG).',
    art17_3_e_legal_claims:
      'We hebben de gegevens nodig om een rechtsvordering in te stellen, uit te oefenen of te onderbouwen (art. 17 lid 3 onder e AVG).',
    manifestly_unfounded: 'Het verzoek is kennelijk ongegrond (art. 12 lid 5 AVG).',
    manifestly_excessive:
      'Het verzoek is buitensporig, vooral omdat het eerdere verzoeken herhaalt (art. 12 lid 5 AVG).',
    identity_not_verified:
      'We konden niet vaststellen dat het verzoek van u komt. Zonder die bevestiging zouden we uw gegevens aan iemand anders kunnen geven, of gegevens van iemand anders aan u (art. 12 lid 6 AVG).',
  },
  authorityNames: {
    'authority.eu.name':
      'de toezichthouder voor gegevensbescherming in het EU-land waar u woont of werkt, of waar de vermoedelijke inbreuk plaatsvond',
    'authority.uk.name': 'het Information Commissioner’s Office (ICO) in het Verenigd Koninkrijk',
    'authority.fr.name': 'de Franse toezichthouder, de CNIL',
    'authority.de.name': 'de toezichthouder voor gegevensbescherming van uw Duitse deelstaat (Land)',
    'authority.us-ca.name': 'de California Privacy Protection Agency (CPPA)',
  },
  verification: {
    subject: (org) => `Bevestig uw verzoek aan ${org}`,
    intro: (org) =>
      `${org} heeft een verzoek over uw persoonsgegevens ontvangen. Bevestig het verzoek, zodat we zeker weten dat het van u komt.`,
    action: 'Mijn verzoek bevestigen',
    code: (code) => `Of vul deze code in: ${code}`,
    expires: (when) => `De link en de code zijn geldig tot ${when}.`,
    notYou: 'Heeft u dit verzoek niet gedaan? Negeer dan deze e-mail. Er gebeurt dan niets.',
  },
  received: {
    subject: (ref) => `We hebben uw verzoek ontvangen (${ref})`,
    intro: (org, types) => `${org} heeft uw verzoek ontvangen: ${types}.`,
    due: (date) =>
      `We antwoorden uiterlijk op ${date}. Hebben we meer tijd nodig, dan laten we u dat vóór die datum weten en leggen we uit waarom.`,
    free: 'Hieraan zijn voor u geen kosten verbonden.',
  },
  extension: {
    subject: (ref) => `We hebben meer tijd nodig voor uw verzoek (${ref})`,
    intro: (originalDue, newDue) =>
      `We kunnen uw verzoek niet vóór ${originalDue} afronden. De wet geeft ons meer tijd als een verzoek ingewikkeld is of als we veel verzoeken krijgen. We antwoorden uiterlijk op ${newDue}.`,
    reason: 'Waarom we meer tijd nodig hebben:',
  },
  refusal: {
    subject: (ref) => `Ons antwoord op uw verzoek (${ref})`,
    intro: (types) => `We kunnen uw verzoek geheel of gedeeltelijk niet uitvoeren: ${types}.`,
    grounds: 'Onze redenen:',
    explanation: 'Toelichting:',
    complaint: (authority) =>
      `Bent u het hier niet mee eens? Dan heeft u het recht een klacht in te dienen bij ${authority}.`,
    complaintLink: 'Zo dient u een klacht in',
    court: 'U heeft ook het recht om naar de rechter te stappen.',
  },
  completion: {
    subject: (ref) => `Uw verzoek is afgehandeld (${ref})`,
    done: (types) => `We hebben uw verzoek afgehandeld: ${types}.`,
    download: 'Uw gegevens downloaden',
    downloadExpires: (when) => `Deze link is persoonlijk en geldig tot ${when}. Stuur hem niet door.`,
    recipientsTold: 'We hebben ook deze ontvangers van uw gegevens op de hoogte gebracht:',
    noRecipients: 'We hebben uw gegevens met niemand anders gedeeld, dus niemand anders hoefde te worden ingelicht.',
  },
  consent: {
    subject: (org) => `Bevestig uw aanmelding bij ${org}`,
    intro: (org) => `U heeft ${org} gevraagd contact met u op te nemen of uw gegevens te gebruiken voor:`,
    action: 'Ja, ik bevestig',
    notYou: 'Was u dit niet? Negeer dan deze e-mail: zonder uw bevestiging gebruiken we uw adres hier niet voor.',
  },
  breach: {
    subject: (org) => `Belangrijk: een beveiligingsincident bij ${org} raakt uw gegevens`,
    intro: (org) => `We laten u weten dat er bij ${org} een datalek is geweest dat gevolgen voor u kan hebben.`,
    what: 'Wat er is gebeurd',
    consequences: 'Wat dit voor u kan betekenen',
    measures: 'Wat we hebben gedaan en doen',
    advice: 'Wat we u aanraden',
    contact: 'Met wie u contact kunt opnemen',
  },
};
