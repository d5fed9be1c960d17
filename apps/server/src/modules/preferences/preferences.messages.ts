import type { ConsentMethod, ConsentStateItem, PageLocale } from '@lawful/contract';

/** Everything the pages say, per language. One type, so a missing translation is a compile error. */
export type PageMessages = {
  title: string;
  intro: (org: string) => string;
  consents: string;
  none: string;
  state: Record<ConsentStateItem['state'], string>;
  yourChoice: (state: string, since: string | null) => string;
  grant: (name: string) => string;
  withdraw: (name: string) => string;
  history: string;
  decision: { grant: string; refuse: string; withdraw: string; pending: string };
  via: (method: string) => string;
  methods: Record<ConsentMethod, string>;
  noticeSeen: (version: number) => string;
  noticeLatest: (version: number) => string;
  everything: string;
  everythingHint: string;
  unsubscribeAll: string;
  objectHeading: string;
  objectText: string;
  object: (name: string) => string;
  objected: (date: string) => string;
  receipt: string;
  receiptHint: string;
  noReceipt: string;
  saved: string;
  invalidTitle: string;
  invalid: string;
  expired: string;
  revoked: string;
  csrf: string;
  unsubTitle: string;
  unsubAsk: (name: string) => string;
  unsubButton: string;
  unsubDone: (name: string) => string;
  confirmTitle: string;
  confirmAsk: string;
  confirmButton: string;
  confirmDone: string;
  confirmNothing: string;
};

const en: PageMessages = {
  title: 'Your privacy choices',
  intro: (org) => `Here you can see and change what you have agreed to with ${org}. Every change takes effect at once.`,
  consents: 'What we ask your consent for',
  none: 'We do not ask for your consent for anything at the moment.',
  state: {
    granted: 'Given',
    refused: 'Refused',
    withdrawn: 'Withdrawn',
    pending_confirmation: 'Waiting for your e-mail confirmation',
    none: 'Not decided',
  },
  yourChoice: (s, since) => `Your choice: ${s}${since ? ` (since ${since})` : ''}`,
  grant: (n) => `Give consent: ${n}`,
  withdraw: (n) => `Withdraw consent: ${n}`,
  history: 'History of your choices',
  decision: { grant: 'Given', refuse: 'Refused', withdraw: 'Withdrawn', pending: 'Given, waiting for confirmation' },
  via: (m) => `via ${m}`,
  methods: {
    form_checkbox: 'a form',
    banner: 'the cookie banner',
    preference_centre: 'this page',
    api: 'our service',
    import: 'earlier records',
    verbal_recorded: 'a recorded call',
    signed_form: 'a signed form',
    double_opt_in: 'the confirmation e-mail',
    email_unsubscribe: 'an unsubscribe link',
    gpc: 'your browser’s privacy signal',
  },
  noticeSeen: (v) => `The information you were shown (version ${v})`,
  noticeLatest: (v) => `The current information (version ${v})`,
  everything: 'Everything at once',
  everythingHint: 'Withdraws every consent you have given us, in one step.',
  unsubscribeAll: 'Unsubscribe from everything',
  objectHeading: 'Your right to object to direct marketing',
  objectText:
    'You can object at any time to the use of your data for direct marketing. We stop at once and keep only a coded entry, so that you are not contacted again (Article 21 GDPR).',
  object: (n) => `Object: ${n}`,
  objected: (d) => `You objected on ${d}.`,
  receipt: 'Download your consent receipt',
  receiptHint: 'A signed record of what you have agreed to, for your own files.',
  noReceipt: 'You have not agreed to anything at the moment, so there is no receipt to download.',
  saved: 'Saved: your choice is recorded.',
  invalidTitle: 'This link does not work',
  invalid: 'The link is incomplete or has been changed. Use the latest link you received.',
  expired: 'This link has expired. Ask the organisation that sent it for a new one.',
  revoked: 'This link has been withdrawn. Ask the organisation that sent it for a new one.',
  csrf: 'This form is out of date. Go back, reload the page and try again.',
  unsubTitle: 'Unsubscribe',
  unsubAsk: (n) => `Stop this: ${n}?`,
  unsubButton: 'Unsubscribe',
  unsubDone: (n) => `You are unsubscribed from: ${n}. It takes effect at once.`,
  confirmTitle: 'Confirm your subscription',
  confirmAsk: 'Please confirm that you want this:',
  confirmButton: 'Confirm',
  confirmDone: 'Thank you: confirmed.',
  confirmNothing: 'There is nothing left to confirm: it was already confirmed or withdrawn.',
};

