import type { AttributeType } from '../../directory/roles.ts';
import {
  type AttributeMapping,
  COMPOUND_FIELDS,
  compoundFieldMessage,
  type ImportObject,
  type Mapping,
  TARGET_FIELDS,
} from '../mapping.ts';

/** Which column of one file feeds which directory field or attribute. */
export interface ColumnPlan {
  object: ImportObject;
  columns: string[];
  /** Target field → column index. */
  fields: Partial<Record<string, number>>;
  attributes: { name: string; type: AttributeType; values: string[] | null; column: number }[];
  /** Header columns nothing reads (reported once as a warning, so typos are noticed). */
  unused: string[];
}

export interface PlanProblem {
  field: string | null;
  reason: string;
}

/** Matches the header against the mapping (case-insensitively); problems are whole-file errors. */
export function planColumns(
  object: ImportObject,
  columns: string[],
  mapping: Mapping,
): { plan: ColumnPlan; problems: PlanProblem[] } {
  const byName = new Map<string, number>();
  columns.forEach((name, i) => {
    if (!byName.has(name.toLowerCase())) byName.set(name.toLowerCase(), i);
  });
  const problems: PlanProblem[] = [];
  const seenTwice = columns.filter(
    (c, i) => columns.findIndex((d) => d.toLowerCase() === c.toLowerCase()) !== i,
  );
  for (const name of new Set(seenTwice))
    problems.push({ field: name, reason: `the column "${name}" appears twice in the header` });
  for (const name of columns) {
    if (COMPOUND_FIELDS.includes(name)) problems.push({ field: name, reason: compoundFieldMessage(name) });
  }

  const objectMapping = mapping[object];
  const used = new Set<number>();
  const fields: ColumnPlan['fields'] = {};
  const targets = TARGET_FIELDS[object] as Record<string, { required: boolean }>;
  for (const [target, spec] of Object.entries(targets)) {
    const sources = (objectMapping.fields as Record<string, string[] | undefined>)[target] ?? [];
    const index = sources.map((s) => byName.get(s.toLowerCase())).find((i) => i !== undefined);
    if (index !== undefined) {
      fields[target] = index;
      used.add(index);
    } else if (spec.required) {
      problems.push({
        field: target,
        reason: sources.length
          ? `no column for ${target}: expected ${sources.map((s) => `"${s}"`).join(' or ')}`
          : `${target} is required but the mapping gives it no source column`,
      });
    }
  }
  if (object === 'contacts' && fields.externalRef === undefined && fields.email === undefined) {
    problems.push({
      field: 'externalRef',
      reason: 'contacts need an external reference (Id) or an email column to be matched',
    });
  }

  const attributes: ColumnPlan['attributes'] = [];
  const mapped = (a: AttributeMapping) => {
    const index = byName.get(a.source.toLowerCase());
    if (index === undefined) return;
    attributes.push({ name: a.name, type: a.type, values: a.values ?? null, column: index });
    used.add(index);
  };
  objectMapping.attributes.forEach(mapped);
  if (objectMapping.unmappedCustomFields === 'string-attribute') {
    const named = new Set(attributes.map((a) => a.name.toLowerCase()));
    columns.forEach((name, i) => {
      if (!used.has(i) && /__c$/i.test(name) && !named.has(name.toLowerCase())) {
        attributes.push({ name, type: 'string', values: null, column: i });
        used.add(i);
      }
    });
  }
  const unused = columns.filter((_, i) => !used.has(i));
  return { plan: { object, columns, fields, attributes, unused }, problems };
}
