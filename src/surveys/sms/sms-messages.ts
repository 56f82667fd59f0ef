/**
 * What the SMS bot itself says, in the five interface languages. Survey texts (titles, choices,
 * the thank-you page) come from the definition in the conversation's locale; these are only the
 * instructions around them. Placeholders in braces are filled by `fill`; keywords in capitals
 * are the ones sms-keywords.ts accepts.
 */

export const BOT_LANGUAGES = ['en', 'fr', 'it', 'es', 'de'] as const;
export type BotLanguage = (typeof BOT_LANGUAGES)[number];

export interface BotTexts {
  intro: string;
  or: string;
  skipHint: string;
  scale: string;
  oneOf: string;
  choose: string;
  chooseRange: string;
  chooseSeveral: string;
  atMost: string;
  yesNo: string;
  yesNoLabelled: string;
  number: string;
  email: string;
  date: string;
  text: string;
  other: string;
  notUnderstood: string;
  required: string;
  tooLong: string;
  tooMany: string;
  noneAlone: string;
  movingOn: string;
  abandoned: string;
  expired: string;
  optedOut: string;
  help: string;
  thanks: string;
}

const en: BotTexts = {
  intro: 'Reply STOP to opt out, HELP for help.',
  or: 'or',
  skipHint: 'Reply SKIP to skip.',
  scale: 'Reply with a number from {min} to {max}.',
  oneOf: 'Reply {list}.',
  choose: 'Reply {list}:',
  chooseRange: 'Reply with a number from 1 to {count}:',
  chooseSeveral: 'Reply with one or more numbers, separated by commas (e.g. 1,3):',
  atMost: 'At most {max}.',
  yesNo: 'Reply YES or NO.',
  yesNoLabelled: 'Reply YES ({yes}) or NO ({no}).',
  number: 'Reply with a number.',
  email: 'Reply with an email address.',
  date: 'Reply with a date as YYYY-MM-DD.',
  text: 'Reply with your answer.',
  other: 'Please specify your answer:',
  notUnderstood: "Sorry, I didn't understand.",
  required: 'This question needs an answer.',
  tooLong: 'Please keep your answer under {max} characters.',
  tooMany: 'Please choose at most {max}.',
  noneAlone: '"{none}" cannot be combined with other choices.',
  movingOn: "Let's move on.",
  abandoned: "We couldn't record an answer to this question, so we'll stop here. Thank you for your time.",
  expired: 'This survey has closed after a period without replies. Thank you for your time.',
  optedOut: "You're unsubscribed and won't receive more messages from us.",
  help: 'This survey runs by text message: reply to each question. Reply SKIP to skip an optional question, STOP to stop receiving messages.',
  thanks: 'Thank you for your answers!',
};

const fr: BotTexts = {
  intro: "Répondez STOP pour ne plus recevoir de messages, AIDE pour de l'aide.",
  or: 'ou',
  skipHint: 'Répondez PASSER pour passer.',
  scale: 'Répondez par un nombre de {min} à {max}.',
  oneOf: 'Répondez {list}.',
  choose: 'Répondez {list} :',
  chooseRange: 'Répondez par un nombre de 1 à {count} :',
  chooseSeveral: 'Répondez par un ou plusieurs numéros séparés par des virgules (ex. 1,3) :',
  atMost: '{max} au maximum.',
  yesNo: 'Répondez OUI ou NON.',
  yesNoLabelled: 'Répondez OUI ({yes}) ou NON ({no}).',
  number: 'Répondez par un nombre.',
  email: 'Répondez par une adresse e-mail.',
  date: 'Répondez par une date au format AAAA-MM-JJ.',
  text: 'Écrivez votre réponse.',
  other: 'Veuillez préciser votre réponse :',
  notUnderstood: "Désolé, je n'ai pas compris.",
  required: 'Cette question nécessite une réponse.',
  tooLong: 'Merci de répondre en moins de {max} caractères.',
  tooMany: 'Choisissez-en {max} au maximum.',
  noneAlone: '"{none}" ne peut pas être combiné avec d\'autres choix.',
  movingOn: 'Passons à la suite.',
  abandoned:
    "Nous n'avons pas pu enregistrer de réponse à cette question, nous nous arrêtons donc ici. Merci pour votre temps.",
  expired: 'Ce questionnaire est clos faute de réponse. Merci pour votre temps.',
  optedOut: 'Vous êtes désinscrit et ne recevrez plus de messages de notre part.',
  help: 'Ce questionnaire se déroule par SMS : répondez à chaque question. Répondez PASSER pour passer une question facultative, STOP pour ne plus recevoir de messages.',
  thanks: 'Merci pour vos réponses !',
};

