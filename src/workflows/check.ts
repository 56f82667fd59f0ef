import type { Executor } from '../platform/db/database.ts';
import { getSurveyRow } from '../surveys/surveys.service.ts';
import { checkConditions } from './conditions.ts';
import type { Problem, WorkflowInput } from './model.ts';
import { referencesIn, stringsWithReferences, templateSyntaxProblem, wholeReference } from './piping.ts';
import { scheduleProblem } from './schedule.ts';
import { taskType } from './tasks/registry.ts';
import { DEFAULT_TASK_RETRY } from './tasks/task-type.ts';
import { triggerDataType } from './trigger-data.ts';
import {
  incompatibility,
  jsonSchemaOf,
  T,
  typeAt,
  typeOfJsonSchema,
  type Variable,
  type VType,
  variablesOf,
} from './types.ts';

/**
 * The whole definition checked when it is saved (not when it runs): the trigger, the conditions
 * against the trigger's data, each task's input against its schema, and every piped value — the
 * task or field it names must exist before it, with a type that fits where it goes. Each problem
 * names the task and the field.
 */

export const WORKFLOW_TYPE = T.object({ id: T.integer(), name: T.string(), directoryId: T.integer() });
export const RUN_TYPE = T.object({ id: T.integer(), triggerKey: T.string(), startedAt: T.string() });

type JsonSchema = Record<string, unknown>;

function deref(root: JsonSchema, node: JsonSchema): JsonSchema {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  const defs = (root.$defs ?? root.definitions ?? {}) as Record<string, JsonSchema>;
  return defs[ref.replace(/^#\/(\$defs|definitions)\//, '')] ?? {};
}

/** The schema branches a value may be checked against at a union (its `const` fields decide). */
function branchesFor(root: JsonSchema, node: JsonSchema, value: unknown): JsonSchema[] {
  const n = deref(root, node);
  const branches = (n.anyOf ?? n.oneOf) as JsonSchema[] | undefined;
  if (!branches) return [n];
  const all = branches.flatMap((b) => branchesFor(root, b, value));
  if (!value || typeof value !== 'object' || Array.isArray(value)) return all;
  const fitting = all.filter((b) => {
    const props = (b.properties ?? {}) as Record<string, JsonSchema>;
    return Object.entries(props).every(
      ([k, p]) => p.const === undefined || (value as Record<string, unknown>)[k] === p.const,
    );
  });
  return fitting.length ? fitting : all;
}

/** The type a task input expects at a path (`recipients.mailingListId`), reading unions by the value given. */
function expectedAt(root: JsonSchema, node: JsonSchema, path: (string | number)[], value: unknown): VType {
  const candidates = branchesFor(root, node, value);
  const types = candidates.map((branch) => {
    if (path.length === 0) return typeOfJsonSchema(branch, root);
    const [head, ...rest] = path;
    const inner =
      value && typeof value === 'object' ? (value as Record<string, unknown>)[head as string] : undefined;
    if (branch.type === 'array' && typeof head === 'number' && branch.items)
      return expectedAt(root, branch.items as JsonSchema, rest, inner);
    const props = (branch.properties ?? {}) as Record<string, JsonSchema>;
    const next =
      props[head as string] ??
      (typeof branch.additionalProperties === 'object' ? (branch.additionalProperties as JsonSchema) : null);
    return next ? expectedAt(root, next, rest, inner) : T.unknown();
  });
  const known = types.filter((t) => t.t !== 'unknown');
  if (known.length === 0) return T.unknown();
  return known.every((t) => t.t === known[0]!.t) ? known[0]! : T.unknown();
}

/**
 * A resolved input with piped numbers and yes/no values written as text where the input wants
 * text (the save check allows it: `{{ event.response.npsScore }}` into a Slack field's value).
 */
export function coerceToSchema(root: JsonSchema, node: JsonSchema, value: unknown): unknown {
  const branches = branchesFor(root, node, value);
  if (typeof value === 'number' || typeof value === 'boolean') {
    const kinds = new Set(branches.flatMap((b) => (Array.isArray(b.type) ? b.type : [b.type])));
    const wantsText =
      kinds.has('string') && !kinds.has(typeof value) && !(typeof value === 'number' && kinds.has('integer'));
    return wantsText ? String(value) : value;
  }
  if (Array.isArray(value)) {
    const items = branches.find((b) => b.type === 'array')?.items as JsonSchema | undefined;
    return items ? value.map((v) => coerceToSchema(root, items, v)) : value;
  }
  if (value && typeof value === 'object') {
    const branch = branches.find((b) => b.type === 'object');
    if (!branch) return value;
    const props = (branch.properties ?? {}) as Record<string, JsonSchema>;
    const rest =
      typeof branch.additionalProperties === 'object' ? (branch.additionalProperties as JsonSchema) : null;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        const schema = props[k] ?? rest;
        return [k, schema ? coerceToSchema(root, schema, v) : v];
      }),
    );
  }
  return value;
}

