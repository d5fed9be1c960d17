import type { RequestLocale, RequestState, RequestType } from '@lawful/contract';

/** What the public request portal says, per language. One type for all, so a missing string is a compile error. */
export type PortalMessages = {
  title: (org: string) => string;
  intro: string;
  typesLegend: string;
  types: Record<RequestType, string>;
  email: string;
  emailHint: string;
  details: string;
  detailsHint: string;
  /** Art. 20(2): the receiving controller's address, for a portability request. */
  transfer: string;
  transferHint: string;
  submit: string;
  noDocuments: string;
  free: string;
  errors: { title: string; types: string; email: string; csrf: string; code: string; rate: string; transfer: string };
  sent: { title: string; body: string; codeLabel: string; confirm: string };
  confirmTitle: string;
  confirmBody: string;
  /** The title of the page a wrong portal address or status link gets (its text is errors.code). */
  notFound: string;
  status: { title: string; reference: string; received: string; due: string; state: string };
  states: Record<RequestState, string>;
};

const en: PortalMessages = {
  title: (org) => `Your data rights with ${org}`,
  intro:
    'Ask for a copy of your data, have it corrected or erased, or object to its use. We answer within the legal time limit.',
  typesLegend: 'What would you like us to do?',
  types: {
    access: 'Give me a copy of my data',
    portability: 'Send my data in a machine-readable format',
    erasure: 'Erase my data',
    rectification: 'Correct my data',
    restriction: 'Restrict the use of my data',
    objection: 'Stop using my data (objection)',
  },
  email: 'Your e-mail address',
  emailHint: 'We send a link to confirm the request comes from you.',
  details: 'Anything we should know (optional)',
  detailsHint: 'For a correction, say what is wrong. Do not send identity documents.',
  transfer: 'Send it straight to another organisation (optional)',
  transferHint:
    'For a machine-readable copy only: the https address the receiving organisation gave you. You still get your own copy.',
  submit: 'Send request',
  noDocuments: 'We never ask for a copy of an identity document to start.',
  free: 'This is free of charge.',
  errors: {
    title: 'Please check the form',
    types: 'Choose at least one option.',
    email: 'Enter a valid e-mail address.',
    csrf: 'The form expired. Please try again.',
    code: 'This code or link is wrong, used or expired.',
    rate: 'Too many attempts. Please wait a few minutes.',
    transfer:
      'The transfer address must be a public https address, and goes with “Send my data in a machine-readable format”.',
  },
  sent: {
    title: 'Check your e-mail',
    body: 'We sent you a link and a code. Open the link, or type the code here. Both expire in 24 hours.',
    codeLabel: 'Code from the e-mail',
    confirm: 'Confirm',
  },
  confirmTitle: 'Confirm your request',
  confirmBody: 'Press the button to confirm that this request comes from you.',
  notFound: 'Page not found',
  status: {
    title: 'Your request',
    reference: 'Reference',
    received: 'Received',
    due: 'Answer due by',
    state: 'Status',
  },
  states: {
    received: 'Received',
    identity_pending: 'Waiting for your confirmation',
    verified: 'Confirmed',
    awaiting_approval: 'Being reviewed',
    in_progress: 'In progress',
    completed: 'Completed',
    partially_completed: 'Partly completed',
    rejected: 'Refused (see our e-mail)',
    cancelled: 'Closed',
  },
};

