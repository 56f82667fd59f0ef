import { yesNoWord } from './sms-keywords.ts';
import { type BotTexts, fill } from './sms-messages.ts';
import type { SmsOption, SmsQuestion } from './sms-question.ts';
import { matchKey } from './sms-text.ts';

/**
 * A reply turned into the value SurveyJS would store for the question, or the short reason it
 * cannot be. Choices are recognised by their number, their letter (a, b, c…) or their text,
 * compared without case, accents, spacing or punctuation ("tres probable" is "Très probable").
 * Nothing fuzzier: a reply that is none of those is re-asked rather than guessed.
 */

export type ParsedReply = { ok: true; value: unknown } | { ok: false; error: string };

const letterIndex = (key: string) => (/^[a-z]$/.test(key) ? key.charCodeAt(0) - 97 : -1);

// Texts compared without inner spaces and punctuation too: "peut etre" is "Peut-être", "email" is "E-mail".
const compact = (text: string) => matchKey(text).replace(/[\s\p{P}]+/gu, '');

/** The option a reply (or one piece of a reply) names, or null. */
export function pickOption(options: SmsOption[], reply: string): SmsOption | null {
  const key = matchKey(reply);
  if (!key) return null;
  if (/^\d+$/.test(key)) return options[Number(key) - 1] ?? null;
  const loose = compact(key);
  const byText = options.find((o) => compact(o.text) === loose);
  if (byText) return byText;
  const byValue = options.find((o) => o.role === 'choice' && compact(String(o.value)) === loose);
  if (byValue) return byValue;
  return options[letterIndex(key)] ?? null;
}

// Words joining choices in "1 and 3", in the five languages; "e" and "y" only when they are not
// the letter of a listed choice.
const JOINERS = ['and', 'et', 'e', 'y', 'und'];

function pickSeveral(options: SmsOption[], reply: string): SmsOption[] | null {
  const whole = pickOption(options, reply);
  if (whole) return [whole];
  const picked: SmsOption[] = [];
  for (const piece of reply.split(/[,;\n]+/).filter((p) => p.trim())) {
    const one = pickOption(options, piece);
    if (one) {
      picked.push(one);
      continue;
    }
    // "1 3", "a c", "1 and 3": each word must name a choice by its number or letter.
    const words = matchKey(piece)
      .split(/[\s/&+]+/)
      .filter((w) => w && !(JOINERS.includes(w) && options[letterIndex(w)] === undefined));
    const many = words.map((w) => pickOption(options, w));
    if (many.length === 0 || many.some((o) => o === null)) return null;
    picked.push(...(many as SmsOption[]));
  }
  return picked.length ? picked : null;
}

function parseChoices(
  q: Extract<SmsQuestion, { kind: 'choices' }>,
  reply: string,
  texts: BotTexts,
): ParsedReply {
  const picked = pickSeveral(q.options, reply);
  if (!picked) return { ok: false, error: texts.notUnderstood };
  let chosen = [...new Set(picked)];
  // "Select all" stands for every ordinary choice, as its checkbox does on the web page.
  if (chosen.some((o) => o.role === 'all')) {
    const rest = chosen.filter((o) => o.role !== 'all' && o.role !== 'choice');
    chosen = [...q.options.filter((o) => o.role === 'choice'), ...rest];
  }
  const none = chosen.find((o) => o.role === 'none');
  if (none && chosen.length > 1) return { ok: false, error: fill(texts.noneAlone, { none: none.text }) };
  if (q.max > 0 && chosen.length > q.max) return { ok: false, error: fill(texts.tooMany, { max: q.max }) };
  return { ok: true, value: chosen.map((o) => o.value) };
}

function parseNumber(reply: string): number | null {
  // "1 000,5" and "1000.5" alike; a comma is a decimal separator when there is no dot.
  let text = reply.trim().replace(/[\s\u00a0\u202f']/g, '');
  if (!text.includes('.')) text = text.replace(',', '.');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(text)) return null;
  return Number(text);
}

function isRealDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

function parseText(q: Extract<SmsQuestion, { kind: 'text' }>, reply: string, texts: BotTexts): ParsedReply {
  const text = reply.trim();
  if (!text) return { ok: false, error: texts.notUnderstood };
  switch (q.input) {
    case 'number': {
      const n = parseNumber(text);
      return n === null ? { ok: false, error: texts.notUnderstood } : { ok: true, value: n };
    }
    case 'email':
      // answers.ts's own test: an address that passes here passes there.
      return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)
        ? { ok: true, value: text }
        : { ok: false, error: texts.notUnderstood };
    case 'date':
      return isRealDate(text) ? { ok: true, value: text } : { ok: false, error: texts.notUnderstood };
    default:
      return text.length > q.maxLength
        ? { ok: false, error: fill(texts.tooLong, { max: q.maxLength }) }
        : { ok: true, value: text };
  }
}

/** The value of a reply to `q`. Keywords (STOP, HELP, SKIP) are the conversation's, checked before. */
export function parseReply(q: SmsQuestion, reply: string, texts: BotTexts): ParsedReply {
  const notUnderstood: ParsedReply = { ok: false, error: texts.notUnderstood };
  switch (q.kind) {
    case 'scale':
    case 'values': {
      // "7" or "7/10"; a scale with words may also be answered with the word.
      const number = /^(-?\d+(?:[.,]\d+)?)(?:\s*\/\s*\d+)?$/.exec(reply.trim());
      const n = number ? Number(number[1]!.replace(',', '.')) : null;
      const option =
        n !== null
          ? q.options.find((o) => o.value === n)
          : q.options.find((o) => compact(o.text) === compact(reply));
      return option ? { ok: true, value: option.value } : notUnderstood;
    }
    case 'choice': {
      const option = pickOption(q.options, reply);
      return option && option.role !== 'all' ? { ok: true, value: option.value } : notUnderstood;
    }
    case 'choices':
      return parseChoices(q, reply, texts);
    case 'yesNo': {
      const key = matchKey(reply);
      const word =
        q.labelTrue && key === matchKey(q.labelTrue)
          ? true
          : q.labelFalse && key === matchKey(q.labelFalse)
            ? false
            : yesNoWord(reply);
      if (word === null) return notUnderstood;
      return { ok: true, value: word ? q.valueTrue : q.valueFalse };
    }
    case 'text':
      return parseText(q, reply, texts);
  }
}
