import { describe, expect, it } from 'vitest';
import { checkAnswers } from '../answers.ts';
import { findTemplate, SURVEY_TEMPLATES } from '../templates.ts';
import { smsCompatibility } from './sms-compatibility.ts';
import { converse } from './sms-fixtures.ts';
import { smsLength } from './sms-text.ts';

/** The ready templates over SMS, in the five languages they are written in. */

const LANGUAGES = ['en', 'fr', 'it', 'es', 'de'] as const;
const SKIP = { en: 'skip', fr: 'passer', it: 'salta', es: 'saltar', de: 'weiter' };
const YES = { en: 'yes', fr: 'oui', it: 'sì', es: 'sí', de: 'ja' };
const EMBEDDED = { firstName: 'Zoé', accountName: 'Globex', sfAccountId: '001A' };

const template = (key: string) => findTemplate(key)!.definition;
const title = (key: string, name: string, lang: string) => {
  const elements = (template(key).elements ?? []) as { name: string; title: Record<string, string> }[];
  const texts = elements.find((e) => e.name === name)!.title;
  return (lang === 'en' ? texts.default : texts[lang])!.replace('{accountName}', 'Globex').replace(/’/g, "'");
};

describe('the survey templates over SMS', () => {
  it('reports which templates can run by SMS', () => {
    const report = Object.fromEntries(SURVEY_TEMPLATES.map((t) => [t.key, smsCompatibility(t.definition)]));
    expect(report).toEqual({
      'relationship-nps': {
        ok: false,
        problems: [
          {
            question: 'value',
            type: 'matrix',
            reason: 'a grid with one answer per row cannot be asked in a text message',
          },
        ],
      },
      'case-csat': { ok: true, problems: [] },
      'onboarding-pulse': { ok: true, problems: [] },
    });
  });

  for (const lang of LANGUAGES) {
    it(`runs the CSAT template in ${lang}: low score, two issues with "Other", comment skipped`, () => {
      const definition = template('case-csat');
      const chat = converse(definition, ['2', '1, 4', 'Nobody called back', SKIP[lang]], {
        locale: lang,
        embedded: EMBEDDED,
      });
      expect(chat.sent[0]![1]).toContain(title('case-csat', 'csat', lang));
      expect(chat.last!.outcome).toBe('completed');
      expect(chat.last!.answers).toEqual({
        csat: 2,
        issues: ['speed', 'other'],
        'issues-Comment': 'Nobody called back',
      });
      expect(
        checkAnswers(definition, chat.last!.answers, { embedded: EMBEDDED, complete: true }).problems,
      ).toEqual([]);
      for (const text of chat.sent.flat()) expect(smsLength(text).segments).toBeLessThanOrEqual(3);
    });

    it(`runs the onboarding pulse in ${lang} with {accountName} piped in`, () => {
      const definition = template('onboarding-pulse');
      const chat = converse(definition, ['4', YES[lang], SKIP[lang]], { locale: lang, embedded: EMBEDDED });
      expect(chat.sent[0]![1]).toContain(title('onboarding-pulse', 'progress', lang));
      expect(chat.last!.outcome).toBe('completed');
      expect(chat.last!.answers).toEqual({ progress: 4, goals_met: true });
      expect(
        checkAnswers(definition, chat.last!.answers, { embedded: EMBEDDED, complete: true }).problems,
      ).toEqual([]);
    });
  }

  it('runs the relationship NPS once its matrix is taken out, its pages following {role}', () => {
    const definition = structuredClone(template('relationship-nps')) as {
      pages: { elements: { name: string }[] }[];
    };
    for (const page of definition.pages) page.elements = page.elements.filter((e) => e.name !== 'value');
    expect(smsCompatibility(definition).ok).toBe(true);

    const user = converse(definition, ['10', 'The people', '4', '5'], {
      locale: 'de',
      embedded: { ...EMBEDDED, role: 'END_USER' },
    });
    expect(user.sent[0]![1]).toContain('Zoé, wie wahrscheinlich ist es');
    expect(user.sent[1]![0]).toContain('Was schätzen Sie an der Zusammenarbeit');
    expect(user.last!.answers).toEqual({ nps: 10, promoter_reason: 'The people', ease: 4, support: 5 });

    const sponsor = converse(definition, ['6', '-', 'c'], {
      locale: 'es',
      embedded: { ...EMBEDDED, role: 'EXECUTIVE_SPONSOR' },
    });
    expect(sponsor.sent[2]![0]).toContain('¿Qué probabilidad hay de que Globex renueve?');
    expect(sponsor.last!.answers).toEqual({ nps: 6, renewal: 'unlikely' });
    const embedded = { ...EMBEDDED, role: 'EXECUTIVE_SPONSOR' };
    expect(checkAnswers(definition, sponsor.last!.answers, { embedded, complete: true }).problems).toEqual(
      [],
    );
  });
});
