import { z } from '@hono/zod-openapi';
import { prefixedId, Timestamp } from './common.ts';

/**
 * The cookie banner's contract. The server embeds a `BannerConfig` in the script response
 * (`renderBannerScript` in @lawful/banner/src/serve.ts) and receives one `BannerConsentRecord` per choice.
 * Checks 18–31 of docs/legal-checks (section D) are what these shapes exist for; docs/banner.md maps them.
 */

/** Locales the banner ships real texts for. A site may add texts for others; these six are always complete. */
export const BannerLocale = z.enum(['en', 'de', 'fr', 'es', 'it', 'nl']).openapi('BannerLocale');
export type BannerLocale = z.infer<typeof BannerLocale>;

/** A text in several languages; keys are BCP 47 primary subtags (`en`, `de`, …). */
export const LocalizedText = z
  .record(z.string().regex(/^[a-z]{2,3}$/), z.string().min(1).max(2000))
  .refine((t) => Object.keys(t).length > 0, 'at least one language')
  .openapi('LocalizedText', { example: { en: 'Analytics', de: 'Statistik' } });
export type LocalizedText = z.infer<typeof LocalizedText>;

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256');
const Sri384 = z.string().regex(/^sha384-[A-Za-z0-9+/]{64}$/, 'must be an SRI sha384 value');

/** The four standard categories, plus custom ones (lowercase slug). `necessary` is always on and never asked. */
export const CategoryKey = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{1,31}$/)
  .openapi('BannerCategoryKey', { example: 'analytics' });
export type CategoryKey = z.infer<typeof CategoryKey>;
export const STANDARD_CATEGORIES = ['necessary', 'preferences', 'analytics', 'marketing'] as const;

const validRegex = (s: string) => {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
};

/** One cookie (or family of cookies) a service sets. Shown in the first layer's details and used to delete on withdrawal. */
export const BannerCookie = z
  .object({
    /** Exact name, or, with `pattern: true`, a JavaScript regular expression source (e.g. `^_ga_`). */
    name: z.string().min(1).max(200),
    pattern: z.boolean().default(false),
    /** The domain the cookie is set on; absent = the site's own host. */
    domain: z.string().max(253).optional(),
    /** Lifetime in seconds; 0 = session cookie. Shown to people as a readable duration. */
    durationSeconds: z.number().int().min(0),
    /** A third-party cookie is set or read by another domain than the site's (check 24). */
    thirdParty: z.boolean(),
    purpose: LocalizedText,
    vendor: z.string().min(1).max(200),
  })
  .refine((c) => !c.pattern || validRegex(c.name), {
    message: 'pattern is not a valid regular expression',
    path: ['name'],
  })
  .openapi('BannerCookie');
export type BannerCookie = z.infer<typeof BannerCookie>;

export const BannerService = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/),
    name: z.string().min(1).max(200),
    vendor: z.string().min(1).max(200),
    /** Where the vendor explains what it does with the data (vendor list, check 24). */
    privacyPolicyUrl: z.url().optional(),
    /** Vendor seat, for the vendor list: "EU", "US", … (a transfer outside the EEA is then visible). */
    country: z.string().max(64).optional(),
    cookies: z.array(BannerCookie).max(100).default([]),
  })
  .openapi('BannerService');
export type BannerService = z.infer<typeof BannerService>;

export const BannerCategory = z
  .object({
    key: CategoryKey,
    label: LocalizedText,
    description: LocalizedText,
    /**
     * `exempt`: strictly necessary, never asked, always on (ePrivacy Art. 5(3) second sentence) — requires a
     * justification (check 27). `consent`: off until the person turns it on. Legitimate interest is deliberately not an
     * option: it is never a basis for storing or reading on the device (check 23).
     */
    basis: z.enum(['exempt', 'consent']),
    justification: LocalizedText.optional(),
    services: z.array(BannerService).max(200).default([]),
  })
  .refine((c) => c.basis !== 'exempt' || c.justification !== undefined, {
    message: 'a strictly necessary category must say why it is necessary',
    path: ['justification'],
  })
  .refine((c) => (c.key === 'necessary') === (c.basis === 'exempt'), {
    message: '`necessary` is the only exempt category, and it is always exempt',
    path: ['basis'],
  })
  .openapi('BannerCategory');
