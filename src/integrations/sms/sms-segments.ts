/**
 * SMS segment counting as carriers bill it (3GPP TS 23.038 / 23.040) and as Twilio reports
 * `num_segments`. A body made only of GSM-7 characters travels 7 bits a character: 160 in one
 * segment, 153 per segment once split (the 6-byte concatenation header eats 7 septets). One
 * character outside GSM-7 switches the whole body to UCS-2: 70 UTF-16 units, 67 per segment split.
 */

/** GSM 03.38 default alphabet: one septet each. */
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);

/** Extension table: an escape septet plus one, so two septets each. */
const GSM7_EXTENSION = new Set('\f^{}\\[~]|€');

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  encoding: SmsEncoding;
  segments: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the body needs. */
  units: number;
}

const CAPACITY = {
  'GSM-7': { single: 160, multi: 153 },
  'UCS-2': { single: 70, multi: 67 },
} as const;

export const isGsm7 = (body: string) => [...body].every((c) => GSM7_BASIC.has(c) || GSM7_EXTENSION.has(c));

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * The size of each indivisible piece of the body. An escape sequence must not straddle two
 * segments, nor a surrogate pair; Twilio also keeps a grapheme (an emoji with its modifiers, a
 * flag) whole, so UCS-2 bodies are cut between graphemes.
 */
function pieces(body: string, encoding: SmsEncoding): number[] {
  if (encoding === 'GSM-7') return [...body].map((c) => (GSM7_EXTENSION.has(c) ? 2 : 1));
  return [...graphemes.segment(body)].map((g) => g.segment.length);
}

export function measureSegments(body: string): SegmentCount {
  const encoding: SmsEncoding = isGsm7(body) ? 'GSM-7' : 'UCS-2';
  const sizes = pieces(body, encoding);
  const units = sizes.reduce((sum, n) => sum + n, 0);
  const { single, multi } = CAPACITY[encoding];
  if (units <= single) return { encoding, segments: units === 0 ? 0 : 1, units };
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > multi && used > 0) {
      segments += 1;
      used = 0;
    }
    used += size;
  }
  return { encoding, segments, units };
}

/** How many SMS segments the body is billed as (0 for an empty body). */
export const countSegments = (body: string) => measureSegments(body).segments;
