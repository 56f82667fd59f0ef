import { describe, expect, it } from 'vitest';
import { countSegments, measureSegments } from './sms-segments.ts';

const a = (n: number) => 'a'.repeat(n);

describe('SMS segments', () => {
  it('counts GSM-7 bodies at 160 for one segment, 153 per segment once split', () => {
    expect(countSegments('')).toBe(0);
    expect(measureSegments('Hello, how was your onboarding? Reply 0-10.')).toMatchObject({
      encoding: 'GSM-7',
      segments: 1,
    });
    expect(countSegments(a(160))).toBe(1);
    expect(countSegments(a(161))).toBe(2);
    expect(countSegments(a(306))).toBe(2);
    expect(countSegments(a(307))).toBe(3);
  });

  it('keeps accented letters of the GSM alphabet in GSM-7 (é è à ü Ñ Ç Δ, CR LF)', () => {
    expect(measureSegments('Déjà vu à Zürich, señor Ñoño: Ç Δ Ω\r\n¿ok? £5 ¥ §')).toMatchObject({
      encoding: 'GSM-7',
      segments: 1,
    });
  });

  it('counts extension characters (€ { } [ ] ~ ^ | \\) as two septets', () => {
    expect(measureSegments('€')).toEqual({ encoding: 'GSM-7', segments: 1, units: 2 });
    expect(countSegments('€'.repeat(80))).toBe(1);
    expect(countSegments('€'.repeat(81))).toBe(2);
    expect(measureSegments('{}[]~^|\\').units).toBe(16);
  });

  it('never splits an escape sequence across two segments', () => {
    // 306 septets would fit two segments, but the { cannot straddle the first boundary.
    expect(measureSegments(`${a(152)}{${a(152)}`)).toEqual({ encoding: 'GSM-7', segments: 3, units: 306 });
  });

  it('switches the whole body to UCS-2 for one character outside GSM-7: 70, then 67 per segment', () => {
    expect(measureSegments(`${a(100)}ç`).encoding).toBe('UCS-2'); // only the capital Ç is GSM
    expect(measureSegments('Résumé: ça va?')).toMatchObject({ encoding: 'UCS-2', segments: 1 });
    expect(countSegments('á'.repeat(70))).toBe(1);
    expect(countSegments('á'.repeat(71))).toBe(2);
    expect(countSegments('á'.repeat(134))).toBe(2);
    expect(countSegments('á'.repeat(135))).toBe(3);
    expect(measureSegments('Greek δ').encoding).toBe('UCS-2'); // only capital Greek letters are GSM
  });

  it('counts emoji as two UTF-16 units and never splits a surrogate pair or a grapheme', () => {
    expect(measureSegments('😀'.repeat(35))).toEqual({ encoding: 'UCS-2', segments: 1, units: 70 });
    expect(countSegments('😀'.repeat(36))).toBe(2);
    expect(measureSegments(`${a(66)}😀${a(66)}`)).toEqual({ encoding: 'UCS-2', segments: 3, units: 134 });
    expect(measureSegments(`${a(66)}👍🏽${a(64)}`)).toEqual({ encoding: 'UCS-2', segments: 3, units: 134 });
  });
});