export type BannerCategory = z.infer<typeof BannerCategory>;

/** Every string the banner shows. `{vendor}` and `{category}` are replaced in the placeholder texts. */
export const BannerTexts = z
  .object({
    title: z.string().min(1).max(200),
    description: z.string().min(1).max(2000),
    acceptAll: z.string().min(1).max(60),
    rejectAll: z.string().min(1).max(60),
    choose: z.string().min(1).max(60),
    save: z.string().min(1).max(60),
    close: z.string().min(1).max(120),
    /** Closing the banner (× or Escape) refuses; the banner says so (check 22). */
    closeNote: z.string().min(1).max(300),
    details: z.string().min(1).max(80),
    choicesTitle: z.string().min(1).max(200),
    alwaysOn: z.string().min(1).max(60),
    vendors: z.string().min(1).max(80),
    cookie: z.string().min(1).max(40),
    duration: z.string().min(1).max(40),
    session: z.string().min(1).max(40),
    firstParty: z.string().min(1).max(40),
    thirdParty: z.string().min(1).max(60),
    privacyPolicy: z.string().min(1).max(80),
    reopen: z.string().min(1).max(60),
    gpcNote: z.string().min(1).max(300),
    embedBlocked: z.string().min(1).max(400),
    embedAllow: z.string().min(1).max(80),
    saveFailed: z.string().min(1).max(300),
  })
  .openapi('BannerTexts');
export type BannerTexts = z.infer<typeof BannerTexts>;

/** Google Consent Mode v2 signal → the categories that must all be granted for it to be `granted`. */
export const ConsentModeSignal = z.enum([
  'ad_storage',
  'analytics_storage',
  'ad_user_data',
  'ad_personalization',
  'functionality_storage',
  'personalization_storage',
  'security_storage',
]);
export const GoogleConsentMode = z
  .object({
    enabled: z.boolean().default(true),
    mapping: z.partialRecord(ConsentModeSignal, z.array(CategoryKey).min(1)).default({
      ad_storage: ['marketing'],
      ad_user_data: ['marketing'],
      ad_personalization: ['marketing'],
      analytics_storage: ['analytics'],
      functionality_storage: ['preferences'],
      personalization_storage: ['preferences'],
      security_storage: ['necessary'],
    }),
    /** Milliseconds gtag waits for an update before firing tags with the defaults. */
    waitForUpdateMs: z.number().int().min(0).max(10_000).default(500),
  })
  .openapi('GoogleConsentMode');

/**
 * Which rule set the site follows: `eu` (GDPR + ePrivacy), `fr` (eu + CNIL audience-measurement exemption: a
 * `measurement` category may be exempt if the tracker lives ≤ 13 months and data ≤ 25 months), `uk` (UK GDPR + PECR as
 * amended by the DUAA 2025 exceptions for statistics/appearance), `us` (opt-out model: GPC honoured).
 */
export const JurisdictionProfile = z.enum(['eu', 'fr', 'uk', 'us']).openapi('BannerJurisdiction');

