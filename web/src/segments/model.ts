import type { AttributeDefinition } from '../api/types.ts';

/**
 * Segments in the UI: the API's rule tree (src/segments/rules.ts) edited through a friendlier
 * tree (groups with all/any and a negate flag, conditions with a negate flag), converted both
 * ways. The condition objects themselves stay in the API's shape.
 */

export type Entity = 'contact' | 'account';

export interface Segment {
  id: number;
  directoryId: number;
  name: string;
  entity: Entity;
  rules: unknown;
  count: number | null;
  problems: Problem[];
  createdBy: string;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface Problem {
  path: string;
  message: string;
}

export interface Member {
  id: number;
  name: string | null;
  externalRef: string | null;
  email?: string | null;
  accountId?: number | null;
  accountName?: string | null;
  parentId?: number | null;
  parentName?: string | null;
}

export interface Preview {
  entity: Entity;
  count: number;
  sample: Member[];
}

export type Condition = Record<string, unknown> & { type: string };

export type UiNode =
  | { kind: 'group'; id: string; match: 'all' | 'any'; negate: boolean; items: UiNode[] }
  /** `where`: the nested rules of an `account` or `contacts` condition, edited as a tree of their own. */
  | { kind: 'condition'; id: string; negate: boolean; condition: Condition; where?: UiNode | undefined };

let counter = 0;
export const newId = () => `n${++counter}`;

export const emptyGroup = (): UiNode => ({
  kind: 'group',
  id: newId(),
  match: 'all',
  negate: false,
  items: [],
});

export function toApi(node: UiNode): unknown {
  let inner: unknown;
  if (node.kind === 'group') inner = { [node.match]: node.items.map(toApi) };
  else {
    const { where: _, ...condition } = node.condition;
    const nested =
      node.where && (node.where.negate || (node.where.kind === 'group' && node.where.items.length > 0));
    inner = nested ? { ...condition, where: toApi(node.where!) } : condition;
  }
  return node.negate ? { not: inner } : inner;
}

/** The API's tree as UI nodes (`not` becomes a flag; a double `not` cancels out). */
export function fromApi(rule: unknown, negate = false): UiNode {
  if (rule && typeof rule === 'object' && !Array.isArray(rule)) {
    const r = rule as Record<string, unknown>;
    if ('not' in r) return fromApi(r.not, !negate);
    if (Array.isArray(r.all) || Array.isArray(r.any)) {
      const match = Array.isArray(r.all) ? 'all' : 'any';
      const items = (r[match] as unknown[]).map((item) => fromApi(item));
      return { kind: 'group', id: newId(), match, negate, items };
    }
    if (typeof r.type === 'string') {
      const { where, ...condition } = r;
      return {
        kind: 'condition',
        id: newId(),
        negate,
        condition: condition as Condition,
        ...(where !== undefined ? { where: rootFromApi(where) } : {}),
      };
    }
  }
  return { ...emptyGroup(), negate };
}

/** The root is always a group in the editor. */
export function rootFromApi(rule: unknown): UiNode {
  const node = fromApi(rule);
  return node.kind === 'group'
    ? node
    : { kind: 'group', id: newId(), match: 'all', negate: false, items: [node] };
}

export type ValueKind = 'string' | 'enum' | 'number' | 'date' | 'boolean';

export const OPERATORS_BY_KIND: Record<ValueKind, string[]> = {
  string: ['eq', 'neq', 'in', 'not_in', 'contains', 'starts_with', 'ends_with', 'is_empty', 'is_not_empty'],
  enum: ['eq', 'neq', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  number: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  date: [
    'within_last_days',
    'within_next_days',
    'more_than_days_ago',
    'eq',
    'neq',
    'gt',
    'gte',
    'lt',
    'lte',
    'between',
    'is_empty',
    'is_not_empty',
  ],
  boolean: ['eq', 'neq', 'is_empty', 'is_not_empty'],
};
export const SCORE_OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'in', 'not_in'];

export const CONTACT_FIELDS: Record<string, ValueKind> = {
  email: 'string',
  firstName: 'string',
  lastName: 'string',
  language: 'string',
  externalRef: 'string',
  title: 'string',
  phone: 'string',
  mobilePhone: 'string',
  emailOptOut: 'boolean',
  smsOptOut: 'boolean',
  doNotCall: 'boolean',
  faxOptOut: 'boolean',
  emailBounced: 'boolean',
  consent: 'boolean',
  createdAt: 'date',
  updatedAt: 'date',
};
export const ACCOUNT_FIELDS: Record<string, ValueKind> = {
  displayName: 'string',
  externalRef: 'string',
  createdAt: 'date',
  updatedAt: 'date',
};
export const CONTACT_HISTORY_FIELDS: Record<string, ValueKind> = {
  firstName: 'string',
  lastName: 'string',
  email: 'string',
  phone: 'string',
  mobilePhone: 'string',
  language: 'string',
  title: 'string',
  externalRef: 'string',
  emailOptOut: 'boolean',
  smsOptOut: 'boolean',
  doNotCall: 'boolean',
  faxOptOut: 'boolean',
  emailBouncedReason: 'string',
  consent: 'boolean',
};
export const ACCOUNT_HISTORY_FIELDS: Record<string, ValueKind> = {
  displayName: 'string',
  parentExternalRef: 'string',
};

export const CONTACT_CONDITIONS = [
  'account',
  'mailingList',
  'responded',
  'noResponse',
  'invitedNoResponse',
  'npsCategory',
  'npsScore',
  'csatScore',
  'changed',
] as const;
export const ACCOUNT_CONDITIONS = [
  'root',
  'descendantOf',
  'depth',
  'team',
  'nps',
  'contacts',
  'changed',
] as const;
export const NPS_CATEGORIES = ['detractor', 'passive', 'promoter'] as const;

export const KIND_OF_TYPE: Record<AttributeDefinition['type'], ValueKind> = {
  integer: 'number',
  decimal: 'number',
  string: 'string',
  enum: 'enum',
  datetime: 'date',
  boolean: 'boolean',
};

/** What a field or attribute condition compares, for its operator and value inputs. */
export function subjectOf(
  entity: Entity,
  condition: Condition,
  attributes: AttributeDefinition[],
): { kind: ValueKind; enumValues: string[] | null } | null {
  if (condition.type === 'field') {
    const kind = (entity === 'contact' ? CONTACT_FIELDS : ACCOUNT_FIELDS)[String(condition.field)];
    return kind ? { kind, enumValues: null } : null;
  }
  if (condition.type === 'attribute') {
    const def = attributes.find(
      (a) => a.entity === entity && a.name.toLowerCase() === String(condition.name).toLowerCase(),
    );
    return def ? { kind: KIND_OF_TYPE[def.type], enumValues: def.enumValues } : null;
  }
  return null;
}

/** A new condition of a type, with sensible defaults (an operator that suits its kind …). */
export function newCondition(entity: Entity, what: string, attributes: AttributeDefinition[]): Condition {
  const [type, name] = what.split(':', 2) as [string, string | undefined];
  if (type === 'field') {
    const kind = (entity === 'contact' ? CONTACT_FIELDS : ACCOUNT_FIELDS)[name!] ?? 'string';
    return { type, field: name, op: defaultOp(kind), ...initialValue(kind) };
  }
  if (type === 'attribute') {
    const def = attributes.find((a) => a.entity === entity && a.name === name);
    const kind = def ? KIND_OF_TYPE[def.type] : 'string';
    return { type, name, op: defaultOp(kind), ...initialValue(kind) };
  }
  switch (type) {
    case 'account':
      return { type };
    case 'noResponse':
      return { type, withinDays: 90 };
    case 'responded':
    case 'invitedNoResponse':
      return { type, withinDays: 30 };
    case 'npsCategory':
      return { type, categories: ['detractor'], withinDays: 90 };
    case 'npsScore':
    case 'csatScore':
      return { type, op: 'lte', value: 6, withinDays: 90 };
    case 'nps':
      return { type, op: 'lt', value: 0, withinDays: 90 };
    case 'depth':
      return { type, op: 'eq', value: 0 };
    case 'contacts':
      return { type, min: 1 };
    case 'changed':
      return { type, withinDays: 30 };
    default:
      return { type };
  }
}

const initialValue = (kind: ValueKind) =>
  kind === 'boolean' ? { value: true } : kind === 'date' ? { value: 30 } : {};

const defaultOp = (kind: ValueKind) =>
  kind === 'date' ? 'within_last_days' : kind === 'boolean' ? 'eq' : kind === 'number' ? 'gte' : 'eq';

/** The picker value naming a condition's "what" (field:email, attribute:ARR, responded …). */
export function whatOf(condition: Condition): string {
  if (condition.type === 'field') return `field:${String(condition.field)}`;
  if (condition.type === 'attribute') return `attribute:${String(condition.name)}`;
  return condition.type;
}

export const needsNoValue = (op: unknown) => op === 'is_empty' || op === 'is_not_empty';
export const isDaysOp = (op: unknown) =>
  op === 'within_last_days' || op === 'within_next_days' || op === 'more_than_days_ago';
