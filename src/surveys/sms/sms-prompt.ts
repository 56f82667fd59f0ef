import { type BotTexts, fill, listWithOr } from './sms-messages.ts';
import type { SmsOption, SmsQuestion } from './sms-question.ts';

/**
 * The text of a question as one SMS: title, how to reply, the numbered choices (all in the same
 * message, so a long list arrives whole rather than as messages a phone may reorder), and the
 * skip hint for optional questions.
 */

// Up to four choices the instruction spells them out ("Reply 1, 2, 3 or 4"); beyond, a range.
const SPELLED_OUT = 4;

/** How to reply, in one line: the prompt's instruction, and what an invalid reply is re-asked with. */
export function instructionFor(q: SmsQuestion, texts: BotTexts): string {
  switch (q.kind) {
    case 'scale': {
      const end = (n: number, label: string) => (label ? `${n} (${label})` : String(n));
      return fill(texts.scale, { min: end(q.min, q.minLabel), max: end(q.max, q.maxLabel) });
    }
    case 'values': {
      // The number is what the respondent replies; a word the scale shows goes beside it: "1 (Poor)".
      const value = (o: SmsOption) => (o.text === String(o.value) ? o.text : `${o.value} (${o.text})`);
      return fill(texts.oneOf, { list: listWithOr(q.options.map(value), texts) });
    }
    case 'choice': {
      const count = q.options.length;
      if (count > SPELLED_OUT) return fill(texts.chooseRange, { count });
      return fill(texts.choose, {
        list: listWithOr(
          q.options.map((_, i) => String(i + 1)),
          texts,
        ),
      });
    }
    case 'choices':
      return q.max > 0 ? `${texts.chooseSeveral} ${fill(texts.atMost, { max: q.max })}` : texts.chooseSeveral;
    case 'yesNo':
      return q.labelTrue && q.labelFalse
        ? fill(texts.yesNoLabelled, { yes: q.labelTrue, no: q.labelFalse })
        : texts.yesNo;
    case 'text':
      if (q.input === 'number')
        return q.min !== null && q.max !== null
          ? fill(texts.scale, { min: q.min, max: q.max })
          : texts.number;
      if (q.input === 'email') return texts.email;
      if (q.input === 'date') return texts.date;
      return texts.text;
  }
}

const numbered = (q: SmsQuestion) =>
  q.kind === 'choice' || q.kind === 'choices' ? q.options.map((o, i) => `${i + 1}) ${o.text}`) : [];

/** The whole question message. */
export function promptFor(q: SmsQuestion, texts: BotTexts): string {
  // A free-text question needs no "reply with your answer" under it; the title is the question.
  const plainText = q.kind === 'text' && q.input === 'text';
  const lines = [q.text, ...(plainText ? [] : [instructionFor(q, texts)]), ...numbered(q)];
  if (!q.required) lines.push(texts.skipHint);
  return lines.join('\n');
}
