import { z } from 'zod';
import { CLIENT_ROLES, type ClientRole, TEAM_ROLES, type TeamRole } from '../directory/roles.ts';

/**
 * The rule language of segments: a tree of groups (`{ all: [...] }`, `{ any: [...] }`,
 * `{ not: … }`) over conditions (`{ type: …, … }`). A contact segment's tree holds contact
 * conditions, an account segment's account conditions; each may reach the other entity through
 * `account` (a contact's accounts) and `contacts` (an account's contacts).
 *
 * This file checks the shape only (Zod). Whether a value suits its attribute's declared type,
 * whether a survey or list belongs to the directory: compile.ts checks that against the data.
 */

export const SEGMENT_ENTITIES = ['contact', 'account'] as const;
export type SegmentEntity = (typeof SEGMENT_ENTITIES)[number];

export const OPERATORS = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'in',
  'not_in',
  'contains',
  'starts_with',
  'ends_with',
  'is_empty',
  'is_not_empty',
  'within_last_days',
  'within_next_days',
  'more_than_days_ago',
] as const;
export type Operator = (typeof OPERATORS)[number];

/** The kinds of value a field or attribute holds; the operators each accepts. */
export type ValueKind = 'string' | 'enum' | 'number' | 'date' | 'boolean';
export const OPERATORS_BY_KIND: Record<ValueKind, readonly Operator[]> = {
  string: ['eq', 'neq', 'in', 'not_in', 'contains', 'starts_with', 'ends_with', 'is_empty', 'is_not_empty'],
  enum: ['eq', 'neq', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  number: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  date: [
    'eq',
    'neq',
    'gt',
    'gte',
    'lt',
    'lte',
    'between',
    'within_last_days',
    'within_next_days',
    'more_than_days_ago',
    'is_empty',
    'is_not_empty',
  ],
  boolean: ['eq', 'neq', 'is_empty', 'is_not_empty'],
};

/** Contact columns a condition may name, with their kind (`column` is the contacts column). */
export const CONTACT_FIELDS = {
  email: { column: 'email', kind: 'string' },
  firstName: { column: 'first_name', kind: 'string' },
  lastName: { column: 'last_name', kind: 'string' },
  language: { column: 'language', kind: 'string' },
  externalRef: { column: 'external_ref', kind: 'string' },
  title: { column: 'title', kind: 'string' },
  phone: { column: 'phone', kind: 'string' },
  mobilePhone: { column: 'mobile_phone', kind: 'string' },
  emailOptOut: { column: 'email_opt_out', kind: 'boolean' },
  smsOptOut: { column: 'sms_opt_out', kind: 'boolean' },
  doNotCall: { column: 'do_not_call', kind: 'boolean' },
  faxOptOut: { column: 'fax_opt_out', kind: 'boolean' },
  emailBounced: { column: 'email_bounced', kind: 'boolean' },
  consent: { column: 'consent', kind: 'boolean' },
  createdAt: { column: 'created_at', kind: 'date' },
  updatedAt: { column: 'updated_at', kind: 'date' },
} as const satisfies Record<string, { column: string; kind: ValueKind }>;
export type ContactField = keyof typeof CONTACT_FIELDS;

export const ACCOUNT_FIELDS = {
  displayName: { column: 'display_name', kind: 'string' },
  externalRef: { column: 'external_ref', kind: 'string' },
  createdAt: { column: 'created_at', kind: 'date' },
  updatedAt: { column: 'updated_at', kind: 'date' },
} as const satisfies Record<string, { column: string; kind: ValueKind }>;
export type AccountField = keyof typeof ACCOUNT_FIELDS;

/** Fields whose changes attribute_history records (the names it uses), with their kind. */
export const CONTACT_HISTORY_FIELDS = {
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
} as const satisfies Record<string, ValueKind>;
export const ACCOUNT_HISTORY_FIELDS = {
  displayName: 'string',
  parentExternalRef: 'string',
} as const satisfies Record<string, ValueKind>;

export const NPS_CATEGORIES = ['detractor', 'passive', 'promoter'] as const;
export type NpsCategory = (typeof NPS_CATEGORIES)[number];

export type Scalar = string | number | boolean;
export type Value = Scalar | Scalar[];

/** A comparison: `value` is a list for in/not_in, [low, high] for between, days for the *_days ops. */
export interface Comparison {
  op: Operator;
  value?: Value | undefined;
}

export type Group<C> = { all: Rule<C>[] } | { any: Rule<C>[] } | { not: Rule<C> };
export type Rule<C> = Group<C> | C;

interface ResponseScope {
  /** One survey of the directory; none = any survey. */
  surveyId?: number | undefined;
  /** Only responses completed in the last N days; none = ever. */
  withinDays?: number | undefined;
}

export type ContactCondition =
  | ({ type: 'field'; field: ContactField } & Comparison)
  | ({ type: 'attribute'; name: string } & Comparison)
  /** Holds a client role (one of `roles`, or any) in an account (matching `where`, or any). */
  | { type: 'account'; roles?: ClientRole[] | undefined; where?: AccountRule | undefined }
  | { type: 'mailingList'; mailingListId: number }
  /** Completed a response (to the survey, or any) within the window. */
  | ({ type: 'responded' } & ResponseScope)
  /** No completed response (to the survey, or any) in the last `withinDays` days. */
  | { type: 'noResponse'; surveyId?: number | undefined; withinDays: number }
  /** Sent an invitation within the window and has not completed that invitation's survey link. */
  | ({ type: 'invitedNoResponse' } & ResponseScope)
  /** The contact's latest NPS answer within the window is in one of these categories. */
  | ({ type: 'npsCategory'; categories: NpsCategory[] } & ResponseScope)
  /** The contact's latest NPS score (0–10) within the window compares so. */
  | ({ type: 'npsScore' } & Comparison & ResponseScope)
  /** The contact's latest CSAT score within the window compares so. */
  | ({ type: 'csatScore' } & Comparison & ResponseScope)
  /** A field or attribute changed (attribute_history): within the window, from and/or to a value. */
  | ({ type: 'changed' } & ChangeCondition);

export type AccountCondition =
  | ({ type: 'field'; field: AccountField } & Comparison)
  | ({ type: 'attribute'; name: string } & Comparison)
  /** No live parent: the top of a hierarchy. */
  | { type: 'root' }
  /** In the subtree under the account (the account itself only with includeSelf). */
  | { type: 'descendantOf'; accountId: number; includeSelf: boolean }
  /** Depth in the hierarchy: 0 for a root, 1 for its children … */
  | ({ type: 'depth' } & Comparison)
  /** Has a team member with this email and/or this team role (neither: any team member). */
  | { type: 'team'; email?: string | undefined; role?: TeamRole | undefined }
  /** NPS (% promoters − % detractors) of its contacts' latest answers within the window. */
  | ({
      type: 'nps';
      minResponses: number;
      includeDescendants: boolean;
    } & Comparison &
      ResponseScope)
  /** At least `min` of its contacts (holding one of `roles`, or any role) match `where`. */
  | { type: 'contacts'; roles?: ClientRole[] | undefined; where?: ContactRule | undefined; min: number }
  | ({ type: 'changed' } & ChangeCondition);

export interface ChangeCondition {
  /** A directory field (its attribute_history name) … */
  field?: string | undefined;
  /** … or a custom attribute (case-insensitive). */
  attribute?: string | undefined;
  withinDays?: number | undefined;
  /** The value before the change (null: it was empty). */
  from?: Scalar | null | undefined;
  /** The value after the change (null: it became empty). */
  to?: Scalar | null | undefined;
}

export type ContactRule = Rule<ContactCondition>;
export type AccountRule = Rule<AccountCondition>;
export type AnyCondition = ContactCondition | AccountCondition;

// ---------------------------------------------------------------- Zod

const ZScalar = z.union([z.string().max(1000), z.number(), z.boolean()]);
const ZValue = z.union([ZScalar, z.array(ZScalar).max(1000)]);
const ZOp = z.enum(OPERATORS);
const ZDays = z.number().int().min(1).max(36_500);
const ZId = z.number().int().positive();
const ZRoles = z.array(z.enum(CLIENT_ROLES)).min(1).max(CLIENT_ROLES.length);
const comparison = { op: ZOp, value: ZValue.optional() };
const responseScope = { surveyId: ZId.optional(), withinDays: ZDays.optional() };
const change = {
  field: z.string().min(1).max(200).optional(),
  attribute: z.string().trim().min(1).max(200).optional(),
  withinDays: ZDays.optional(),
  from: ZScalar.nullable().optional(),
  to: ZScalar.nullable().optional(),
};

const contactConditions = () =>
  z.discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('field'),
      field: z.enum(Object.keys(CONTACT_FIELDS) as [ContactField, ...ContactField[]]),
      ...comparison,
    }),
    z.strictObject({ type: z.literal('attribute'), name: z.string().trim().min(1).max(200), ...comparison }),
    z.strictObject({
      type: z.literal('account'),
      roles: ZRoles.optional(),
      where: ZAccountRule.optional(),
    }),
    z.strictObject({ type: z.literal('mailingList'), mailingListId: ZId }),
    z.strictObject({ type: z.literal('responded'), ...responseScope }),
    z.strictObject({ type: z.literal('noResponse'), surveyId: ZId.optional(), withinDays: ZDays }),
    z.strictObject({ type: z.literal('invitedNoResponse'), ...responseScope }),
    z.strictObject({
      type: z.literal('npsCategory'),
      categories: z.array(z.enum(NPS_CATEGORIES)).min(1).max(3),
      ...responseScope,
    }),
    z.strictObject({ type: z.literal('npsScore'), ...comparison, ...responseScope }),
    z.strictObject({ type: z.literal('csatScore'), ...comparison, ...responseScope }),
    z.strictObject({ type: z.literal('changed'), ...change }),
  ]);