const de: PageMessages = {
  title: 'Ihre Datenschutz-Einstellungen',
  intro: (org) =>
    `Hier sehen und ändern Sie, wozu Sie ${org} Ihre Einwilligung gegeben haben. Jede Änderung gilt sofort.`,
  consents: 'Wofür wir Sie um Einwilligung bitten',
  none: 'Wir bitten Sie derzeit um keine Einwilligung.',
  state: {
    granted: 'Erteilt',
    refused: 'Abgelehnt',
    withdrawn: 'Widerrufen',
    pending_confirmation: 'Wartet auf Ihre Bestätigung per E-Mail',
    none: 'Nicht entschieden',
  },
  yourChoice: (s, since) => `Ihre Wahl: ${s}${since ? ` (seit ${since})` : ''}`,
  grant: (n) => `Einwilligen: ${n}`,
  withdraw: (n) => `Einwilligung widerrufen: ${n}`,
  history: 'Verlauf Ihrer Entscheidungen',
  decision: {
    grant: 'Erteilt',
    refuse: 'Abgelehnt',
    withdraw: 'Widerrufen',
    pending: 'Erteilt, wartet auf Bestätigung',
  },
  via: (m) => `über ${m}`,
  methods: {
    form_checkbox: 'ein Formular',
    banner: 'das Cookie-Banner',
    preference_centre: 'diese Seite',
    api: 'unseren Dienst',
    import: 'frühere Aufzeichnungen',
    verbal_recorded: 'ein aufgezeichnetes Gespräch',
    signed_form: 'ein unterschriebenes Formular',
    double_opt_in: 'die Bestätigungs-E-Mail',
    email_unsubscribe: 'einen Abmeldelink',
    gpc: 'das Datenschutzsignal Ihres Browsers',
  },
  noticeSeen: (v) => `Die Information, die Ihnen gezeigt wurde (Version ${v})`,
  noticeLatest: (v) => `Die aktuelle Information (Version ${v})`,
  everything: 'Alles auf einmal',
  everythingHint: 'Widerruft in einem Schritt jede Einwilligung, die Sie uns gegeben haben.',
  unsubscribeAll: 'Von allem abmelden',
  objectHeading: 'Ihr Recht auf Widerspruch gegen Direktwerbung',
  objectText:
    'Sie können der Nutzung Ihrer Daten für Direktwerbung jederzeit widersprechen. Wir hören sofort auf und behalten nur einen verschlüsselten Eintrag, damit Sie nicht erneut kontaktiert werden (Artikel 21 DSGVO).',
  object: (n) => `Widersprechen: ${n}`,
  objected: (d) => `Sie haben am ${d} widersprochen.`,
  receipt: 'Ihren Einwilligungsnachweis herunterladen',
  receiptHint: 'Eine signierte Aufzeichnung dessen, worin Sie eingewilligt haben, für Ihre Unterlagen.',
  noReceipt: 'Sie haben derzeit in nichts eingewilligt, daher gibt es keinen Nachweis zum Herunterladen.',
  saved: 'Gespeichert: Ihre Wahl ist erfasst.',
  invalidTitle: 'Dieser Link funktioniert nicht',
  invalid: 'Der Link ist unvollständig oder wurde verändert. Verwenden Sie den neuesten Link, den Sie erhalten haben.',
  expired: 'Dieser Link ist abgelaufen. Bitten Sie den Absender um einen neuen.',
  revoked: 'Dieser Link wurde zurückgezogen. Bitten Sie den Absender um einen neuen.',
  csrf: 'Dieses Formular ist veraltet. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.',
  unsubTitle: 'Abmelden',
  unsubAsk: (n) => `Abmelden von: ${n}?`,
  unsubButton: 'Abmelden',
  unsubDone: (n) => `Sie sind abgemeldet von: ${n}. Das gilt sofort.`,
  confirmTitle: 'Anmeldung bestätigen',
  confirmAsk: 'Bitte bestätigen Sie, dass Sie Folgendes möchten:',
  confirmButton: 'Bestätigen',
  confirmDone: 'Danke: bestätigt.',
  confirmNothing: 'Es gibt nichts mehr zu bestätigen: Es wurde bereits bestätigt oder widerrufen.',
};