const de: PortalMessages = {
  title: (org) => `Ihre Datenschutzrechte bei ${org}`,
  intro:
    'Fordern Sie eine Kopie Ihrer Daten an, lassen Sie sie berichtigen oder löschen, oder widersprechen Sie ihrer Nutzung. Wir antworten innerhalb der gesetzlichen Frist.',
  typesLegend: 'Was sollen wir tun?',
  types: {
    access: 'Mir eine Kopie meiner Daten geben',
    portability: 'Meine Daten maschinenlesbar übermitteln',
    erasure: 'Meine Daten löschen',
    rectification: 'Meine Daten berichtigen',
    restriction: 'Die Verarbeitung meiner Daten einschränken',
    objection: 'Der Nutzung meiner Daten widersprechen',
  },
  email: 'Ihre E-Mail-Adresse',
  emailHint: 'Wir senden einen Link, um zu bestätigen, dass die Anfrage von Ihnen stammt.',
  details: 'Was wir wissen sollten (optional)',
  detailsHint: 'Bei einer Berichtigung: was ist falsch? Senden Sie keine Ausweisdokumente.',
  transfer: 'Direkt an eine andere Organisation senden (optional)',
  transferHint:
    'Nur für die maschinenlesbare Kopie: die https-Adresse, die Ihnen die empfangende Organisation genannt hat. Sie erhalten Ihre eigene Kopie trotzdem.',
  submit: 'Anfrage senden',
  noDocuments: 'Wir verlangen zu Beginn nie eine Kopie eines Ausweises.',
  free: 'Dies ist kostenlos.',
  errors: {
    title: 'Bitte prüfen Sie das Formular',
    types: 'Wählen Sie mindestens eine Option.',
    email: 'Geben Sie eine gültige E-Mail-Adresse ein.',
    csrf: 'Das Formular ist abgelaufen. Bitte erneut versuchen.',
    code: 'Dieser Code oder Link ist falsch, verbraucht oder abgelaufen.',
    rate: 'Zu viele Versuche. Bitte warten Sie einige Minuten.',
    transfer:
      'Die Übermittlungsadresse muss eine öffentliche https-Adresse sein und gehört zu „Meine Daten maschinenlesbar senden“.',
  },
  sent: {
    title: 'Prüfen Sie Ihre E-Mails',
    body: 'Wir haben Ihnen einen Link und einen Code gesendet. Öffnen Sie den Link oder geben Sie den Code hier ein. Beide gelten 24 Stunden.',
    codeLabel: 'Code aus der E-Mail',
    confirm: 'Bestätigen',
  },
  confirmTitle: 'Anfrage bestätigen',
  confirmBody: 'Drücken Sie die Schaltfläche, um zu bestätigen, dass die Anfrage von Ihnen stammt.',
  notFound: 'Seite nicht gefunden',
  status: {
    title: 'Ihre Anfrage',
    reference: 'Aktenzeichen',
    received: 'Eingegangen',
    due: 'Antwort bis',
    state: 'Stand',
  },
  states: {
    received: 'Eingegangen',
    identity_pending: 'Wartet auf Ihre Bestätigung',
    verified: 'Bestätigt',
    awaiting_approval: 'In Prüfung',
    in_progress: 'In Bearbeitung',
    completed: 'Erledigt',
    partially_completed: 'Teilweise erledigt',
    rejected: 'Abgelehnt (siehe unsere E-Mail)',
    cancelled: 'Geschlossen',
  },
};

const fr: PortalMessages = {
  title: (org) => `Vos droits sur vos données chez ${org}`,
  intro:
    'Demandez une copie de vos données, leur rectification ou leur effacement, ou opposez-vous à leur utilisation. Nous répondons dans le délai légal.',
  typesLegend: 'Que souhaitez-vous que nous fassions ?',
  types: {
    access: 'Me donner une copie de mes données',
    portability: 'Transmettre mes données dans un format lisible par machine',
    erasure: 'Effacer mes données',
    rectification: 'Rectifier mes données',
    restriction: 'Limiter l’utilisation de mes données',
    objection: 'M’opposer à l’utilisation de mes données',
  },
  email: 'Votre adresse e-mail',
  emailHint: 'Nous envoyons un lien pour confirmer que la demande vient de vous.',
  details: 'Ce que nous devrions savoir (facultatif)',
  detailsHint: 'Pour une rectification, indiquez ce qui est inexact. N’envoyez pas de pièce d’identité.',
  transfer: 'L’envoyer directement à un autre organisme (facultatif)',
  transferHint:
    'Pour une copie lisible par machine uniquement : l’adresse https que l’organisme destinataire vous a donnée. Vous recevez quand même votre propre copie.',
  submit: 'Envoyer la demande',
  noDocuments: 'Nous ne demandons jamais de copie de pièce d’identité pour commencer.',
  free: 'C’est gratuit.',
  errors: {
    title: 'Veuillez vérifier le formulaire',
    types: 'Choisissez au moins une option.',
    email: 'Saisissez une adresse e-mail valide.',
    csrf: 'Le formulaire a expiré. Veuillez réessayer.',
    code: 'Ce code ou ce lien est erroné, déjà utilisé ou expiré.',
    rate: 'Trop de tentatives. Veuillez patienter quelques minutes.',
    transfer: 'L’adresse de transmission doit être une adresse https publique et va avec la copie lisible par machine.',
  },
  sent: {
    title: 'Consultez vos e-mails',
    body: 'Nous vous avons envoyé un lien et un code. Ouvrez le lien ou saisissez le code ici. Ils expirent dans 24 heures.',
    codeLabel: 'Code reçu par e-mail',
    confirm: 'Confirmer',
  },
  confirmTitle: 'Confirmez votre demande',
  confirmBody: 'Appuyez sur le bouton pour confirmer que cette demande vient de vous.',
  notFound: 'Page introuvable',
  status: {
    title: 'Votre demande',
    reference: 'Référence',
    received: 'Reçue le',
    due: 'Réponse au plus tard le',
    state: 'État',
  },
  states: {
    received: 'Reçue',
    identity_pending: 'En attente de votre confirmation',
    verified: 'Confirmée',
    awaiting_approval: 'En cours d’examen',
    in_progress: 'En cours de traitement',
    completed: 'Traitée',
    partially_completed: 'Partiellement traitée',
    rejected: 'Refusée (voir notre e-mail)',
    cancelled: 'Close',
  },
};