const accountConditions = () =>
  z.discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('field'),
      field: z.enum(Object.keys(ACCOUNT_FIELDS) as [AccountField, ...AccountField[]]),
      ...comparison,
    }),
    z.strictObject({ type: z.literal('attribute'), name: z.string().trim().min(1).max(200), ...comparison }),
    z.strictObject({ type: z.literal('root') }),
    z.strictObject({
      type: z.literal('descendantOf'),
      accountId: ZId,
      includeSelf: z.boolean().default(false),
    }),
    z.strictObject({ type: z.literal('depth'), ...comparison }),
    z.strictObject({
      type: z.literal('team'),
      email: z.string().trim().toLowerCase().min(3).max(320).optional(),
      role: z.enum(TEAM_ROLES).optional(),
    }),
    z.strictObject({
      type: z.literal('nps'),
      ...comparison,
      ...responseScope,
      minResponses: z.number().int().min(1).max(100_000).default(1),
      includeDescendants: z.boolean().default(false),
    }),
    z.strictObject({
      type: z.literal('contacts'),
      roles: ZRoles.optional(),
      where: ZContactRule.optional(),
      min: z.number().int().min(1).max(100_000).default(1),
    }),
    z.strictObject({ type: z.literal('changed'), ...change }),
  ]);

type Issue = { path: PropertyKey[]; message: string };