const it: BotTexts = {
  intro: 'Rispondi STOP per non ricevere più messaggi, AIUTO per assistenza.',
  or: 'o',
  skipHint: 'Rispondi SALTA per saltare.',
  scale: 'Rispondi con un numero da {min} a {max}.',
  oneOf: 'Rispondi {list}.',
  choose: 'Rispondi {list}:',
  chooseRange: 'Rispondi con un numero da 1 a {count}:',
  chooseSeveral: 'Rispondi con uno o più numeri separati da virgole (es. 1,3):',
  atMost: 'Al massimo {max}.',
  yesNo: 'Rispondi SÌ o NO.',
  yesNoLabelled: 'Rispondi SÌ ({yes}) o NO ({no}).',
  number: 'Rispondi con un numero.',
  email: 'Rispondi con un indirizzo email.',
  date: 'Rispondi con una data nel formato AAAA-MM-GG.',
  text: 'Scrivi la tua risposta.',
  other: 'Specifica la tua risposta:',
  notUnderstood: 'Scusa, non ho capito.',
  required: 'Questa domanda richiede una risposta.',
  tooLong: 'Rispondi in meno di {max} caratteri.',
  tooMany: 'Scegline al massimo {max}.',
  noneAlone: '"{none}" non può essere combinato con altre scelte.',
  movingOn: 'Passiamo alla domanda successiva.',
  abandoned:
    'Non siamo riusciti a registrare una risposta a questa domanda, quindi ci fermiamo qui. Grazie per il tuo tempo.',
  expired: 'Questo sondaggio si è chiuso per inattività. Grazie per il tuo tempo.',
  optedOut: "Hai annullato l'iscrizione e non riceverai altri messaggi da noi.",
  help: 'Questo sondaggio si svolge via SMS: rispondi a ogni domanda. Rispondi SALTA per saltare una domanda facoltativa, STOP per non ricevere più messaggi.',
  thanks: 'Grazie per le tue risposte!',
};

const es: BotTexts = {
  intro: 'Responda STOP para no recibir más mensajes, AYUDA para obtener ayuda.',
  or: 'o',
  skipHint: 'Responda SALTAR para omitir.',
  scale: 'Responda con un número del {min} al {max}.',
  oneOf: 'Responda {list}.',
  choose: 'Responda {list}:',
  chooseRange: 'Responda con un número del 1 al {count}:',
  chooseSeveral: 'Responda con uno o varios números separados por comas (p. ej. 1,3):',
  atMost: 'Como máximo {max}.',
  yesNo: 'Responda SÍ o NO.',
  yesNoLabelled: 'Responda SÍ ({yes}) o NO ({no}).',
  number: 'Responda con un número.',
  email: 'Responda con una dirección de correo electrónico.',
  date: 'Responda con una fecha en formato AAAA-MM-DD.',
  text: 'Escriba su respuesta.',
  other: 'Especifique su respuesta:',
  notUnderstood: 'Lo siento, no lo he entendido.',
  required: 'Esta pregunta necesita una respuesta.',
  tooLong: 'Responda con menos de {max} caracteres.',
  tooMany: 'Elija como máximo {max}.',
  noneAlone: '"{none}" no se puede combinar con otras opciones.',
  movingOn: 'Pasemos a la siguiente pregunta.',
  abandoned:
    'No hemos podido registrar una respuesta a esta pregunta, así que terminamos aquí. Gracias por su tiempo.',
  expired: 'Esta encuesta se ha cerrado por inactividad. Gracias por su tiempo.',
  optedOut: 'Se ha dado de baja y no recibirá más mensajes nuestros.',
  help: 'Esta encuesta se responde por SMS: conteste a cada pregunta. Responda SALTAR para omitir una pregunta opcional, STOP para no recibir más mensajes.',
  thanks: '¡Gracias por sus respuestas!',
};

