import type { EmailMessages } from '../email.messages.ts';

export const it: EmailMessages = {
  greeting: 'Buongiorno,',
  regards: 'Cordiali saluti,',
  reference: (ref) => `Riferimento: ${ref}`,
  requestTypes: {
    access: 'accesso ai suoi dati personali',
    portability: 'una copia dei suoi dati da portare altrove (portabilità)',
    erasure: 'cancellazione dei suoi dati personali',
    rectification: 'rettifica dei suoi dati personali',
    restriction: 'limitazione del trattamento',
    objection: 'opposizione al trattamento',
  },
  refusalGrounds: {
    art17_3_a_freedom_of_expression:
      'Abbiamo bisogno dei dati per esercitare il diritto alla libertà di espressione e di informazione (art. 17, paragrafo 3, lettera a), GDPR).',
    art17_3_b_legal_obligation_or_public_task:
      'La legge ci obbliga a conservare i dati, oppure ci servono per un compito di interesse pubblico (art. 17, paragrafo 3, lettera b), GDPR).',
    art17_3_c_public_health:
      'Abbiamo bisogno dei dati per motivi di interesse pubblico nel settore della sanità pubblica (art. 17, paragrafo 3, lettera c), GDPR).',
    art17_3_d_archiving_research_statistics:
      'Abbiamo bisogno dei dati a fini di archiviazione nel pubblico interesse, di ricerca scientifica o storica o a fini statistici, e la cancellazione pregiudicherebbe gravemente questo lavoro (art. 17, paragrafo 3, lettera d), GDPR).',
    art17_3_e_legal_claims:
      'Abbiamo bisogno dei dati per accertare, esercitare o difendere un diritto in sede giudiziaria (art. 17, paragrafo 3, lettera e), GDPR).',
    manifestly_unfounded: 'La richiesta è manifestamente infondata (art. 12, paragrafo 5, GDPR).',
    manifestly_excessive:
      'La richiesta è manifestamente eccessiva, in particolare perché ripete richieste precedenti (art. 12, paragrafo 5, GDPR).',
    identity_not_verified:
      'Non siamo riusciti a confermare che la richiesta provenga da lei. Senza questa conferma potremmo dare i suoi dati a un’altra persona, o i dati di un’altra persona a lei (art. 12, paragrafo 6, GDPR).',
  },
  authorityNames: {
    'authority.eu.name':
      'l’autorità di protezione dei dati del paese UE in cui vive o lavora, o in cui ritiene sia avvenuta la violazione',
    'authority.uk.name': 'l’Information Commissioner’s Office (ICO) del Regno Unito',
    'authority.fr.name': 'l’autorità francese per la protezione dei dati, la CNIL',
    'authority.de.name': 'l’autorità di protezione dei dati del suo Land tedesco',
    'authority.us-ca.name': 'la California Privacy Protection Agency (CPPA)',
  },
  verification: {
    subject: (org) => `Confermi la sua richiesta a ${org}`,
    intro: (org) =>
      `${org} ha ricevuto una richiesta relativa ai suoi dati personali. Per essere sicuri che provenga da lei, la preghiamo di confermarla.`,
    action: 'Conferma la richiesta',
    code: (code) => `Oppure inserisca questo codice: ${code}`,
    expires: (when) => `Il link e il codice sono validi fino al ${when}.`,
    notYou: 'Se non ha fatto lei questa richiesta, ignori questa e-mail. Non succederà nulla.',
  },
  received: {
    subject: (ref) => `Abbiamo ricevuto la sua richiesta (${ref})`,
    intro: (org, types) => `${org} ha ricevuto la sua richiesta: ${types}.`,
    due: (date) =>
      `Le risponderemo entro il ${date}. Se ci servirà più tempo, glielo diremo prima di quella data spiegando il motivo.`,
    free: 'Per lei è gratuito.',
  },
  extension: {
    subject: (ref) => `Ci serve più tempo per la sua richiesta (${ref})`,
    intro: (originalDue, newDue) =>
      `Non riusciremo a completare la sua richiesta entro il ${originalDue}. La legge ci concede più tempo quando una richiesta è complessa o ne riceviamo molte. Le risponderemo entro il ${newDue}.`,
    reason: 'Perché ci serve più tempo:',
  },
  refusal: {
    subject: (ref) => `La nostra risposta alla sua richiesta (${ref})`,
    intro: (types) => `Non possiamo dare seguito, in tutto o in parte, alla sua richiesta: ${types}.`,
    grounds: 'I nostri motivi:',
    explanation: 'Nel dettaglio:',
    complaint: (authority) => `Se non è d’accordo, ha il diritto di proporre reclamo presso ${authority}.`,
    complaintLink: 'Come proporre reclamo',
    court: 'Ha inoltre il diritto di rivolgersi a un giudice (ricorso giurisdizionale).',
  },
  completion: {
    subject: (ref) => `La sua richiesta è stata completata (${ref})`,
    done: (types) => `Abbiamo completato la sua richiesta: ${types}.`,
    download: 'Scarica i suoi dati',
    downloadExpires: (when) => `Questo link è personale ed è valido fino al ${when}. Non lo inoltri.`,
    recipientsTold: 'Abbiamo informato anche questi destinatari dei suoi dati:',
    noRecipients: 'Non abbiamo comunicato i suoi dati a nessun altro, quindi non c’era nessun altro da informare.',
  },
  consent: {
    subject: (org) => `Confermi la sua iscrizione a ${org}`,
    intro: (org) => `Ha chiesto a ${org} di contattarla o di usare i suoi dati per:`,
    action: 'Sì, confermo',
    notYou: 'Se non è stato lei, ignori questa e-mail: senza la sua conferma non useremo il suo indirizzo per questo.',
  },
  breach: {
    subject: (org) => `Importante: un incidente di sicurezza presso ${org} riguarda i suoi dati`,
    intro: (org) => `La informiamo di una violazione dei dati personali presso ${org} che potrebbe riguardarla.`,
    what: 'Che cosa è successo',
    consequences: 'Che cosa può significare per lei',
    measures: 'Che cosa abbiamo fatto e stiamo facendo',
    advice: 'Che cosa le consigliamo di fare',
    contact: 'Chi contattare',
  },
};
