import type { Question } from 'survey-core';
import { loadModel, sharedModel } from '../definition.ts';
import { ASKED_TYPES, IGNORED_TYPES, SENT_TYPES } from './sms-survey.ts';

/**
 * Whether a survey can run as an SMS conversation, checked before the first message is sent
 * rather than discovered mid-survey. Each refused question gets a reason a survey author can act
 * on. html elements are sent as plain text (tags stripped); expression, image and empty elements
 * are not sent (expressions are still computed and stored, as on the web page).
 */

export interface SmsCompatibilityProblem {
  question: string;
  type: string;
  reason: string;
}

export interface SmsCompatibility {
  ok: boolean;
  problems: SmsCompatibilityProblem[];
}

const REFUSED_TYPES: Record<string, string> = {
  matrix: 'a grid with one answer per row cannot be asked in a text message',
  matrixdropdown: 'a table with an answer in each cell cannot be asked in a text message',
  matrixdynamic: 'a table whose rows the respondent adds cannot be asked in a text message',
  multipletext: 'several labelled text boxes in one question cannot be asked in a text message',
  file: 'a file cannot be uploaded by text message',
  signaturepad: 'a signature cannot be drawn by text message',
  ranking: 'putting items in order by dragging them has no text-message equivalent',
  imagepicker: 'its choices are pictures, which a text message cannot show',
  imagemap: 'its choices are areas of a picture, which a text message cannot show',
  paneldynamic: 'panels the respondent adds or removes cannot be asked in a text message',
  slider: 'a slider is not supported over SMS; use a rating or a number question',
};

// Text inputs with no sensible typed form (dates are typed as YYYY-MM-DD; numbers as numbers).
const REFUSED_INPUT_TYPES: Record<string, string> = {
  color: 'a color picker has no text-message equivalent',
  password: 'a password must not be sent by text message',
  time: 'a time picker is not supported over SMS',
  month: 'a month picker is not supported over SMS',
  week: 'a week picker is not supported over SMS',
  'datetime-local': 'a date-and-time picker is not supported over SMS',
};

function problemOf(q: Question): string | null {
  const type = q.getType();
  if ((SENT_TYPES as readonly string[]).includes(type) || (IGNORED_TYPES as readonly string[]).includes(type))
    return null;
  if (!(ASKED_TYPES as readonly string[]).includes(type))
    return REFUSED_TYPES[type] ?? `the "${type}" question type is not supported over SMS`;
  const settings = q as unknown as {
    inputType?: string;
    choicesByUrl?: { url?: string };
    choicesLazyLoadEnabled?: boolean;
  };
  if (type === 'text') return REFUSED_INPUT_TYPES[settings.inputType ?? ''] ?? null;
  // Headless survey-core makes no web requests: these choices would be missing.
  if (settings.choicesByUrl?.url) return 'its choices are loaded from a web service, which SMS cannot do';
  if (settings.choicesLazyLoadEnabled) return 'its choices are loaded on demand by the web page';
  return null;
}

export function smsCompatibility(definition: unknown): SmsCompatibility {
  // Types and settings only, nothing answers change: a definition object's shared Model will do.
  const model =
    typeof definition === 'object' && definition !== null ? sharedModel(definition) : loadModel(definition);
  const questions = model.getAllQuestions();
  const problems: SmsCompatibilityProblem[] = [];
  for (const q of questions) {
    const reason = problemOf(q);
    if (reason) problems.push({ question: q.name, type: q.getType(), reason });
  }
  if (!questions.some((q) => (ASKED_TYPES as readonly string[]).includes(q.getType())))
    problems.push({ question: '', type: 'survey', reason: 'the survey has no question to ask' });
  return { ok: problems.length === 0, problems };
}