export const BannerConfig = z
  .object({
    siteId: prefixedId('sit'),
    notice: z.object({ versionId: prefixedId('ntv'), hash: Sha256Hex, url: z.url().optional() }),
    /** The banner bundle's semantic version (from its manifest). */
    bannerVersion: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/),
    /** SHA-256 of the canonical service list; set by `renderBannerScript`, a change re-prompts (check: re-prompt). */
    servicesHash: Sha256Hex,
    categories: z
      .array(BannerCategory)
      .min(1)
      .refine((cs) => cs.some((c) => c.key === 'necessary'), 'the `necessary` category is required')
      .refine((cs) => new Set(cs.map((c) => c.key)).size === cs.length, 'category keys must be unique'),
    texts: z.record(z.string().regex(/^[a-z]{2,3}$/), BannerTexts),
    defaultLocale: z
      .string()
      .regex(/^[a-z]{2,3}$/)
      .default('en'),
    reprompt: z
      .object({
        afterRefusalMonths: z.number().int().min(6).max(24).default(6),
        afterGrantMonths: z.number().int().min(1).max(13).default(12),
      })
      .default({ afterRefusalMonths: 6, afterGrantMonths: 12 }),
    gpc: z
      .object({
        /** Categories GPC denies: those used for sale, sharing or targeted advertising (CCPA regs §7025). */
        categories: z.array(CategoryKey).default(['marketing']),
        optOutOf: z.array(z.enum(['sale', 'sharing', 'targeted_ads'])).default(['sale', 'sharing', 'targeted_ads']),
      })
      .default({ categories: ['marketing'], optOutOf: ['sale', 'sharing', 'targeted_ads'] }),
    jurisdiction: JurisdictionProfile.default('eu'),
    consent: z.object({
      /** Absolute URL the banner POSTs `BannerConsentRecord`s to. */
      endpoint: z.url(),
      /** Publishable site key: identifies the site, grants nothing but recording banner choices. */
      publishableKey: z.string().regex(/^(lf_)?pk_[A-Za-z0-9_-]{16,80}$/),
    }),
    googleConsentMode: GoogleConsentMode.default({
      enabled: true,
      mapping: {
        ad_storage: ['marketing'],
        ad_user_data: ['marketing'],
        ad_personalization: ['marketing'],
        analytics_storage: ['analytics'],
        functionality_storage: ['preferences'],
        personalization_storage: ['preferences'],
        security_storage: ['necessary'],
      },
      waitForUpdateMs: 500,
    }),
    /** Reload after a withdrawal so scripts already running stop (they cannot be unloaded otherwise). */
    reloadOnWithdrawal: z.boolean().default(true),
    /** Show the small persistent re-open button (check 26). Turn off only if every page links `[data-lawful-open]`. */
    reopenButton: z.boolean().default(true),
    /**
     * Optional IAB TCF v2.2: the core defines the `__tcfapi` stub and loads dist/tcf.js from `moduleUrl` when the
     * banner starts; the module answers vendors and encodes the TC string sent with each record.
     */
    tcf: z
      .object({
        moduleUrl: z.url(),
        /** A copy of the IAB Global Vendor List (vendor-list.json, policy version 4+) served by the Lawful server. */
        vendorListUrl: z.url(),
        /** The TC string holds 12 bits for each. */
        cmpId: z.number().int().min(2).max(4095),
        cmpVersion: z.number().int().min(1).max(4095),
        publisherCountryCode: z.string().regex(/^[A-Z]{2}$/),
        /** TCF purpose ids (1–11) each category stands for. */
        purposes: z.record(CategoryKey, z.array(z.number().int().min(1).max(11))),
        vendorIds: z.array(z.number().int().min(1)).default([]),
      })
      .optional(),
  })
  .openapi('BannerConfig');
export type BannerConfig = z.infer<typeof BannerConfig>;
/** What a server writes before defaults are applied (e.g. `reprompt` may be left out). */
export type BannerConfigInput = z.input<typeof BannerConfig>;

/** Which element expressed the choice: the affirmative action of Art. 4(11), kept with the record. */
export const BannerAction = z
  .object({
    kind: z.enum(['accept_all', 'reject_all', 'save_choices', 'close', 'allow_embed', 'gpc']),
    layer: z.enum(['first', 'choices', 'placeholder', 'api', 'signal']),
    /** The visible label of the control, in the language shown, e.g. "Reject all". */
    label: z.string().max(200),
  })
  .openapi('BannerAction');

export const BannerDecision = z
  .object({
    category: CategoryKey,
    /** Set when the decision is about one service only (allowing one embed). */
    service: z.string().max(64).optional(),
    granted: z.boolean(),
    /** `gpc`: a Global Privacy Control opt-out — never a grant. */
    method: z.enum(['banner', 'gpc']),
  })
  .refine((d) => !(d.method === 'gpc' && d.granted), { message: 'GPC is never consent', path: ['granted'] })
  .openapi('BannerDecision');
export type BannerDecision = z.infer<typeof BannerDecision>;

/**
 * One choice, as the banner POSTs it. `idempotencyKey` is generated once per choice: the banner retries until it gets
 * a 2xx, and a sendBeacon copy may also arrive, so the server must store each key once.
 */
