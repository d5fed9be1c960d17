import type { EmailMessages } from '../email.messages.ts';

export const es: EmailMessages = {
  greeting: 'Hola:',
  regards: 'Atentamente,',
  reference: (ref) => `Referencia: ${ref}`,
  requestTypes: {
    access: 'acceso a sus datos personales',
    portability: 'una copia de sus datos para llevarlos a otro sitio (portabilidad)',
    erasure: 'supresión de sus datos personales',
    rectification: 'rectificación de sus datos personales',
    restriction: 'limitación del tratamiento',
    objection: 'oposición al tratamiento',
  },
  refusalGrounds: {
    art17_3_a_freedom_of_expression:
      'Necesitamos los datos para ejercer el derecho a la libertad de expresión e información (art. 17.3.a del RGPD).',
    art17_3_b_legal_obligation_or_public_task:
      'La ley nos obliga a conservar los datos, o los necesitamos para una misión de interés público (art. 17.3.b del RGPD).',
    art17_3_c_public_health:
      'Necesitamos los datos por razones de interés público en el ámbito de la salud pública (art. 17.3.c del RGPD).',
    art17_3_d_archiving_research_statistics:
      'Necesitamos los datos con fines de archivo en interés público, de investigación científica o histórica o estadísticos, y suprimirlos obstaculizaría gravemente ese trabajo (art. 17.3.d del RGPD).',
    art17_3_e_legal_claims:
      'Necesitamos los datos para la formulación, el ejercicio o la defensa de reclamaciones (art. 17.3.e del RGPD).',
    manifestly_unfounded: 'La solicitud es manifiestamente infundada (art. 12.5 del RGPD).',
    manifestly_excessive:
      'La solicitud es manifiestamente excesiva, en particular porque repite solicitudes anteriores (art. 12.5 del RGPD).',
    identity_not_verified:
      'No hemos podido confirmar que la solicitud proceda de usted. Sin esa confirmación podríamos entregar sus datos a otra persona, o datos de otra persona a usted (art. 12.6 del RGPD).',
  },
  authorityNames: {
    'authority.eu.name':
      'la autoridad de protección de datos del país de la UE en el que vive o trabaja, o donde cree que se produjo la infracción',
    'authority.uk.name': 'la Information Commissioner’s Office (ICO) del Reino Unido',
    'authority.fr.name': 'la autoridad francesa de protección de datos, la CNIL',
    'authority.de.name': 'la autoridad de protección de datos de su estado federado alemán (Land)',
    'authority.us-ca.name': 'la California Privacy Protection Agency (CPPA)',
  },
  verification: {
    subject: (org) => `Confirme su solicitud a ${org}`,
    intro: (org) =>
      `${org} ha recibido una solicitud sobre sus datos personales. Para asegurarnos de que procede de usted, confírmela, por favor.`,
    action: 'Confirmar mi solicitud',
    code: (code) => `O introduzca este código: ${code}`,
    expires: (when) => `El enlace y el código son válidos hasta el ${when}.`,
    notYou: 'Si usted no ha hecho esta solicitud, ignore este correo. No pasará nada.',
  },
  received: {
    subject: (ref) => `Hemos recibido su solicitud (${ref})`,
    intro: (org, types) => `${org} ha recibido su solicitud: ${types}.`,
    due: (date) =>
      `Le responderemos como muy tarde el ${date}. Si necesitamos más tiempo, se lo diremos antes de esa fecha y le explicaremos por qué.`,
    free: 'Este trámite es gratuito.',
  },
  extension: {
    subject: (ref) => `Necesitamos más tiempo para su solicitud (${ref})`,
    intro: (originalDue, newDue) =>
      `No podremos completar su solicitud antes del ${originalDue}. La ley nos da más tiempo cuando una solicitud es compleja o recibimos muchas. Le responderemos como muy tarde el ${newDue}.`,
    reason: 'Por qué necesitamos más tiempo:',
  },
  refusal: {
    subject: (ref) => `Nuestra respuesta a su solicitud (${ref})`,
    intro: (types) => `No podemos atender su solicitud, total o parcialmente: ${types}.`,
    grounds: 'Nuestros motivos:',
    explanation: 'En detalle:',
    complaint: (authority) => `Si no está de acuerdo, tiene derecho a presentar una reclamación ante ${authority}.`,
    complaintLink: 'Cómo presentar una reclamación',
    court: 'También tiene derecho a acudir a los tribunales (tutela judicial).',
  },
  completion: {
    subject: (ref) => `Su solicitud se ha completado (${ref})`,
    done: (types) => `Hemos completado su solicitud: ${types}.`,
    download: 'Descargar sus datos',
    downloadExpires: (when) => `Este enlace es personal y es válido hasta el ${when}. No lo reenvíe.`,
    recipientsTold: 'También hemos informado a estos destinatarios de sus datos:',
    noRecipients: 'No hemos comunicado sus datos a nadie más, así que no había que informar a nadie.',
  },
  consent: {
    subject: (org) => `Confirme su suscripción a ${org}`,
    intro: (org) => `Ha pedido a ${org} que se ponga en contacto con usted o que use sus datos para:`,
    action: 'Sí, lo confirmo',
    notYou: 'Si no ha sido usted, ignore este correo: sin su confirmación no usaremos su dirección para esto.',
  },
  breach: {
    subject: (org) => `Importante: un incidente de seguridad en ${org} afecta a sus datos`,
    intro: (org) =>
      `Le escribimos para informarle de una violación de la seguridad de los datos personales en ${org} que puede afectarle.`,
    what: 'Qué ha ocurrido',
    consequences: 'Qué puede significar para usted',
    measures: 'Qué hemos hecho y estamos haciendo',
    advice: 'Qué le recomendamos hacer',
    contact: 'A quién dirigirse',
  },
};