const fr: PageMessages = {
  title: 'Vos choix de confidentialité',
  intro: (org) =>
    `Ici, vous voyez et modifiez ce que vous avez accepté auprès de ${org}. Chaque changement s’applique immédiatement.`,
  consents: 'Ce pour quoi nous demandons votre consentement',
  none: 'Nous ne vous demandons votre consentement pour rien en ce moment.',
  state: {
    granted: 'Donné',
    refused: 'Refusé',
    withdrawn: 'Retiré',
    pending_confirmation: 'En attente de votre confirmation par e-mail',
    none: 'Non décidé',
  },
  yourChoice: (s, since) => `Votre choix : ${s}${since ? ` (depuis le ${since})` : ''}`,
  grant: (n) => `Donner mon consentement : ${n}`,
  withdraw: (n) => `Retirer mon consentement : ${n}`,
  history: 'Historique de vos choix',
  decision: { grant: 'Donné', refuse: 'Refusé', withdraw: 'Retiré', pending: 'Donné, en attente de confirmation' },
  via: (m) => `par ${m}`,
  methods: {
    form_checkbox: 'un formulaire',
    banner: 'le bandeau cookies',
    preference_centre: 'cette page',
    api: 'notre service',
    import: 'des enregistrements antérieurs',
    verbal_recorded: 'un appel enregistré',
    signed_form: 'un formulaire signé',
    double_opt_in: 'l’e-mail de confirmation',
    email_unsubscribe: 'un lien de désinscription',
    gpc: 'le signal de confidentialité de votre navigateur',
  },
  noticeSeen: (v) => `L’information qui vous a été présentée (version ${v})`,
  noticeLatest: (v) => `L’information actuelle (version ${v})`,
  everything: 'Tout à la fois',
  everythingHint: 'Retire en une seule étape tous les consentements que vous nous avez donnés.',
  unsubscribeAll: 'Me désinscrire de tout',
  objectHeading: 'Votre droit de vous opposer à la prospection',
  objectText:
    'Vous pouvez à tout moment vous opposer à l’utilisation de vos données à des fins de prospection. Nous arrêtons immédiatement et ne gardons qu’une empreinte codée pour ne plus vous contacter (article 21 du RGPD).',
  object: (n) => `M’opposer : ${n}`,
  objected: (d) => `Vous vous êtes opposé(e) le ${d}.`,
  receipt: 'Télécharger votre reçu de consentement',
  receiptHint: 'Une trace signée de ce que vous avez accepté, à conserver.',
  noReceipt: 'Vous n’avez rien accepté pour l’instant : il n’y a pas de reçu à télécharger.',
  saved: 'Enregistré : votre choix est pris en compte.',
  invalidTitle: 'Ce lien ne fonctionne pas',
  invalid: 'Le lien est incomplet ou a été modifié. Utilisez le dernier lien que vous avez reçu.',
  expired: 'Ce lien a expiré. Demandez-en un nouveau à l’organisme qui vous l’a envoyé.',
  revoked: 'Ce lien a été retiré. Demandez-en un nouveau à l’organisme qui vous l’a envoyé.',
  csrf: 'Ce formulaire n’est plus à jour. Revenez en arrière, rechargez la page et réessayez.',
  unsubTitle: 'Se désinscrire',
  unsubAsk: (n) => `Arrêter ceci : ${n} ?`,
  unsubButton: 'Me désinscrire',
  unsubDone: (n) => `Vous êtes désinscrit(e) de : ${n}. C’est immédiat.`,
  confirmTitle: 'Confirmer votre inscription',
  confirmAsk: 'Merci de confirmer que vous souhaitez ceci :',
  confirmButton: 'Confirmer',
  confirmDone: 'Merci : c’est confirmé.',
  confirmNothing: 'Il n’y a plus rien à confirmer : c’était déjà confirmé ou retiré.',
};

