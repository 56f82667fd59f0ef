import { matchKey } from './sms-text.ts';

/**
 * Words a reply can consist of, compared after matchKey (accents, case and surrounding
 * punctuation dropped: "Arrêt !" is "arret"). A keyword counts only as the whole reply: "stop" is
 * an opt-out, "I would stop renewing" is an answer to a free-text question.
 *
 * Opt-out and help keywords work in every language whatever the survey's: carriers require STOP
 * to work always, and a contact does not know which language their survey was set to.
 */

// CTIA's standard opt-out words, then fr (ARRÊT), es (ALTO), it (BASTA), de (STOPP).
const OPT_OUT = [
  'stop',
  'stopall',
  'unsubscribe',
  'cancel',
  'end',
  'quit',
  'arret',
  'alto',
  'basta',
  'stopp',
];
const HELP = ['help', 'info', 'aide', 'aiuto', 'ayuda', 'hilfe'];

// Skipping an optional question: the word each language's prompt shows, plus common synonyms.
const SKIP = ['skip', 'pass', 'passer', 'salta', 'saltare', 'saltar', 'omitir', 'weiter', 'uberspringen'];

// "sì" and "sí" are "si" once accents are dropped.
const YES = ['yes', 'y', 'yeah', 'yep', 'oui', 'o', 'si', 'ja', 'j'];
const NO = ['no', 'n', 'nope', 'non', 'nein', 'nee'];

export type ControlKeyword = 'opt_out' | 'help';

/** STOP-like and HELP-like replies, which act on the conversation rather than answer a question. */
export function controlKeyword(reply: string): ControlKeyword | null {
  const key = matchKey(reply);
  if (OPT_OUT.includes(key)) return 'opt_out';
  if (HELP.includes(key)) return 'help';
  return null;
}

/** "skip" in any of the languages, or a lone dash (which matchKey would reduce to nothing). */
export function isSkipReply(reply: string): boolean {
  const trimmed = reply.trim();
  if (/^[-\u2010-\u2015]$/.test(trimmed)) return true;
  return SKIP.includes(matchKey(trimmed));
}

/** true for yes words, false for no words, null for anything else. */
export function yesNoWord(reply: string): boolean | null {
  const key = matchKey(reply);
  if (YES.includes(key)) return true;
  if (NO.includes(key)) return false;
  return null;
}