/** A value of the expected kind, put where a piped value is while the rest of the input is checked. */
function placeholder(type: VType): unknown {
  switch (type.t) {
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    case 'string':
      return type.values?.[0] ?? 'x';
    default:
      return 'x';
  }
}

function setAt(target: unknown, path: (string | number)[], value: unknown) {
  let current = target as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) current = current[key] as Record<string | number, unknown>;
  current[path.at(-1)!] = value;
}

const pathText = (path: (string | number)[]) =>
  path.reduce<string>((text, p) => (typeof p === 'number' ? `${text}[${p}]` : text ? `${text}.${p}` : p), '');

export interface TaskScope {
  key: string;
  type: string;
  label: string;
  output: VType;
}

export interface CheckResult {
  problems: Problem[];
  /** The type of `event` (null when the trigger could not be read). */
  eventType: VType | null;
  /** Each task's output type, in order (what later tasks may pipe in). */
  tasks: TaskScope[];
}

/** What the `{a}` menu offers at task `position`: the event's fields and the earlier tasks' outputs. */
export function variablesAt(result: CheckResult, position: number) {
  return {
    event: result.eventType ? variablesOf('event', result.eventType) : [],
    tasks: result.tasks.slice(0, position).map((t) => ({
      key: t.key,
      label: t.label,
      variables: variablesOf(`tasks.${t.key}`, t.output) as Variable[],
    })),
    workflow: variablesOf('workflow', WORKFLOW_TYPE),
    run: variablesOf('run', RUN_TYPE),
  };
}

export const outputTypeOf = (type: string): VType => {
  const t = taskType(type);
  return t ? typeOfJsonSchema(jsonSchemaOf(t.output, 'output')) : T.unknown();
};