export const BannerConsentRecord = z
  .object({
    idempotencyKey: prefixedId('bcr'),
    siteId: prefixedId('sit'),
    /** Pseudonymous random id kept in the first-party consent cookie; no personal data. */
    deviceId: prefixedId('dev'),
    noticeVersionId: prefixedId('ntv'),
    noticeHash: Sha256Hex,
    servicesHash: Sha256Hex,
    bannerVersion: z.string().max(40),
    /** SRI value of the bundle that showed the choice (check 31). */
    bundleHash: Sri384,
    locale: z.string().max(8),
    jurisdiction: JurisdictionProfile,
    action: BannerAction,
    decisions: z.array(BannerDecision).min(1),
    gpc: z.boolean(),
    /** Device clock at the time of the choice; the server stores its own receipt time too. */
    occurredAt: Timestamp,
    /** Page URL without query or fragment (they may carry personal data). */
    pageUrl: z.string().max(2000),
    tcString: z.string().max(4000).optional(),
    /** Only in the sendBeacon fallback, which cannot send headers; never in the URL. */
    publishableKey: z.string().max(100).optional(),
  })
  .openapi('BannerConsentRecord');
export type BannerConsentRecord = z.infer<typeof BannerConsentRecord>;

export const BannerConsentAck = z
  .object({ id: prefixedId('cns'), idempotencyKey: prefixedId('bcr'), duplicate: z.boolean() })
  .openapi('BannerConsentAck');
export type BannerConsentAck = z.infer<typeof BannerConsentAck>;

// The default texts live here rather than in their own file because this file is the banner's whole contract surface
// (the server fills `texts` and category labels from these when a site has not written its own).