const es: PageMessages = {
  title: 'Sus opciones de privacidad',
  intro: (org) => `Aquí puede ver y cambiar lo que ha aceptado con ${org}. Cada cambio se aplica de inmediato.`,
  consents: 'Para qué le pedimos su consentimiento',
  none: 'En este momento no le pedimos su consentimiento para nada.',
  state: {
    granted: 'Dado',
    refused: 'Rechazado',
    withdrawn: 'Retirado',
    pending_confirmation: 'A la espera de su confirmación por correo',
    none: 'Sin decidir',
  },
  yourChoice: (s, since) => `Su elección: ${s}${since ? ` (desde el ${since})` : ''}`,
  grant: (n) => `Dar mi consentimiento: ${n}`,
  withdraw: (n) => `Retirar mi consentimiento: ${n}`,
  history: 'Historial de sus elecciones',
  decision: { grant: 'Dado', refuse: 'Rechazado', withdraw: 'Retirado', pending: 'Dado, a la espera de confirmación' },
  via: (m) => `mediante ${m}`,
  methods: {
    form_checkbox: 'un formulario',
    banner: 'el banner de cookies',
    preference_centre: 'esta página',
    api: 'nuestro servicio',
    import: 'registros anteriores',
    verbal_recorded: 'una llamada grabada',
    signed_form: 'un formulario firmado',
    double_opt_in: 'el correo de confirmación',
    email_unsubscribe: 'un enlace de baja',
    gpc: 'la señal de privacidad de su navegador',
  },
  noticeSeen: (v) => `La información que se le mostró (versión ${v})`,
  noticeLatest: (v) => `La información actual (versión ${v})`,
  everything: 'Todo a la vez',
  everythingHint: 'Retira en un solo paso todos los consentimientos que nos ha dado.',
  unsubscribeAll: 'Darme de baja de todo',
  objectHeading: 'Su derecho a oponerse a la mercadotecnia directa',
  objectText:
    'Puede oponerse en cualquier momento al uso de sus datos para mercadotecnia directa. Paramos de inmediato y solo guardamos una entrada codificada para no volver a contactarle (artículo 21 del RGPD).',
  object: (n) => `Oponerme: ${n}`,
  objected: (d) => `Se opuso el ${d}.`,
  receipt: 'Descargar su recibo de consentimiento',
  receiptHint: 'Un registro firmado de lo que ha aceptado, para que lo conserve.',
  noReceipt: 'Ahora mismo no ha aceptado nada, así que no hay recibo que descargar.',
  saved: 'Guardado: su elección ha quedado registrada.',
  invalidTitle: 'Este enlace no funciona',
  invalid: 'El enlace está incompleto o ha sido modificado. Use el último enlace que recibió.',
  expired: 'Este enlace ha caducado. Pida uno nuevo a la organización que se lo envió.',
  revoked: 'Este enlace ha sido retirado. Pida uno nuevo a la organización que se lo envió.',
  csrf: 'Este formulario está desactualizado. Vuelva atrás, recargue la página e inténtelo de nuevo.',
  unsubTitle: 'Darse de baja',
  unsubAsk: (n) => `¿Dejar de recibir esto: ${n}?`,
  unsubButton: 'Darme de baja',
  unsubDone: (n) => `Se ha dado de baja de: ${n}. Es inmediato.`,
  confirmTitle: 'Confirme su suscripción',
  confirmAsk: 'Confirme que desea lo siguiente:',
  confirmButton: 'Confirmar',
  confirmDone: 'Gracias: confirmado.',
  confirmNothing: 'No queda nada por confirmar: ya estaba confirmado o retirado.',
};

