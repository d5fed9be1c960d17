import type { EmailMessages } from '../email.messages.ts';

export const fr: EmailMessages = {
  greeting: 'Bonjour,',
  regards: 'Cordialement,',
  reference: (ref) => `Référence : ${ref}`,
  requestTypes: {
    access: 'l’accès à vos données personnelles',
    portability: 'une copie de vos données pour les emporter ailleurs (portabilité)',
    erasure: 'l’effacement de vos données personnelles',
    rectification: 'la rectification de vos données personnelles',
    restriction: 'la limitation du traitement',
    objection: 'l’opposition au traitement',
  },
  refusalGrounds: {
    art17_3_a_freedom_of_expression:
      'Nous avons besoin des données pour exercer le droit à la liberté d’expression et d’information (article 17, paragraphe 3, point a), du RGPD).',
    art17_3_b_legal_obligation_or_public_task:
      'La loi nous oblige à conserver les données, ou nous en avons besoin pour une mission d’intérêt public (article 17, paragraphe 3, point b), du RGPD).',
    art17_3_c_public_health:
      'Nous avons besoin des données pour des motifs d’intérêt public dans le domaine de la santé publique (article 17, paragraphe 3, point c), du RGPD).',
    art17_3_d_archiving_research_statistics:
      'Nous avons besoin des données à des fins d’archivage dans l’intérêt public, de recherche scientifique ou historique ou à des fins statistiques, et leur effacement compromettrait gravement ce travail (article 17, paragraphe 3, point d), du RGPD).',
    art17_3_e_legal_claims:
      'Nous avons besoin des données pour la constatation, l’exercice ou la défense de droits en justice (article 17, paragraphe 3, point e), du RGPD).',
    manifestly_unfounded: 'La demande est manifestement infondée (article 12, paragraphe 5, du RGPD).',
    manifestly_excessive:
      'La demande est manifestement excessive, notamment parce qu’elle répète des demandes précédentes (article 12, paragraphe 5, du RGPD).',
    identity_not_verified:
      'Nous n’avons pas pu confirmer que la demande vient de vous. Sans cette confirmation, nous risquerions de transmettre vos données à quelqu’un d’autre, ou les données d’un autre à vous (article 12, paragraphe 6, du RGPD).',
  },
  authorityNames: {
    'authority.eu.name':
      'l’autorité de protection des données du pays de l’UE où vous vivez ou travaillez, ou de celui où la violation présumée a eu lieu',
    'authority.uk.name': 'l’Information Commissioner’s Office (ICO) du Royaume-Uni',
    'authority.fr.name': 'la Commission nationale de l’informatique et des libertés (CNIL)',
    'authority.de.name': 'l’autorité de protection des données de votre Land allemand',
    'authority.us-ca.name': 'la California Privacy Protection Agency (CPPA)',
  },
  verification: {
    subject: (org) => `Confirmez votre demande auprès de ${org}`,
    intro: (org) =>
      `${org} a reçu une demande concernant vos données personnelles. Pour être sûrs qu’elle vient bien de vous, merci de la confirmer.`,
    action: 'Confirmer ma demande',
    code: (code) => `Ou saisissez ce code : ${code}`,
    expires: (when) => `Le lien et le code sont valables jusqu’au ${when}.`,
    notYou: 'Si vous n’avez pas fait cette demande, ignorez ce message. Il ne se passera rien.',
  },
  received: {
    subject: (ref) => `Nous avons bien reçu votre demande (${ref})`,
    intro: (org, types) => `${org} a bien reçu votre demande : ${types}.`,
    due: (date) =>
      `Nous vous répondrons au plus tard le ${date}. Si nous avons besoin de plus de temps, nous vous préviendrons avant cette date en expliquant pourquoi.`,
    free: 'Cette démarche est gratuite.',
  },
  extension: {
    subject: (ref) => `Nous avons besoin de plus de temps pour votre demande (${ref})`,
    intro: (originalDue, newDue) =>
      `Nous ne pourrons pas traiter votre demande d’ici le ${originalDue}. La loi nous accorde un délai supplémentaire lorsqu’une demande est complexe ou que nous en recevons beaucoup. Nous vous répondrons au plus tard le ${newDue}.`,
    reason: 'Pourquoi nous avons besoin de plus de temps :',
  },
  refusal: {
    subject: (ref) => `Notre réponse à votre demande (${ref})`,
    intro: (types) => `Nous ne pouvons pas donner suite, en tout ou en partie, à votre demande : ${types}.`,
    grounds: 'Nos motifs :',
    explanation: 'En détail :',
    complaint: (authority) =>
      `Si vous n’êtes pas d’accord, vous avez le droit d’introduire une réclamation auprès de ${authority}.`,
    complaintLink: 'Comment introduire une réclamation',
    court: 'Vous avez également le droit de saisir la justice (recours juridictionnel).',
  },
  completion: {
    subject: (ref) => `Votre demande a été traitée (${ref})`,
    done: (types) => `Nous avons traité votre demande : ${types}.`,
    download: 'Télécharger vos données',
    downloadExpires: (when) => `Ce lien vous est personnel et reste valable jusqu’au ${when}. Ne le transférez pas.`,
    recipientsTold: 'Nous avons aussi informé les destinataires suivants de vos données :',
    noRecipients:
      'Nous n’avons communiqué vos données à personne d’autre : personne d’autre n’avait donc à être informé.',
  },
  consent: {
    subject: (org) => `Confirmez votre inscription auprès de ${org}`,
    intro: (org) => `Vous avez demandé à ${org} de vous contacter ou d’utiliser vos données pour :`,
    action: 'Oui, je confirme',
    notYou:
      'Si ce n’était pas vous, ignorez ce message : sans votre confirmation, nous n’utiliserons pas votre adresse à cette fin.',
  },
  breach: {
    subject: (org) => `Important : un incident de sécurité chez ${org} concerne vos données`,
    intro: (org) => `Nous vous informons d’une violation de données personnelles chez ${org} qui peut vous concerner.`,
    what: 'Ce qui s’est passé',
    consequences: 'Ce que cela peut signifier pour vous',
    measures: 'Ce que nous avons fait et faisons',
    advice: 'Ce que nous vous conseillons de faire',
    contact: 'Qui contacter',
  },
};