/** How deep groups may nest: plenty for people, a bound for the compiler's recursion. */
export const MAX_DEPTH = 12;

/**
 * A rule tree parsed by hand at the group level (so that errors name the exact path, which a Zod
 * union of groups and conditions cannot) and by a discriminated union at each condition.
 */
function parseTree<C>(
  input: unknown,
  conditions: () => z.ZodType<C>,
  path: PropertyKey[],
  depth: number,
  issues: Issue[],
): Rule<C> | undefined {
  if (depth > MAX_DEPTH) {
    issues.push({ path, message: `groups nest at most ${MAX_DEPTH} deep` });
    return undefined;
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    issues.push({ path, message: 'expected a group ({ all | any | not }) or a condition ({ type, … })' });
    return undefined;
  }
  const keys = Object.keys(input);
  const group = keys.find((k) => k === 'all' || k === 'any' || k === 'not');
  if (group) {
    if (keys.length !== 1) {
      issues.push({ path, message: `a group has one key (${group}), found: ${keys.join(', ')}` });
      return undefined;
    }
    const value = (input as Record<string, unknown>)[group];
    if (group === 'not') {
      const inner = parseTree(value, conditions, [...path, 'not'], depth + 1, issues);
      return inner === undefined ? undefined : { not: inner };
    }
    if (!Array.isArray(value)) {
      issues.push({ path: [...path, group], message: 'expected a list of rules' });
      return undefined;
    }
    if (value.length > 200) {
      issues.push({ path: [...path, group], message: 'at most 200 rules in a group' });
      return undefined;
    }
    const items = value.map((item, i) => parseTree(item, conditions, [...path, group, i], depth + 1, issues));
    return (group === 'all' ? { all: items } : { any: items }) as Rule<C>;
  }
  const parsed = conditions().safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      issues.push({ path: [...path, ...issue.path], message: issue.message });
    return undefined;
  }
  return parsed.data;
}