/** Plain-language banner texts in the six shipped languages. */
export const defaultBannerTexts: Record<BannerLocale, BannerTexts> = {
  en: {
    title: 'Your choice about cookies',
    description:
      'We use cookies that the site needs to work. With your permission we would also like to use cookies to remember your settings, to count visits and to show you relevant ads. You can accept all, reject all, or choose. You can change your mind at any time with the "Privacy choices" button.',
    acceptAll: 'Accept all',
    rejectAll: 'Reject all',
    choose: 'Choose',
    save: 'Save my choices',
    close: 'Close and reject all optional cookies',
    closeNote: 'Closing this banner (× or Esc) means you reject all optional cookies.',
    details: 'Cookies and vendors',
    choicesTitle: 'Choose which cookies we may use',
    alwaysOn: 'Always on',
    vendors: 'Vendors',
    cookie: 'Cookie',
    duration: 'Duration',
    session: 'until you close the browser',
    firstParty: 'set by this site',
    thirdParty: 'set by a third party',
    privacyPolicy: 'Privacy policy',
    reopen: 'Privacy choices',
    gpcNote: 'Your browser sent a Global Privacy Control signal, so advertising cookies stay off.',
    embedBlocked:
      'This content from {vendor} is blocked because it uses {category} cookies. You can allow it for this content only.',
    embedAllow: 'Allow this content',
    saveFailed: 'We could not save your choice. Please try again later.',
  },
  de: {
    title: 'Ihre Entscheidung zu Cookies',
    description:
      'Wir verwenden Cookies, die für den Betrieb der Website nötig sind. Mit Ihrer Erlaubnis möchten wir außerdem Cookies nutzen, um Ihre Einstellungen zu speichern, Besuche zu zählen und Ihnen passende Werbung zu zeigen. Sie können alle akzeptieren, alle ablehnen oder selbst auswählen. Über die Schaltfläche „Datenschutz-Einstellungen“ können Sie Ihre Wahl jederzeit ändern.',
    acceptAll: 'Alle akzeptieren',
    rejectAll: 'Alle ablehnen',
    choose: 'Auswählen',
    save: 'Auswahl speichern',
    close: 'Schließen und alle optionalen Cookies ablehnen',
    closeNote: 'Wenn Sie dieses Banner schließen (× oder Esc), lehnen Sie alle optionalen Cookies ab.',
    details: 'Cookies und Anbieter',
    choicesTitle: 'Wählen Sie, welche Cookies wir verwenden dürfen',
    alwaysOn: 'Immer aktiv',
    vendors: 'Anbieter',
    cookie: 'Cookie',
    duration: 'Speicherdauer',
    session: 'bis Sie den Browser schließen',
    firstParty: 'von dieser Website gesetzt',
    thirdParty: 'von einem Drittanbieter gesetzt',
    privacyPolicy: 'Datenschutzerklärung',
    reopen: 'Datenschutz-Einstellungen',
    gpcNote: 'Ihr Browser sendet ein Global-Privacy-Control-Signal. Werbe-Cookies bleiben daher aus.',
    embedBlocked:
      'Dieser Inhalt von {vendor} ist blockiert, weil er Cookies der Kategorie {category} verwendet. Sie können ihn nur für diesen Inhalt erlauben.',
    embedAllow: 'Diesen Inhalt erlauben',
    saveFailed: 'Ihre Auswahl konnte nicht gespeichert werden. Bitte versuchen Sie es später erneut.',
  },
  fr: {
    title: 'Votre choix concernant les cookies',
    description:
      'Nous utilisons des cookies nécessaires au fonctionnement du site. Avec votre accord, nous aimerions aussi utiliser des cookies pour retenir vos préférences, mesurer la fréquentation et vous montrer des publicités pertinentes. Vous pouvez tout accepter, tout refuser ou choisir. Vous pouvez changer d’avis à tout moment avec le bouton « Choix de confidentialité ».',
    acceptAll: 'Tout accepter',
    rejectAll: 'Tout refuser',
    choose: 'Choisir',
    save: 'Enregistrer mes choix',
    close: 'Fermer et refuser tous les cookies facultatifs',
    closeNote: 'Fermer ce bandeau (× ou Échap) revient à refuser tous les cookies facultatifs.',
    details: 'Cookies et partenaires',
    choicesTitle: 'Choisissez les cookies que nous pouvons utiliser',
    alwaysOn: 'Toujours actifs',
    vendors: 'Partenaires',
    cookie: 'Cookie',
    duration: 'Durée',
    session: 'jusqu’à la fermeture du navigateur',
    firstParty: 'déposé par ce site',
    thirdParty: 'déposé par un tiers',
    privacyPolicy: 'Politique de confidentialité',
    reopen: 'Choix de confidentialité',
    gpcNote: 'Votre navigateur envoie un signal Global Privacy Control : les cookies publicitaires restent désactivés.',
    embedBlocked:
      'Ce contenu de {vendor} est bloqué car il utilise des cookies de la catégorie {category}. Vous pouvez l’autoriser pour ce contenu uniquement.',
    embedAllow: 'Autoriser ce contenu',
    saveFailed: 'Nous n’avons pas pu enregistrer votre choix. Veuillez réessayer plus tard.',
  },
  es: {
    title: 'Tu decisión sobre las cookies',
    description:
      'Usamos cookies que el sitio necesita para funcionar. Con tu permiso, también queremos usar cookies para recordar tus ajustes, contar las visitas y mostrarte anuncios relevantes. Puedes aceptarlas todas, rechazarlas todas o elegir. Puedes cambiar de opinión en cualquier momento con el botón «Opciones de privacidad».',
    acceptAll: 'Aceptar todas',
    rejectAll: 'Rechazar todas',
    choose: 'Elegir',
    save: 'Guardar mi elección',
    close: 'Cerrar y rechazar todas las cookies opcionales',
    closeNote: 'Si cierras este aviso (× o Esc), rechazas todas las cookies opcionales.',
    details: 'Cookies y proveedores',
    choicesTitle: 'Elige qué cookies podemos usar',
    alwaysOn: 'Siempre activas',
    vendors: 'Proveedores',
    cookie: 'Cookie',
    duration: 'Duración',
    session: 'hasta que cierres el navegador',
    firstParty: 'instalada por este sitio',
    thirdParty: 'instalada por un tercero',
    privacyPolicy: 'Política de privacidad',
    reopen: 'Opciones de privacidad',
    gpcNote:
      'Tu navegador envía una señal Global Privacy Control, así que las cookies publicitarias siguen desactivadas.',
    embedBlocked:
      'Este contenido de {vendor} está bloqueado porque usa cookies de {category}. Puedes permitirlo solo para este contenido.',
    embedAllow: 'Permitir este contenido',
    saveFailed: 'No hemos podido guardar tu elección. Vuelve a intentarlo más tarde.',
  },
  it: {
    title: 'La tua scelta sui cookie',
    description:
      'Usiamo cookie necessari al funzionamento del sito. Con il tuo permesso vorremmo usare anche cookie per ricordare le tue impostazioni, contare le visite e mostrarti pubblicità pertinente. Puoi accettarli tutti, rifiutarli tutti o scegliere. Puoi cambiare idea in qualsiasi momento con il pulsante «Scelte sulla privacy».',
    acceptAll: 'Accetta tutti',
    rejectAll: 'Rifiuta tutti',
    choose: 'Scegli',
    save: 'Salva le mie scelte',
    close: 'Chiudi e rifiuta tutti i cookie facoltativi',
    closeNote: 'Chiudere questo banner (× o Esc) significa rifiutare tutti i cookie facoltativi.',
    details: 'Cookie e fornitori',
    choicesTitle: 'Scegli quali cookie possiamo usare',
    alwaysOn: 'Sempre attivi',
    vendors: 'Fornitori',
    cookie: 'Cookie',
    duration: 'Durata',
    session: 'fino alla chiusura del browser',
    firstParty: 'impostato da questo sito',
    thirdParty: 'impostato da terze parti',
    privacyPolicy: 'Informativa sulla privacy',
    reopen: 'Scelte sulla privacy',
    gpcNote:
      'Il tuo browser invia un segnale Global Privacy Control, quindi i cookie pubblicitari restano disattivati.',
    embedBlocked:
      'Questo contenuto di {vendor} è bloccato perché usa cookie di tipo {category}. Puoi consentirlo solo per questo contenuto.',
    embedAllow: 'Consenti questo contenuto',
    saveFailed: 'Non siamo riusciti a salvare la tua scelta. Riprova più tardi.',
  },
  nl: {
    title: 'Uw keuze over cookies',
    description:
      'We gebruiken cookies die nodig zijn om de site te laten werken. Met uw toestemming willen we ook cookies gebruiken om uw instellingen te onthouden, bezoeken te tellen en u relevante advertenties te tonen. U kunt alles accepteren, alles weigeren of zelf kiezen. Met de knop "Privacykeuzes" kunt u uw keuze altijd wijzigen.',
    acceptAll: 'Alles accepteren',
    rejectAll: 'Alles weigeren',
    choose: 'Zelf kiezen',
    save: 'Mijn keuze opslaan',
    close: 'Sluiten en alle optionele cookies weigeren',
    closeNote: 'Als u deze melding sluit (× of Esc), weigert u alle optionele cookies.',
    details: 'Cookies en partijen',
    choicesTitle: 'Kies welke cookies we mogen gebruiken',
    alwaysOn: 'Altijd aan',
    vendors: 'Partijen',
    cookie: 'Cookie',
    duration: 'Bewaartermijn',
    session: 'tot u de browser sluit',
    firstParty: 'geplaatst door deze site',
    thirdParty: 'geplaatst door een derde partij',
    privacyPolicy: 'Privacyverklaring',
    reopen: 'Privacykeuzes',
    gpcNote: 'Uw browser stuurt een Global Privacy Control-signaal, dus advertentiecookies blijven uit.',
    embedBlocked:
      'Deze inhoud van {vendor} is geblokkeerd omdat hij {category}-cookies gebruikt. U kunt hem alleen voor deze inhoud toestaan.',
    embedAllow: 'Deze inhoud toestaan',
    saveFailed: 'We konden uw keuze niet opslaan. Probeer het later opnieuw.',
  },
};

