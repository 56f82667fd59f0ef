/**
 * Pure edits of a SurveyJS definition for the builder: every function returns a new definition,
 * so React sees each change and "undo" is just the previous value. Localised texts follow
 * SurveyJS: a plain string, or { default, fr, it, … }.
 */

export type Json = Record<string, unknown>;
export interface Definition extends Json {
  pages?: Page[];
}
export interface Page extends Json {
  name: string;
  elements?: Json[];
}

/** The survey languages the builder edits side by side; "default" is English. */
export const SURVEY_LOCALES = ['default', 'fr', 'it', 'es', 'de'] as const;
export type SurveyLocale = (typeof SURVEY_LOCALES)[number];

export type QuestionKind = 'nps' | 'csat' | 'single' | 'multiple' | 'matrix' | 'text';
export const QUESTION_KINDS: QuestionKind[] = ['nps', 'csat', 'single', 'multiple', 'matrix', 'text'];

export function locText(value: unknown, locale: SurveyLocale): string {
  if (typeof value === 'string') return locale === 'default' ? value : '';
  if (value && typeof value === 'object') {
    const text = (value as Record<string, unknown>)[locale];
    return typeof text === 'string' ? text : '';
  }
  return '';
}

/** Sets one language's text; a text with only its default stays a plain string. */
export function withLocText(value: unknown, locale: SurveyLocale, text: string): unknown {
  const texts: Record<string, string> =
    typeof value === 'string'
      ? { default: value }
      : value && typeof value === 'object'
        ? { ...(value as Record<string, string>) }
        : {};
  if (text) texts[locale] = text;
  else delete texts[locale];
  const keys = Object.keys(texts);
  if (keys.length === 0) return undefined;
  if (keys.length === 1 && keys[0] === 'default') return texts.default;
  return texts;
}

/** SurveyJS also takes questions at the top level (one page): the builder always works on pages. */
export function withPages(definition: Definition): Definition {
  if (!Array.isArray(definition.elements)) return definition;
  const { elements, ...rest } = definition;
  return { ...rest, pages: [{ name: 'page1', elements: elements as Json[] }, ...(definition.pages ?? [])] };
}

export const questionsOf = (definition: Definition) =>
  (definition.pages ?? []).flatMap((page, pageIndex) =>
    (page.elements ?? []).map((element, index) => ({ element, pageIndex, index })),
  );

