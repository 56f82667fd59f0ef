import { type RenderContext, renderTemplate, templateProblem } from '../distributions/message.ts';

/**
 * Piped values: `{{ tasks.load.mailingListId }}`, `{{ event.response.answers.nps }}`,
 * `{{ event.contact.firstName | upcase }}`. Only expressions rooted at `event`, `tasks`, `workflow`
 * or `run` are the workflow's: anything else (`{{ link }}`, `{{ contact.firstName }}` in a survey
 * invitation) is left for whoever renders the text later. Rendering goes through the distributions'
 * sandboxed LiquidJS, so filters behave as in message templates.
 */

export const ROOTS = ['event', 'tasks', 'workflow', 'run'] as const;
export type Root = (typeof ROOTS)[number];

const SEGMENT = String.raw`(?:\.[A-Za-z_$][\w$-]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\]|\['(?:[^'\\]|\\.)*'\])`;
const REF_SOURCE = String.raw`\{\{-?\s*((?:event|tasks|workflow|run)${SEGMENT}*)\s*((?:\|[^}]*)?)-?\}\}`;
const refPattern = () => new RegExp(REF_SOURCE, 'g');

export interface Reference {
  /** The whole `{{ … }}` text. */
  text: string;
  /** `tasks.load.mailingListId`. */
  expression: string;
  root: Root;
  /** The path after the root: `['load', 'mailingListId']`. */
  segments: string[];
  filters: string;
}

/** The path segments of `a.b["c d"][0]`. */
export function parsePath(expression: string): string[] {
  const segments: string[] = [];
  const re = new RegExp(String.raw`^[A-Za-z_$][\w$-]*|${SEGMENT}`, 'g');
  for (const m of expression.matchAll(re)) {
    const s = m[0];
    if (s.startsWith('.')) segments.push(s.slice(1));
    else if (s.startsWith('[')) {
      const inner = s.slice(1, -1);
      if (/^\d+$/.test(inner)) segments.push(inner);
      else if (inner.startsWith('"')) segments.push(JSON.parse(inner) as string);
      else segments.push(inner.slice(1, -1).replace(/\\(.)/g, '$1'));
    } else segments.push(s);
  }
  return segments;
}

export function referencesIn(text: string): Reference[] {
  return [...text.matchAll(refPattern())].map((m) => {
    const [root, ...segments] = parsePath(m[1]!);
    return { text: m[0], expression: m[1]!, root: root as Root, segments, filters: (m[2] ?? '').trim() };
  });
}

/** The field is one reference and nothing else: it takes the referenced value as it is (a number stays a number). */
export function wholeReference(text: string): Reference | null {
  const refs = referencesIn(text);
  if (refs.length !== 1) return null;
  const ref = refs[0]!;
  return text.trim() === ref.text && !ref.filters ? ref : null;
}

export const hasReference = (text: string) => refPattern().test(text);

/** Every string of a JSON value holding references, with its path (`['recipients', 'mailingListId']`). */
export function stringsWithReferences(value: unknown, path: (string | number)[] = []) {
  const out: { path: (string | number)[]; text: string }[] = [];
  if (typeof value === 'string') {
    if (hasReference(value)) out.push({ path, text: value });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push(...stringsWithReferences(v, [...path, i]));
    });
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...stringsWithReferences(v, [...path, k]));
  }
  return out;
}

/** What references read at run time. */
export interface PipeContext {
  event: unknown;
  tasks: Record<string, unknown>;
  workflow: { id: number; name: string; directoryId: number };
  run: { id: number; triggerKey: string; startedAt: string };
}

export function valueAt(root: unknown, segments: string[]): unknown {
  let current = root;
  for (const segment of segments) {
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current)) {
      if (segment === 'size') return current.length;
      if (segment === 'first') current = current[0];
      else if (segment === 'last') current = current.at(-1);
      else current = current[Number(segment)];
      continue;
    }
    if (typeof current === 'string' && segment === 'size') return current.length;
    if (typeof current !== 'object') return undefined;
    const record = current as Record<string, unknown>;
    if (Object.hasOwn(record, segment)) current = record[segment];
    else {
      // Attribute and question names are matched case-insensitively, as everywhere in the directory.
      const key = Object.keys(record).find((k) => k.toLowerCase() === segment.toLowerCase());
      current = key === undefined ? undefined : record[key];
    }
  }
  return current;
}

export const referenceValue = (ctx: PipeContext, ref: Reference) =>
  valueAt((ctx as unknown as Record<string, unknown>)[ref.root], ref.segments);

/** How a field's piped values are written. */
export interface FieldMode {
  /**
   * `value` (default): a field that is one reference takes the value as it is; references inside
   * text are replaced by their text and the rest is left alone (it may be a template rendered
   * later, like a survey invitation). `template`: the whole field is a Liquid template rendered
   * now over the workflow's data (`{% if %}` works).
   */
  mode?: 'value' | 'template';
  /** Applied to each piped value written into text (Slack's &<> escaping, Liquid raw blocks …). */
  escape?: (text: string) => string;
  /** template mode: render with HTML escaping of every piped value. */
  html?: boolean;
}

const asContext = (ctx: PipeContext) => ctx as unknown as RenderContext;

function escapeDeep(value: unknown, escapeText: (s: string) => string): unknown {
  if (typeof value === 'string') return escapeText(value);
  if (Array.isArray(value)) return value.map((v) => escapeDeep(v, escapeText));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeDeep(v, escapeText)]));
  return value;
}

function resolveString(text: string, ctx: PipeContext, mode: FieldMode): unknown {
  if (mode.mode === 'template') {
    const data = mode.escape ? (escapeDeep(ctx, mode.escape) as PipeContext) : ctx;
    return renderTemplate(text, asContext(data), { html: mode.html === true });
  }
  const whole = wholeReference(text);
  if (whole) {
    const value = referenceValue(ctx, whole);
    if (typeof value === 'string' && mode.escape) return mode.escape(value);
    return value === undefined ? null : structuredClone(value);
  }
  return text.replace(refPattern(), (match) => {
    const rendered = renderTemplate(match, asContext(ctx));
    return mode.escape ? mode.escape(rendered) : rendered;
  });
}

/** The task's input with every piped value in place (the run's view; the saved input is unchanged). */
export function resolveInput(
  input: Record<string, unknown>,
  ctx: PipeContext,
  modes: Record<string, FieldMode> = {},
): Record<string, unknown> {
  const walk = (value: unknown, mode: FieldMode): unknown => {
    if (typeof value === 'string')
      return hasReference(value) || mode.mode === 'template' ? resolveString(value, ctx, mode) : value;
    if (Array.isArray(value)) return value.map((v) => walk(v, mode));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, mode)]));
    return value;
  };
  return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, walk(v, modes[k] ?? {})]));
}

/** Syntax problems of a template-mode field (null when it parses). */
export const templateSyntaxProblem = (text: string) => templateProblem(text);

/** Keeps a piped value from being read as a template by whoever renders the text next. */
export const liquidRaw = (text: string) =>
  /\{[{%]/.test(text) ? `{% raw %}${text.replace(/\{%\s*endraw\s*%\}/g, '')}{% endraw %}` : text;

/** Slack treats &, < and > as markup (`<!channel>` would ping everyone): piped text is escaped. */
export const slackEscape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