const es: PortalMessages = {
  title: (org) => `Sus derechos sobre sus datos en ${org}`,
  intro:
    'Pida una copia de sus datos, su rectificación o supresión, u oponga su uso. Respondemos dentro del plazo legal.',
  typesLegend: '¿Qué desea que hagamos?',
  types: {
    access: 'Darme una copia de mis datos',
    portability: 'Enviar mis datos en un formato legible por máquina',
    erasure: 'Suprimir mis datos',
    rectification: 'Rectificar mis datos',
    restriction: 'Limitar el uso de mis datos',
    objection: 'Oponerme al uso de mis datos',
  },
  email: 'Su correo electrónico',
  emailHint: 'Enviamos un enlace para confirmar que la solicitud es suya.',
  details: 'Algo que debamos saber (opcional)',
  detailsHint: 'Para una rectificación, indique qué es incorrecto. No envíe documentos de identidad.',
  transfer: 'Enviarlos directamente a otra organización (opcional)',
  transferHint:
    'Solo para la copia en formato legible por máquina: la dirección https que le dio la organización receptora. Usted recibe igualmente su propia copia.',
  submit: 'Enviar solicitud',
  noDocuments: 'Nunca pedimos una copia de un documento de identidad para empezar.',
  free: 'Es gratuito.',
  errors: {
    title: 'Revise el formulario',
    types: 'Elija al menos una opción.',
    email: 'Introduzca un correo electrónico válido.',
    csrf: 'El formulario ha caducado. Inténtelo de nuevo.',
    code: 'Este código o enlace es incorrecto, ya se usó o ha caducado.',
    rate: 'Demasiados intentos. Espere unos minutos.',
    transfer:
      'La dirección de transmisión debe ser una dirección https pública y acompaña a la copia en formato legible por máquina.',
  },
  sent: {
    title: 'Revise su correo',
    body: 'Le hemos enviado un enlace y un código. Abra el enlace o escriba el código aquí. Caducan en 24 horas.',
    codeLabel: 'Código del correo',
    confirm: 'Confirmar',
  },
  confirmTitle: 'Confirme su solicitud',
  confirmBody: 'Pulse el botón para confirmar que esta solicitud es suya.',
  notFound: 'Página no encontrada',
  status: {
    title: 'Su solicitud',
    reference: 'Referencia',
    received: 'Recibida',
    due: 'Respuesta a más tardar',
    state: 'Estado',
  },
  states: {
    received: 'Recibida',
    identity_pending: 'Esperando su confirmación',
    verified: 'Confirmada',
    awaiting_approval: 'En revisión',
    in_progress: 'En curso',
    completed: 'Completada',
    partially_completed: 'Completada en parte',
    rejected: 'Denegada (vea nuestro correo)',
    cancelled: 'Cerrada',
  },
};

const it: PortalMessages = {
  title: (org) => `I suoi diritti sui dati presso ${org}`,
  intro:
    'Chieda una copia dei suoi dati, la rettifica o la cancellazione, o si opponga al loro uso. Rispondiamo entro il termine di legge.',
  typesLegend: 'Che cosa desidera che facciamo?',
  types: {
    access: 'Darmi una copia dei miei dati',
    portability: 'Inviare i miei dati in un formato leggibile da macchina',
    erasure: 'Cancellare i miei dati',
    rectification: 'Rettificare i miei dati',
    restriction: 'Limitare l’uso dei miei dati',
    objection: 'Oppormi all’uso dei miei dati',
  },
  email: 'Il suo indirizzo e-mail',
  emailHint: 'Inviamo un link per confermare che la richiesta viene da lei.',
  details: 'Cosa dovremmo sapere (facoltativo)',
  detailsHint: 'Per una rettifica, indichi cosa è errato. Non invii documenti d’identità.',
  transfer: 'Inviarli direttamente a un’altra organizzazione (facoltativo)',
  transferHint:
    'Solo per la copia leggibile da dispositivo automatico: l’indirizzo https che le ha dato l’organizzazione ricevente. Riceverà comunque la sua copia.',
  submit: 'Invia richiesta',
  noDocuments: 'Non chiediamo mai una copia di un documento d’identità per iniziare.',
  free: 'È gratuito.',
  errors: {
    title: 'Controlli il modulo',
    types: 'Scelga almeno un’opzione.',
    email: 'Inserisca un indirizzo e-mail valido.',
    csrf: 'Il modulo è scaduto. Riprovi.',
    code: 'Questo codice o link è errato, già usato o scaduto.',
    rate: 'Troppi tentativi. Attenda qualche minuto.',
    transfer:
      'L’indirizzo di trasmissione deve essere un indirizzo https pubblico e va con la copia leggibile da dispositivo automatico.',
  },
  sent: {
    title: 'Controlli la sua e-mail',
    body: 'Le abbiamo inviato un link e un codice. Apra il link o inserisca qui il codice. Scadono tra 24 ore.',
    codeLabel: 'Codice dell’e-mail',
    confirm: 'Conferma',
  },
  confirmTitle: 'Confermi la richiesta',
  confirmBody: 'Prema il pulsante per confermare che la richiesta viene da lei.',
  notFound: 'Pagina non trovata',
  status: {
    title: 'La sua richiesta',
    reference: 'Riferimento',
    received: 'Ricevuta',
    due: 'Risposta entro',
    state: 'Stato',
  },
  states: {
    received: 'Ricevuta',
    identity_pending: 'In attesa della sua conferma',
    verified: 'Confermata',
    awaiting_approval: 'In esame',
    in_progress: 'In lavorazione',
    completed: 'Completata',
    partially_completed: 'Completata in parte',
    rejected: 'Respinta (veda la nostra e-mail)',
    cancelled: 'Chiusa',
  },
};