function uniqueName(definition: Definition, base: string): string {
  const taken = new Set(questionsOf(definition).map((q) => String(q.element.name)));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

/** A new question of a kind a CX program uses, with texts to replace. */
export function newQuestion(definition: Definition, kind: QuestionKind): Json {
  switch (kind) {
    case 'nps':
      return {
        type: 'rating',
        name: uniqueName(definition, 'nps'),
        title: 'How likely are you to recommend us to a colleague?',
        isRequired: true,
        rateMin: 0,
        rateMax: 10,
        minRateDescription: 'Not at all likely',
        maxRateDescription: 'Extremely likely',
      };
    case 'csat':
      return {
        type: 'rating',
        name: uniqueName(definition, 'csat'),
        title: 'How satisfied are you?',
        rateMin: 1,
        rateMax: 5,
        minRateDescription: 'Very dissatisfied',
        maxRateDescription: 'Very satisfied',
      };
    case 'single':
    case 'multiple':
      return {
        type: kind === 'single' ? 'radiogroup' : 'checkbox',
        name: uniqueName(definition, kind === 'single' ? 'choice' : 'choices'),
        title: 'Your question',
        choices: [
          { value: 'option_1', text: 'Option 1' },
          { value: 'option_2', text: 'Option 2' },
        ],
      };
    case 'matrix':
      return {
        type: 'matrix',
        name: uniqueName(definition, 'matrix'),
        title: 'How do you rate each of these?',
        columns: [
          { value: 1, text: 'Poor' },
          { value: 2, text: 'Fair' },
          { value: 3, text: 'Good' },
        ],
        rows: [
          { value: 'support', text: 'Support' },
          { value: 'product', text: 'Product' },
        ],
      };
    case 'text':
      return { type: 'comment', name: uniqueName(definition, 'comment'), title: 'Anything else?' };
  }
}

const clone = <T>(value: T): T => structuredClone(value);

export function addQuestion(definition: Definition, pageIndex: number, question: Json): Definition {
  const next = clone(definition);
  next.pages ??= [];
  if (!next.pages[pageIndex]) next.pages.push({ name: `page${next.pages.length + 1}`, elements: [] });
  const page = next.pages[Math.min(pageIndex, next.pages.length - 1)]!;
  page.elements = [...(page.elements ?? []), question];
  return next;
}

export function addPage(definition: Definition): Definition {
  const next = clone(definition);
  next.pages ??= [];
  const names = new Set(next.pages.map((p) => p.name));
  let n = next.pages.length + 1;
  while (names.has(`page${n}`)) n++;
  next.pages.push({ name: `page${n}`, elements: [] });
  return next;
}

export function updateQuestion(
  definition: Definition,
  pageIndex: number,
  index: number,
  change: (question: Json) => Json,
): Definition {
  const next = clone(definition);
  const elements = next.pages![pageIndex]!.elements!;
  elements[index] = change(elements[index]!);
  return next;
}

/** Sets a question property; undefined or '' removes it (SurveyJS then uses its default). */
export const setProp = (question: Json, key: string, value: unknown): Json => {
  const next = { ...question };
  if (value === undefined || value === '') delete next[key];
  else next[key] = value;
  return next;
};

export function removeQuestion(definition: Definition, pageIndex: number, index: number): Definition {
  const next = clone(definition);
  next.pages![pageIndex]!.elements!.splice(index, 1);
  return next;
}

/** Moves a question up or down, across pages at their edges. */
export function moveQuestion(
  definition: Definition,
  pageIndex: number,
  index: number,
  by: -1 | 1,
): Definition {
  const next = clone(definition);
  const pages = next.pages!;
  const elements = pages[pageIndex]!.elements!;
  const [question] = elements.splice(index, 1);
  const target = index + by;
  if (target >= 0 && target <= elements.length) elements.splice(target, 0, question!);
  else if (by < 0 && pageIndex > 0) {
    const previous = pages[pageIndex - 1]!;
    previous.elements = [...(previous.elements ?? []), question!];
  } else if (by > 0 && pageIndex < pages.length - 1) {
    const following = pages[pageIndex + 1]!;
    following.elements = [question!, ...(following.elements ?? [])];
  } else elements.splice(index, 0, question!);
  return next;
}

/** Choices, rows and columns as { value, text } items (SurveyJS also accepts bare values). */
export function itemsOf(value: unknown): { value: unknown; text?: unknown }[] {
  if (!Array.isArray(value)) return [];
  return value.map((item) =>
    item && typeof item === 'object' && 'value' in item
      ? (item as { value: unknown; text?: unknown })
      : { value: item },
  );
}

export interface TranslatableText {
  /** Where the text lives, as property keys and indexes from the definition's root. */
  path: (string | number)[];
  /** What the text is, for the translator: "nps · title", "choice · option_1". */
  label: string;
  value: unknown;
}

const TEXT_PROPS = [
  'title',
  'description',
  'minRateDescription',
  'maxRateDescription',
  'placeholder',
  'otherText',
];

/** Every text a respondent can read, in order: what the translations grid edits. */
export function translatableTexts(definition: Definition): TranslatableText[] {
  const out: TranslatableText[] = [];
  for (const key of ['title', 'description', 'completedHtml']) {
    if (definition[key] !== undefined)
      out.push({ path: [key], label: `survey · ${key}`, value: definition[key] });
  }
  (definition.pages ?? []).forEach((page, p) => {
    if (page.title !== undefined)
      out.push({ path: ['pages', p, 'title'], label: `${page.name} · title`, value: page.title });
    (page.elements ?? []).forEach((element, e) => {
      const base = ['pages', p, 'elements', e];
      for (const key of TEXT_PROPS) {
        if (element[key] !== undefined)
          out.push({ path: [...base, key], label: `${String(element.name)} · ${key}`, value: element[key] });
      }
      for (const list of ['choices', 'rows', 'columns']) {
        const items = element[list];
        if (!Array.isArray(items)) continue;
        items.forEach((item, i) => {
          if (item && typeof item === 'object' && 'text' in item)
            out.push({
              path: [...base, list, i, 'text'],
              label: `${String(element.name)} · ${String((item as { value: unknown }).value)}`,
              value: (item as { text: unknown }).text,
            });
        });
      }
    });
  });
  return out;
}

export function setAtPath(definition: Definition, path: (string | number)[], value: unknown): Definition {
  const next = clone(definition);
  let node: Record<string | number, unknown> = next;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return next;
}

/** Share of texts translated for each language, for the translations tab's progress. */
export function translationCoverage(definition: Definition): Record<SurveyLocale, number> {
  const texts = translatableTexts(definition);
  const coverage = {} as Record<SurveyLocale, number>;
  for (const locale of SURVEY_LOCALES)
    coverage[locale] = texts.length ? texts.filter((t) => locText(t.value, locale)).length / texts.length : 1;
  return coverage;
}
