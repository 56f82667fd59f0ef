/**
 * Plain-text helpers for text messages: survey texts are HTML-capable and typographic, an SMS is
 * neither. Curly quotes, ellipses and non-breaking spaces are not in the GSM-7 alphabet: one of
 * them switches a whole message to UCS-2, which fits 70 characters per segment instead of 160.
 */

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  rsquo: "'",
  lsquo: "'",
  rdquo: '"',
  ldquo: '"',
  laquo: '"',
  raquo: '"',
  hellip: '...',
  ndash: '-',
  mdash: '-',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code =
        name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** Typographic punctuation replaced by its GSM-7 look-alike; lines trimmed, blank runs collapsed. */
export function smsFriendly(text: string): string {
  return text
    .replace(/[\u2018\u2019\u201a\u201b\u2032`]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u2033]/g, '"')
    .replace(/«[\s\u00a0\u202f]*/g, '"')
    .replace(/[\s\u00a0\u202f]*»/g, '"')
    .replace(/\u2026/g, '...')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/[\u00a0\u2007\u202f\t]/g, ' ')
    .replace(/[\u200b-\u200d\ufeff]/g, '')
    .split('\n')
    .map((line) => line.replace(/ {2,}/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The text an HTML fragment shows, with block ends and <br> as line breaks. */
export function stripHtml(html: string): string {
  const text = html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li[^>]*>/gi, '\n- ')
    .replace(/<\/(p|div|h[1-6]|ul|ol|tr|table|section|blockquote)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/\r\n?/g, '\n');
  return smsFriendly(decodeEntities(text));
}

/**
 * The form a reply is compared in: accents, case, surrounding punctuation and spacing dropped, so
 * "Très probable!" matches "tres probable" and "STOP." matches "stop".
 */
export function matchKey(text: string): string {
  return smsFriendly(text)
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu, '');
}

// The GSM 03.38 alphabet: its basic set costs one unit, its extension set two (escape + char).
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENDED = new Set('^{}\\[~]|€\f');

export interface SmsLength {
  encoding: 'GSM-7' | 'UCS-2';
  /** Characters as the network counts them (GSM extension characters count twice). */
  units: number;
  /** How many messages a phone receives (and an SMS provider bills) for this text. */
  segments: number;
}

export function smsLength(text: string): SmsLength {
  let units = 0;
  for (const char of text) {
    if (GSM_BASIC.has(char)) units += 1;
    else if (GSM_EXTENDED.has(char)) units += 2;
    else {
      // UCS-2 counts UTF-16 code units: an emoji is two.
      const utf16 = text.length;
      return { encoding: 'UCS-2', units: utf16, segments: utf16 <= 70 ? 1 : Math.ceil(utf16 / 67) };
    }
  }
  return { encoding: 'GSM-7', units, segments: units <= 160 ? 1 : Math.ceil(units / 153) };
}