const it: PageMessages = {
  title: 'Le sue scelte sulla privacy',
  intro: (org) => `Qui può vedere e modificare ciò che ha accettato con ${org}. Ogni modifica ha effetto immediato.`,
  consents: 'Per cosa le chiediamo il consenso',
  none: 'Al momento non le chiediamo il consenso per nulla.',
  state: {
    granted: 'Dato',
    refused: 'Rifiutato',
    withdrawn: 'Revocato',
    pending_confirmation: 'In attesa della sua conferma via e-mail',
    none: 'Non deciso',
  },
  yourChoice: (s, since) => `La sua scelta: ${s}${since ? ` (dal ${since})` : ''}`,
  grant: (n) => `Dare il consenso: ${n}`,
  withdraw: (n) => `Revocare il consenso: ${n}`,
  history: 'Cronologia delle sue scelte',
  decision: { grant: 'Dato', refuse: 'Rifiutato', withdraw: 'Revocato', pending: 'Dato, in attesa di conferma' },
  via: (m) => `tramite ${m}`,
  methods: {
    form_checkbox: 'un modulo',
    banner: 'il banner dei cookie',
    preference_centre: 'questa pagina',
    api: 'il nostro servizio',
    import: 'registrazioni precedenti',
    verbal_recorded: 'una telefonata registrata',
    signed_form: 'un modulo firmato',
    double_opt_in: 'l’e-mail di conferma',
    email_unsubscribe: 'un link di disiscrizione',
    gpc: 'il segnale di privacy del suo browser',
  },
  noticeSeen: (v) => `L’informativa che le è stata mostrata (versione ${v})`,
  noticeLatest: (v) => `L’informativa attuale (versione ${v})`,
  everything: 'Tutto in una volta',
  everythingHint: 'Revoca in un solo passaggio ogni consenso che ci ha dato.',
  unsubscribeAll: 'Annullare tutte le iscrizioni',
  objectHeading: 'Il suo diritto di opporsi al marketing diretto',
  objectText:
    'Può opporsi in qualsiasi momento all’uso dei suoi dati per il marketing diretto. Smettiamo subito e conserviamo solo una voce cifrata, per non contattarla più (articolo 21 del GDPR).',
  object: (n) => `Opporsi: ${n}`,
  objected: (d) => `Si è opposto/a il ${d}.`,
  receipt: 'Scaricare la ricevuta del consenso',
  receiptHint: 'Una registrazione firmata di ciò che ha accettato, da conservare.',
  noReceipt: 'Al momento non ha accettato nulla, quindi non c’è alcuna ricevuta da scaricare.',
  saved: 'Salvato: la sua scelta è registrata.',
  invalidTitle: 'Questo link non funziona',
  invalid: 'Il link è incompleto o è stato modificato. Usi l’ultimo link ricevuto.',
  expired: 'Questo link è scaduto. Ne chieda uno nuovo all’organizzazione che l’ha inviato.',
  revoked: 'Questo link è stato ritirato. Ne chieda uno nuovo all’organizzazione che l’ha inviato.',
  csrf: 'Questo modulo non è aggiornato. Torni indietro, ricarichi la pagina e riprovi.',
  unsubTitle: 'Annullare l’iscrizione',
  unsubAsk: (n) => `Smettere di ricevere: ${n}?`,
  unsubButton: 'Annullare l’iscrizione',
  unsubDone: (n) => `Iscrizione annullata: ${n}. Ha effetto immediato.`,
  confirmTitle: 'Confermi l’iscrizione',
  confirmAsk: 'Confermi di volere quanto segue:',
  confirmButton: 'Confermare',
  confirmDone: 'Grazie: confermato.',
  confirmNothing: 'Non c’è più nulla da confermare: era già confermato o revocato.',
};