const de: BotTexts = {
  intro: 'Antworten Sie STOPP, um keine Nachrichten mehr zu erhalten, HILFE für Hilfe.',
  or: 'oder',
  skipHint: 'Antworten Sie WEITER, um die Frage zu überspringen.',
  scale: 'Antworten Sie mit einer Zahl von {min} bis {max}.',
  oneOf: 'Antworten Sie {list}.',
  choose: 'Antworten Sie {list}:',
  chooseRange: 'Antworten Sie mit einer Zahl von 1 bis {count}:',
  chooseSeveral: 'Antworten Sie mit einer oder mehreren Zahlen, durch Kommas getrennt (z. B. 1,3):',
  atMost: 'Höchstens {max}.',
  yesNo: 'Antworten Sie JA oder NEIN.',
  yesNoLabelled: 'Antworten Sie JA ({yes}) oder NEIN ({no}).',
  number: 'Antworten Sie mit einer Zahl.',
  email: 'Antworten Sie mit einer E-Mail-Adresse.',
  date: 'Antworten Sie mit einem Datum im Format JJJJ-MM-TT.',
  text: 'Schreiben Sie Ihre Antwort.',
  other: 'Bitte präzisieren Sie Ihre Antwort:',
  notUnderstood: 'Entschuldigung, das habe ich nicht verstanden.',
  required: 'Diese Frage erfordert eine Antwort.',
  tooLong: 'Bitte antworten Sie mit weniger als {max} Zeichen.',
  tooMany: 'Wählen Sie höchstens {max}.',
  noneAlone: '"{none}" kann nicht mit anderen Antworten kombiniert werden.',
  movingOn: 'Weiter zur nächsten Frage.',
  abandoned:
    'Wir konnten keine Antwort auf diese Frage erfassen und hören daher hier auf. Vielen Dank für Ihre Zeit.',
  expired: 'Diese Umfrage wurde wegen Inaktivität geschlossen. Vielen Dank für Ihre Zeit.',
  optedOut: 'Sie sind abgemeldet und erhalten keine Nachrichten mehr von uns.',
  help: 'Diese Umfrage läuft per SMS: Beantworten Sie jede Frage. Antworten Sie WEITER, um eine optionale Frage zu überspringen, STOPP, um keine Nachrichten mehr zu erhalten.',
  thanks: 'Vielen Dank für Ihre Antworten!',
};

const TEXTS: Record<BotLanguage, BotTexts> = { en, fr, it, es, de };

/** The bot's language for a survey locale ("fr-CA" → fr); English for any other language. */
export function botLanguage(locale: string): BotLanguage {
  const base = locale.toLowerCase().split(/[-_]/)[0] ?? '';
  return (BOT_LANGUAGES as readonly string[]).includes(base) ? (base as BotLanguage) : 'en';
}

export const botTexts = (locale: string): BotTexts => TEXTS[botLanguage(locale)];

/** A bot text with its {placeholders} filled. */
export const fill = (template: string, values: Record<string, string | number>) =>
  template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));

/** "1, 2 or 3" in the bot's language. */
export function listWithOr(items: string[], texts: BotTexts): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${texts.or} ${items.at(-1)}`;
}