const treeSchema = <C>(conditions: () => z.ZodType<C>) =>
  z.unknown().transform((input, ctx): Rule<C> => {
    const issues: Issue[] = [];
    const rule = parseTree(input, conditions, [], 0, issues);
    for (const issue of issues)
      ctx.issues.push({
        code: 'custom',
        input,
        path: issue.path as (string | number)[],
        message: issue.message,
      });
    return issues.length ? z.NEVER : rule!;
  });

export const ZContactRule: z.ZodType<ContactRule, unknown> = treeSchema<ContactCondition>(
  () => contactConditions() as unknown as z.ZodType<ContactCondition>,
);
export const ZAccountRule: z.ZodType<AccountRule, unknown> = treeSchema<AccountCondition>(
  () => accountConditions() as unknown as z.ZodType<AccountCondition>,
);

/** Rules of a segment of either entity; the entity says which language the tree speaks. */
/** Nesting of the raw JSON, counted without recursion: a bound before any parsing recurses. */
function jsonDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_JSON_DEPTH) return deepest;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}
const MAX_JSON_DEPTH = 60;

export const ZSegmentDefinition = z
  .object({ entity: z.enum(SEGMENT_ENTITIES), rules: z.unknown() })
  .transform((input, ctx) => {
    if (jsonDepth(input.rules) > MAX_JSON_DEPTH) {
      ctx.issues.push({
        code: 'custom',
        input: input.rules,
        path: ['rules'],
        message: 'the rules nest too deep',
      });
      return z.NEVER;
    }
    const parsed = (input.entity === 'contact' ? ZContactRule : ZAccountRule).safeParse(input.rules);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        ctx.issues.push({
          code: 'custom',
          input: input.rules,
          path: ['rules', ...(issue.path as (string | number)[])],
          message: issue.message,
        });
      return z.NEVER;
    }
    return input.entity === 'contact'
      ? { entity: 'contact' as const, rules: parsed.data as ContactRule }
      : { entity: 'account' as const, rules: parsed.data as AccountRule };
  });
export type SegmentDefinition = z.output<typeof ZSegmentDefinition>;

/** A rule path as people read it: rules.all[2].value. */
export const pathText = (path: PropertyKey[]) =>
  path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');

export const isGroup = <C>(rule: Rule<C>): rule is Group<C> =>
  typeof rule === 'object' && rule !== null && ('all' in rule || 'any' in rule || 'not' in rule);