const nl: PageMessages = {
  title: 'Uw privacykeuzes',
  intro: (org) => `Hier ziet en wijzigt u waarvoor u ${org} toestemming hebt gegeven. Elke wijziging geldt meteen.`,
  consents: 'Waarvoor wij uw toestemming vragen',
  none: 'Wij vragen op dit moment nergens uw toestemming voor.',
  state: {
    granted: 'Gegeven',
    refused: 'Geweigerd',
    withdrawn: 'Ingetrokken',
    pending_confirmation: 'Wacht op uw bevestiging per e-mail',
    none: 'Niet gekozen',
  },
  yourChoice: (s, since) => `Uw keuze: ${s}${since ? ` (sinds ${since})` : ''}`,
  grant: (n) => `Toestemming geven: ${n}`,
  withdraw: (n) => `Toestemming intrekken: ${n}`,
  history: 'Geschiedenis van uw keuzes',
  decision: {
    grant: 'Gegeven',
    refuse: 'Geweigerd',
    withdraw: 'Ingetrokken',
    pending: 'Gegeven, wacht op bevestiging',
  },
  via: (m) => `via ${m}`,
  methods: {
    form_checkbox: 'een formulier',
    banner: 'de cookiebanner',
    preference_centre: 'deze pagina',
    api: 'onze dienst',
    import: 'eerdere registraties',
    verbal_recorded: 'een opgenomen gesprek',
    signed_form: 'een ondertekend formulier',
    double_opt_in: 'de bevestigingsmail',
    email_unsubscribe: 'een afmeldlink',
    gpc: 'het privacysignaal van uw browser',
  },
  noticeSeen: (v) => `De informatie die u te zien kreeg (versie ${v})`,
  noticeLatest: (v) => `De huidige informatie (versie ${v})`,
  everything: 'Alles tegelijk',
  everythingHint: 'Trekt in één stap elke toestemming in die u ons hebt gegeven.',
  unsubscribeAll: 'Overal voor afmelden',
  objectHeading: 'Uw recht van bezwaar tegen direct marketing',
  objectText:
    'U kunt altijd bezwaar maken tegen het gebruik van uw gegevens voor direct marketing. Wij stoppen meteen en bewaren alleen een gecodeerde vermelding, zodat u niet opnieuw wordt benaderd (artikel 21 AVG).',
  object: (n) => `Bezwaar maken: ${n}`,
  objected: (d) => `U hebt op ${d} bezwaar gemaakt.`,
  receipt: 'Uw toestemmingsbewijs downloaden',
  receiptHint: 'Een ondertekend overzicht van waarvoor u toestemming gaf, voor uw eigen administratie.',
  noReceipt: 'U hebt op dit moment nergens toestemming voor gegeven, dus er is geen bewijs om te downloaden.',
  saved: 'Opgeslagen: uw keuze is vastgelegd.',
  invalidTitle: 'Deze link werkt niet',
  invalid: 'De link is onvolledig of gewijzigd. Gebruik de laatste link die u hebt ontvangen.',
  expired: 'Deze link is verlopen. Vraag de afzender om een nieuwe.',
  revoked: 'Deze link is ingetrokken. Vraag de afzender om een nieuwe.',
  csrf: 'Dit formulier is verouderd. Ga terug, laad de pagina opnieuw en probeer het nog eens.',
  unsubTitle: 'Afmelden',
  unsubAsk: (n) => `Hiervoor afmelden: ${n}?`,
  unsubButton: 'Afmelden',
  unsubDone: (n) => `U bent afgemeld voor: ${n}. Dit geldt meteen.`,
  confirmTitle: 'Bevestig uw aanmelding',
  confirmAsk: 'Bevestig dat u het volgende wilt:',
  confirmButton: 'Bevestigen',
  confirmDone: 'Dank u: bevestigd.',
  confirmNothing: 'Er valt niets meer te bevestigen: het was al bevestigd of ingetrokken.',
};

export const pageMessages: Readonly<Record<PageLocale, PageMessages>> = { en, de, fr, es, it, nl };
export const pageLocales = Object.keys(pageMessages) as PageLocale[];

/**
 * The page language: `?lang=` first, then the browser's Accept-Language (by q), then the tenant's default.
 * @example pickLocale(undefined, 'de-CH,de;q=0.9,en;q=0.8', 'en') // 'de'
 */
export const pickLocale = (query: string | undefined, acceptLanguage: string | undefined, fallback: string) => {
  const known = (l: string | undefined) => {
    const base = l?.trim().toLowerCase().slice(0, 2);
    return base && (pageLocales as string[]).includes(base) ? (base as PageLocale) : null;
  };
  const fromQuery = known(query);
  if (fromQuery) return fromQuery;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .slice(0, 20)
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([01](\.\d{1,3})?)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag, q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranked) {
    const l = known(r.tag);
    if (l) return l;
  }
  return known(fallback) ?? 'en';
};