type CategoryTexts = { label: LocalizedText; description: LocalizedText; justification?: LocalizedText };

/** Labels, plain descriptions and (for `necessary`) the justification of the four standard categories. */
export const defaultCategoryTexts: Record<(typeof STANDARD_CATEGORIES)[number], CategoryTexts> = {
  necessary: {
    label: {
      en: 'Necessary',
      de: 'Notwendig',
      fr: 'Nécessaires',
      es: 'Necesarias',
      it: 'Necessari',
      nl: 'Noodzakelijk',
    },
    description: {
      en: 'Keep the site working: security, your session, and remembering this choice.',
      de: 'Halten die Website in Betrieb: Sicherheit, Ihre Sitzung und das Speichern dieser Auswahl.',
      fr: 'Font fonctionner le site : sécurité, votre session et la mémorisation de ce choix.',
      es: 'Hacen que el sitio funcione: seguridad, tu sesión y recordar esta elección.',
      it: 'Fanno funzionare il sito: sicurezza, la tua sessione e il ricordo di questa scelta.',
      nl: 'Houden de site werkend: beveiliging, uw sessie en het onthouden van deze keuze.',
    },
    justification: {
      en: 'These cookies are strictly necessary to provide the service you asked for, so the law does not require your consent. They are never used to track you.',
      de: 'Diese Cookies sind unbedingt erforderlich, um den von Ihnen gewünschten Dienst bereitzustellen. Dafür ist keine Einwilligung nötig. Sie werden nie zur Verfolgung genutzt.',
      fr: 'Ces cookies sont strictement nécessaires pour fournir le service que vous demandez ; la loi n’exige donc pas votre consentement. Ils ne servent jamais à vous suivre.',
      es: 'Estas cookies son estrictamente necesarias para prestar el servicio que pides, por lo que la ley no exige tu consentimiento. Nunca se usan para seguirte.',
      it: 'Questi cookie sono strettamente necessari per fornire il servizio che hai richiesto, quindi la legge non richiede il tuo consenso. Non vengono mai usati per tracciarti.',
      nl: 'Deze cookies zijn strikt noodzakelijk om de dienst te leveren waar u om vraagt, dus de wet vraagt niet om uw toestemming. Ze worden nooit gebruikt om u te volgen.',
    },
  },
  preferences: {
    label: {
      en: 'Preferences',
      de: 'Präferenzen',
      fr: 'Préférences',
      es: 'Preferencias',
      it: 'Preferenze',
      nl: 'Voorkeuren',
    },
    description: {
      en: 'Remember your settings, such as language or region, between visits.',
      de: 'Speichern Ihre Einstellungen, etwa Sprache oder Region, zwischen Besuchen.',
      fr: 'Retiennent vos réglages, comme la langue ou la région, d’une visite à l’autre.',
      es: 'Recuerdan tus ajustes, como el idioma o la región, entre visitas.',
      it: 'Ricordano le tue impostazioni, come lingua o regione, tra una visita e l’altra.',
      nl: 'Onthouden uw instellingen, zoals taal of regio, tussen bezoeken.',
    },
  },
  analytics: {
    label: {
      en: 'Analytics',
      de: 'Statistik',
      fr: 'Mesure d’audience',
      es: 'Analítica',
      it: 'Statistiche',
      nl: 'Statistieken',
    },
    description: {
      en: 'Count visits and see which pages are used, so we can improve the site.',
      de: 'Zählen Besuche und zeigen, welche Seiten genutzt werden, damit wir die Website verbessern können.',
      fr: 'Comptent les visites et montrent les pages consultées, pour améliorer le site.',
      es: 'Cuentan las visitas y muestran qué páginas se usan, para mejorar el sitio.',
      it: 'Contano le visite e mostrano quali pagine sono usate, per migliorare il sito.',
      nl: 'Tellen bezoeken en laten zien welke pagina’s worden gebruikt, zodat we de site kunnen verbeteren.',
    },
  },
  marketing: {
    label: { en: 'Marketing', de: 'Marketing', fr: 'Publicité', es: 'Publicidad', it: 'Marketing', nl: 'Marketing' },
    description: {
      en: 'Let advertising partners show you ads based on your visits here and on other sites.',
      de: 'Erlauben Werbepartnern, Ihnen Werbung auf Grundlage Ihrer Besuche hier und auf anderen Websites zu zeigen.',
      fr: 'Permettent à des partenaires publicitaires de vous montrer des annonces selon vos visites ici et sur d’autres sites.',
      es: 'Permiten a socios publicitarios mostrarte anuncios según tus visitas aquí y en otros sitios.',
      it: 'Consentono ai partner pubblicitari di mostrarti annunci in base alle tue visite qui e su altri siti.',
      nl: 'Laten advertentiepartners u advertenties tonen op basis van uw bezoeken hier en op andere sites.',
    },
  },
};
