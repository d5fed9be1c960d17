import type { EmailMessages } from '../email.messages.ts';

export const en: EmailMessages = {
  greeting: 'Hello,',
  regards: 'Kind regards,',
  reference: (ref) => `Reference: ${ref}`,
  requestTypes: {
    access: 'access to your personal data',
    portability: 'a copy of your data to take elsewhere (portability)',
    erasure: 'erasure of your personal data',
    rectification: 'correction of your personal data',
    restriction: 'restriction of processing',
    objection: 'objection to processing',
  },
  refusalGrounds: {
    art17_3_a_freedom_of_expression:
      'We need the data to exercise the right of freedom of expression and information (Art. 17(3)(a) GDPR).',
    art17_3_b_legal_obligation_or_public_task:
      'The law requires us to keep the data, or we need it for a task in the public interest (Art. 17(3)(b) GDPR).',
    art17_3_c_public_health:
      'We need the data for reasons of public interest in the area of public health (Art. 17(3)(c) GDPR).',
    art17_3_d_archiving_research_statistics:
      'We need the data for archiving in the public interest, scientific or historical research or statistics, and erasing it would seriously impair that work (Art. 17(3)(d) GDPR).',
    art17_3_e_legal_claims: 'We need the data to establish, exercise or defend legal claims (Art. 17(3)(e) GDPR).',
    manifestly_unfounded: 'The request is manifestly unfounded (Art. 12(5) GDPR).',
    manifestly_excessive:
      'The request is manifestly excessive, in particular because it repeats earlier requests (Art. 12(5) GDPR).',
    identity_not_verified:
      'We could not confirm that the request comes from you. Without that, we could give your data to someone else, or someone else’s data to you (Art. 12(6) GDPR).',
  },
  authorityNames: {
    'authority.eu.name':
      'the data protection authority in the EU country where you live or work, or where you believe the infringement took place',
    'authority.uk.name': 'the Information Commissioner’s Office (ICO)',
    'authority.fr.name': 'the French data protection authority, the CNIL',
    'authority.de.name': 'the data protection authority of your German federal state (Land)',
    'authority.us-ca.name': 'the California Privacy Protection Agency (CPPA)',
  },
  verification: {
    subject: (org) => `Confirm your request to ${org}`,
    intro: (org) =>
      `${org} has received a request about your personal data. To make sure it really comes from you, please confirm it.`,
    action: 'Confirm my request',
    code: (code) => `Or enter this code: ${code}`,
    expires: (when) => `The link and the code work until ${when}.`,
    notYou: 'If you did not make this request, ignore this email. Nothing will happen.',
  },
  received: {
    subject: (ref) => `We have received your request (${ref})`,
    intro: (org, types) => `${org} has received your request: ${types}.`,
    due: (date) =>
      `We will answer by ${date} at the latest. If we need more time, we will tell you before then and explain why.`,
    free: 'This costs you nothing.',
  },
  extension: {
    subject: (ref) => `We need more time for your request (${ref})`,
    intro: (originalDue, newDue) =>
      `We cannot finish your request by ${originalDue}. The law allows us more time when a request is complex or when we receive many requests. We will answer by ${newDue} at the latest.`,
    reason: 'Why we need more time:',
  },
  refusal: {
    subject: (ref) => `Our answer to your request (${ref})`,
    intro: (types) => `We cannot carry out your request, in whole or in part: ${types}.`,
    grounds: 'Our reasons:',
    explanation: 'In more detail:',
    complaint: (authority) => `If you disagree, you have the right to complain to ${authority}.`,
    complaintLink: 'How to complain',
    court: 'You also have the right to take the matter to court (a judicial remedy).',
  },
  completion: {
    subject: (ref) => `Your request is complete (${ref})`,
    done: (types) => `We have completed your request: ${types}.`,
    download: 'Download your data',
    downloadExpires: (when) => `This link is personal and works until ${when}. Please do not forward it.`,
    recipientsTold: 'We have also told these recipients of your data:',
    noRecipients: 'We have not shared your data with anyone else, so nobody else needed to be told.',
  },
  consent: {
    subject: (org) => `Please confirm your sign-up with ${org}`,
    intro: (org) => `You asked ${org} to contact you or to use your data for:`,
    action: 'Yes, I confirm',
    notYou: 'If this was not you, ignore this email: without your confirmation we will not use your address for this.',
  },
  breach: {
    subject: (org) => `Important: a security incident at ${org} affects your data`,
    intro: (org) => `We are writing to tell you about a personal data breach at ${org} that may affect you.`,
    what: 'What happened',
    consequences: 'What this may mean for you',
    measures: 'What we have done and are doing',
    advice: 'What we recommend you do',
    contact: 'Who to contact',
  },
};
