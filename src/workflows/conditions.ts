import { type ConditionGroup, type ConditionRule, isGroup, type Problem } from './model.ts';
import { parsePath, valueAt } from './piping.ts';
import { describeType, typeAt, type VType } from './types.ts';

/**
 * Conditions on the trigger's data ("NPS ≤ 6 and role = DECISION_MAKER"): evaluated when an event
 * arrives (no run is started when they do not hold), checked against the event's type when the
 * workflow is saved.
 */

const fieldPath = (field: string) => {
  const segments = parsePath(field.trim());
  return segments[0] === 'event' ? segments.slice(1) : segments;
};

const isEmpty = (v: unknown) =>
  v === null ||
  v === undefined ||
  (typeof v === 'string' && v.trim() === '') ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);

const numeric = (v: unknown): number | null => {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
};
const ISO = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Equal as people mean it: 6 and "6" are, "Decision_Maker" and "DECISION_MAKER" are. */
function same(a: unknown, b: unknown): boolean {
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== null && nb !== null) return na === nb;
  if (typeof a === 'string' && typeof b === 'string')
    return a.trim().toLowerCase() === b.trim().toLowerCase();
  if (typeof a === 'boolean' || typeof b === 'boolean')
    return String(a).toLowerCase() === String(b).toLowerCase();
  return JSON.stringify(a) === JSON.stringify(b);
}

function compare(a: unknown, b: unknown): number | null {
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== null && nb !== null) return na - nb;
  if (typeof a === 'string' && typeof b === 'string') {
    if (ISO.test(a) && ISO.test(b)) return new Date(a).getTime() - new Date(b).getTime();
    return a.localeCompare(b);
  }
  return null;
}

function ruleHolds(rule: ConditionRule, data: unknown): boolean {
  const actual = valueAt(data, fieldPath(rule.field));
  const expected = rule.value;
  switch (rule.op) {
    case 'is_empty':
      return isEmpty(actual);
    case 'is_not_empty':
      return !isEmpty(actual);
    case 'eq':
      return Array.isArray(actual) ? actual.some((a) => same(a, expected)) : same(actual, expected);
    case 'neq':
      return Array.isArray(actual) ? !actual.some((a) => same(a, expected)) : !same(actual, expected);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (isEmpty(actual)) return false;
      const c = compare(actual, expected);
      if (c === null) return false;
      return rule.op === 'gt' ? c > 0 : rule.op === 'gte' ? c >= 0 : rule.op === 'lt' ? c < 0 : c <= 0;
    }
    case 'contains':
    case 'not_contains': {
      const has = Array.isArray(actual)
        ? actual.some((a) => same(a, expected))
        : typeof actual === 'string' && typeof expected !== 'object'
          ? actual.toLowerCase().includes(String(expected ?? '').toLowerCase())
          : false;
      return rule.op === 'contains' ? has : !has;
    }
    case 'in':
    case 'not_in': {
      const list = Array.isArray(expected) ? expected : [expected];
      const has = Array.isArray(actual)
        ? actual.some((a) => list.some((e) => same(a, e)))
        : list.some((e) => same(actual, e));
      return rule.op === 'in' ? has : !has;
    }
  }
}

export function conditionsHold(group: ConditionGroup | null | undefined, data: unknown): boolean {
  if (!group || group.rules.length === 0) return true;
  const results = group.rules.map((rule) =>
    isGroup(rule) ? conditionsHold(rule, data) : ruleHolds(rule, data),
  );
  return group.match === 'all' ? results.every(Boolean) : results.some(Boolean);
}

/** Problems of the conditions against the type of the trigger's data (null: the trigger has no data). */
export function checkConditions(
  group: ConditionGroup | null | undefined,
  eventType: VType | null,
  path = 'conditions',
): Problem[] {
  if (!group) return [];
  const problems: Problem[] = [];
  group.rules.forEach((rule, i) => {
    const at = `${path}.rules[${i}]`;
    if (isGroup(rule)) {
      problems.push(...checkConditions(rule, eventType, at));
      return;
    }
    if (!eventType) {
      problems.push({
        path: at,
        message: 'conditions read the event that starts the workflow: this trigger has none',
      });
      return;
    }
    const segments = fieldPath(rule.field);
    const found = typeAt(eventType, segments);
    if ('missing' in found) {
      const where = found.at.length ? `event.${found.at.join('.')}` : 'the event';
      problems.push({ path: `${at}.field`, message: `${where} has no field "${found.missing}"` });
      return;
    }
    const type = found.type;
    const needsValue = rule.op !== 'is_empty' && rule.op !== 'is_not_empty';
    if (needsValue && rule.value === undefined) {
      problems.push({ path: `${at}.value`, message: 'give the value to compare with' });
      return;
    }
    if ((rule.op === 'in' || rule.op === 'not_in') && !Array.isArray(rule.value)) {
      problems.push({ path: `${at}.value`, message: 'expected a list of values' });
      return;
    }
    if (['gt', 'gte', 'lt', 'lte'].includes(rule.op)) {
      if (type.t === 'boolean' || type.t === 'object' || type.t === 'array')
        problems.push({
          path: `${at}.op`,
          message: `${rule.field} is ${describeType(type)}: it cannot be ordered`,
        });
      else if (type.t === 'number' && numeric(rule.value) === null)
        problems.push({
          path: `${at}.value`,
          message: `${rule.field} is a number: compare it with a number`,
        });
    }
    if (
      (rule.op === 'contains' || rule.op === 'not_contains') &&
      type.t !== 'string' &&
      type.t !== 'array' &&
      type.t !== 'unknown'
    )
      problems.push({
        path: `${at}.op`,
        message: `${rule.field} is ${describeType(type)}: "contains" applies to text and lists`,
      });
    if (
      type.t === 'string' &&
      type.values?.length &&
      needsValue &&
      !['contains', 'not_contains'].includes(rule.op)
    ) {
      const given = Array.isArray(rule.value) ? rule.value : [rule.value];
      const unknown = given.filter((v) => !type.values!.some((allowed) => same(allowed, v)));
      if (unknown.length)
        problems.push({
          path: `${at}.value`,
          message: `${rule.field} is one of ${type.values.join(', ')}: ${unknown.map((u) => JSON.stringify(u)).join(', ')} is not`,
        });
    }
    if (type.t === 'number' && needsValue && ['eq', 'neq'].includes(rule.op) && numeric(rule.value) === null)
      problems.push({ path: `${at}.value`, message: `${rule.field} is a number: compare it with a number` });
  });
  return problems;
}