const nl: PortalMessages = {
  title: (org) => `Uw gegevensrechten bij ${org}`,
  intro:
    'Vraag een kopie van uw gegevens, laat ze corrigeren of wissen, of maak bezwaar tegen het gebruik. Wij antwoorden binnen de wettelijke termijn.',
  typesLegend: 'Wat wilt u dat wij doen?',
  types: {
    access: 'Mij een kopie van mijn gegevens geven',
    portability: 'Mijn gegevens in een machineleesbaar formaat sturen',
    erasure: 'Mijn gegevens wissen',
    rectification: 'Mijn gegevens corrigeren',
    restriction: 'Het gebruik van mijn gegevens beperken',
    objection: 'Bezwaar maken tegen het gebruik van mijn gegevens',
  },
  email: 'Uw e-mailadres',
  emailHint: 'Wij sturen een link om te bevestigen dat het verzoek van u komt.',
  details: 'Wat wij moeten weten (optioneel)',
  detailsHint: 'Bij een correctie: wat klopt er niet? Stuur geen identiteitsbewijs.',
  transfer: 'Rechtstreeks naar een andere organisatie sturen (optioneel)',
  transferHint:
    'Alleen voor de machineleesbare kopie: het https-adres dat de ontvangende organisatie u gaf. U krijgt uw eigen kopie toch.',
  submit: 'Verzoek versturen',
  noDocuments: 'Wij vragen nooit om een kopie van een identiteitsbewijs om te beginnen.',
  free: 'Dit is kosteloos.',
  errors: {
    title: 'Controleer het formulier',
    types: 'Kies ten minste één optie.',
    email: 'Vul een geldig e-mailadres in.',
    csrf: 'Het formulier is verlopen. Probeer het opnieuw.',
    code: 'Deze code of link is onjuist, gebruikt of verlopen.',
    rate: 'Te veel pogingen. Wacht enkele minuten.',
    transfer: 'Het doorgifteadres moet een openbaar https-adres zijn en hoort bij de machineleesbare kopie.',
  },
  sent: {
    title: 'Controleer uw e-mail',
    body: 'Wij hebben u een link en een code gestuurd. Open de link of typ de code hier. Beide verlopen na 24 uur.',
    codeLabel: 'Code uit de e-mail',
    confirm: 'Bevestigen',
  },
  confirmTitle: 'Bevestig uw verzoek',
  confirmBody: 'Druk op de knop om te bevestigen dat dit verzoek van u komt.',
  notFound: 'Pagina niet gevonden',
  status: {
    title: 'Uw verzoek',
    reference: 'Kenmerk',
    received: 'Ontvangen',
    due: 'Antwoord uiterlijk',
    state: 'Status',
  },
  states: {
    received: 'Ontvangen',
    identity_pending: 'Wacht op uw bevestiging',
    verified: 'Bevestigd',
    awaiting_approval: 'In beoordeling',
    in_progress: 'In behandeling',
    completed: 'Afgehandeld',
    partially_completed: 'Deels afgehandeld',
    rejected: 'Afgewezen (zie onze e-mail)',
    cancelled: 'Gesloten',
  },
};

export const portalMessages: Readonly<Record<RequestLocale, PortalMessages>> = { en, de, fr, es, it, nl };