export async function checkWorkflow(
  db: Executor,
  directoryId: number,
  def: WorkflowInput,
): Promise<CheckResult> {
  const problems: Problem[] = [];
  const trigger = def.trigger;
  if (trigger.type === 'schedule') {
    const problem = scheduleProblem(trigger.schedule);
    if (problem) problems.push({ path: 'trigger.schedule', message: problem });
  }
  if (trigger.type === 'event') {
    const f = trigger.filter;
    const forResponses = trigger.event.startsWith('response.') || trigger.event === 'distribution.completed';
    if (f.surveyId !== undefined && !forResponses)
      problems.push({
        path: 'trigger.filter.surveyId',
        message: `${trigger.event} events are not about one survey`,
      });
    if (f.salesforceTriggerId !== undefined && trigger.event !== 'salesforce.outbound_message')
      problems.push({
        path: 'trigger.filter.salesforceTriggerId',
        message: 'only for salesforce.outbound_message',
      });
    if (f.field !== undefined && trigger.event !== 'contact.attribute_changed')
      problems.push({ path: 'trigger.filter.field', message: 'only for contact.attribute_changed' });
    if (f.surveyId !== undefined) {
      const survey = await getSurveyRow(db, f.surveyId).catch(() => null);
      if (!survey || survey.directoryId !== directoryId)
        problems.push({
          path: 'trigger.filter.surveyId',
          message: `no survey ${f.surveyId} in this directory`,
        });
    }
  }
  let eventType: VType | null = null;
  if (!problems.some((p) => p.path.startsWith('trigger.filter')))
    eventType = await triggerDataType(db, directoryId, trigger);
  problems.push(...checkConditions(def.conditions, eventType));

  const scopes: TaskScope[] = [];
  const keys = def.tasks.map((t) => t.key);
  for (const [i, entry] of def.tasks.entries()) {
    const at = `tasks[${i}]`;
    const type = taskType(entry.type);
    const say = (field: string, message: string): Problem => ({
      path: field ? `${at}.input.${field}` : at,
      message: `task "${entry.key}"${field ? `, ${field}` : ''}: ${message}`,
    });
    if (keys.indexOf(entry.key) !== i)
      problems.push({ path: `${at}.key`, message: `two tasks are called "${entry.key}"` });
    if (!type) {
      problems.push({ path: `${at}.type`, message: `task "${entry.key}": no task type "${entry.type}"` });
      scopes.push({ key: entry.key, type: entry.type, label: entry.type, output: T.unknown() });
      continue;
    }
    const inputRoot = jsonSchemaOf(type.input, 'input');
    const piped = stringsWithReferences(entry.input);
    const pipedPaths = piped.map((p) => pathText(p.path));
    for (const { path, text } of piped) {
      const field = pathText(path);
      const mode = type.fields?.[String(path[0])]?.mode ?? 'value';
      const whole = mode === 'value' ? wholeReference(text) : null;
      const expected = expectedAt(inputRoot, inputRoot, path, entry.input);
      for (const ref of referencesIn(text)) {
        let found: ReturnType<typeof typeAt>;
        let where: string;
        if (ref.root === 'tasks') {
          const [key, ...rest] = ref.segments;
          if (!key) {
            problems.push(say(field, `{{ ${ref.expression} }}: name a task, as tasks.<key>.<field>`));
            continue;
          }
          const position = keys.indexOf(key);
          if (position === i) {
            problems.push(say(field, `{{ ${ref.expression} }}: a task cannot read its own output`));
            continue;
          }
          if (position > i) {
            problems.push(say(field, `{{ ${ref.expression} }}: task "${key}" runs after this one`));
            continue;
          }
          if (position < 0) {
            problems.push(say(field, `{{ ${ref.expression} }}: there is no task "${key}"`));
            continue;
          }
          found = typeAt(scopes[position]!.output, rest);
          where = `task "${key}"`;
        } else if (ref.root === 'event') {
          if (!eventType) continue;
          found = typeAt(eventType, ref.segments);
          where = 'the event';
        } else {
          found = typeAt(ref.root === 'workflow' ? WORKFLOW_TYPE : RUN_TYPE, ref.segments);
          where = ref.root;
        }
        if ('missing' in found) {
          const inside = found.at.length ? ` (in ${found.at.join('.')})` : '';
          problems.push(
            say(field, `{{ ${ref.expression} }}: ${where} has no field "${found.missing}"${inside}`),
          );
          continue;
        }
        const problem = incompatibility(expected, found.type, whole !== null);
        if (problem) problems.push(say(field, `{{ ${ref.expression} }}: ${problem}`));
      }
    }
    for (const [name, mode] of Object.entries(type.fields ?? {})) {
      const value = entry.input[name];
      if (mode.mode === 'template' && typeof value === 'string') {
        const problem = templateSyntaxProblem(value);
        if (problem) problems.push(say(name, problem));
      }
    }
    // The rest of the input against the type's schema, piped fields standing in with a value of their kind.
    const stand = structuredClone(entry.input);
    for (const { path } of piped) {
      const whole = typeof path[0] === 'string' && (type.fields?.[path[0]]?.mode ?? 'value') === 'value';
      const text = (() => {
        let v: unknown = entry.input;
        for (const p of path) v = (v as Record<string | number, unknown>)[p];
        return v as string;
      })();
      setAt(
        stand,
        path,
        whole && wholeReference(text)
          ? placeholder(expectedAt(inputRoot, inputRoot, path, entry.input))
          : text.replace(/\{\{[^}]*\}\}/g, 'x'),
      );
    }
    const parsed = type.input.safeParse(stand);
    if (!parsed.success)
      for (const issue of parsed.error.issues) {
        const field = pathText(issue.path as (string | number)[]);
        if (pipedPaths.some((p) => field === p || field.startsWith(`${p}.`) || field.startsWith(`${p}[`)))
          continue;
        problems.push(say(field, issue.message));
      }
    if (type.check) {
      try {
        for (const p of await type.check(db, directoryId, entry.input)) problems.push(say(p.path, p.message));
      } catch (error) {
        problems.push(say('', (error as Error).message));
      }
    }
    const retry = entry.retry ?? type.retry ?? DEFAULT_TASK_RETRY;
    if (retry.limit > 10) problems.push({ path: `${at}.retry.limit`, message: 'at most 10 retries' });
    scopes.push({
      key: entry.key,
      type: entry.type,
      label: entry.name || type.label,
      output: typeOfJsonSchema(jsonSchemaOf(type.output, 'output')),
    });
  }
  return { problems, eventType, tasks: scopes };
}
