import { z } from 'zod';

/**
 * The types of piped values, as the editor and the save-time check see them: what an event's data
 * holds (built from the survey's questions and the directory's attributes), what each task's
 * output holds (from its Zod schema), and what each task input field expects.
 */
export type VType =
  | { t: 'string'; nullable?: boolean; values?: string[] }
  | { t: 'number'; nullable?: boolean; integer?: boolean }
  | { t: 'boolean'; nullable?: boolean }
  | { t: 'array'; of: VType; nullable?: boolean }
  | {
      t: 'object';
      fields: Record<string, VType>;
      /** Keys not listed are allowed, with this type (a record, embedded data). */
      rest?: VType;
      nullable?: boolean;
    }
  | { t: 'unknown' };

export const T = {
  string: (values?: string[]): VType => (values ? { t: 'string', values } : { t: 'string' }),
  number: (): VType => ({ t: 'number' }),
  integer: (): VType => ({ t: 'number', integer: true }),
  boolean: (): VType => ({ t: 'boolean' }),
  unknown: (): VType => ({ t: 'unknown' }),
  array: (of: VType): VType => ({ t: 'array', of }),
  object: (fields: Record<string, VType>, rest?: VType): VType =>
    rest ? { t: 'object', fields, rest } : { t: 'object', fields },
  record: (rest: VType): VType => ({ t: 'object', fields: {}, rest }),
  nullable: (type: VType): VType => (type.t === 'unknown' ? type : { ...type, nullable: true }),
};

export function describeType(type: VType): string {
  const base = (() => {
    switch (type.t) {
      case 'array':
        return `list of ${describeType(type.of)}`;
      case 'object':
        return 'object';
      case 'number':
        return type.integer ? 'whole number' : 'number';
      default:
        return type.t;
    }
  })();
  return 'nullable' in type && type.nullable ? `${base} or null` : base;
}

type JsonSchema = Record<string, unknown>;

/** A Zod schema's JSON Schema (output side: what a value holds after parsing). */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
}

function deref(root: JsonSchema, node: JsonSchema): JsonSchema {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  const name = ref.replace(/^#\/(\$defs|definitions)\//, '');
  const defs = (root.$defs ?? root.definitions ?? {}) as Record<string, JsonSchema>;
  return defs[name] ?? {};
}

/** A JSON Schema (as Zod writes it) as a value type. */
export function typeOfJsonSchema(node: JsonSchema, root: JsonSchema = node, depth = 0): VType {
  if (depth > 12) return T.unknown();
  const n = deref(root, node);
  const branches = (n.anyOf ?? n.oneOf) as JsonSchema[] | undefined;
  if (branches) {
    const nonNull = branches.filter((b) => deref(root, b).type !== 'null');
    const nullable = nonNull.length < branches.length;
    const types = nonNull.map((b) => typeOfJsonSchema(b, root, depth + 1));
    const merged = mergeTypes(types);
    return nullable ? T.nullable(merged) : merged;
  }
  let type = n.type;
  let nullable = false;
  if (Array.isArray(type)) {
    nullable = type.includes('null');
    const rest = type.filter((x) => x !== 'null');
    type = rest.length === 1 ? rest[0] : undefined;
  }
  const withNull = (v: VType) => (nullable ? T.nullable(v) : v);
  switch (type) {
    case 'string': {
      const values = Array.isArray(n.enum)
        ? (n.enum as unknown[]).filter((v): v is string => typeof v === 'string')
        : typeof n.const === 'string'
          ? [n.const]
          : undefined;
      return withNull(T.string(values));
    }
    case 'integer':
      return withNull(T.integer());
    case 'number':
      return withNull(T.number());
    case 'boolean':
      return withNull(T.boolean());
    case 'null':
      return T.unknown();
    case 'array':
      return withNull(
        T.array(n.items ? typeOfJsonSchema(n.items as JsonSchema, root, depth + 1) : T.unknown()),
      );
    case 'object': {
      const fields: Record<string, VType> = {};
      const required = new Set((n.required as string[] | undefined) ?? []);
      for (const [key, value] of Object.entries((n.properties ?? {}) as Record<string, JsonSchema>)) {
        const field = typeOfJsonSchema(value, root, depth + 1);
        // An optional field may be absent: reading it may give nothing, like null.
        fields[key] = required.has(key) ? field : T.nullable(field);
      }
      const additional = n.additionalProperties;
      const rest =
        additional === undefined || additional === false
          ? undefined
          : additional === true
            ? T.unknown()
            : typeOfJsonSchema(additional as JsonSchema, root, depth + 1);
      return withNull(T.object(fields, rest));
    }
    default:
      return T.unknown();
  }
}

/** One type for several (a union): the common kind, objects merged field by field. */
export function mergeTypes(types: VType[]): VType {
  if (types.length === 0) return T.unknown();
  if (types.length === 1) return types[0]!;
  const kinds = new Set(types.map((t) => t.t));
  if (kinds.size !== 1 || kinds.has('unknown')) return T.unknown();
  const nullable = types.some((t) => 'nullable' in t && t.nullable);
  const first = types[0]!;
  let merged: VType;
  if (first.t === 'object') {
    const objects = types as Extract<VType, { t: 'object' }>[];
    const keys = new Set(objects.flatMap((o) => Object.keys(o.fields)));
    const fields: Record<string, VType> = {};
    for (const key of keys) {
      const present = objects.map((o) => o.fields[key]).filter((f): f is VType => !!f);
      const field = mergeTypes(present);
      fields[key] = present.length < objects.length ? T.nullable(field) : field;
    }
    const rests = objects.map((o) => o.rest).filter((r): r is VType => !!r);
    merged = T.object(fields, rests.length ? mergeTypes(rests) : undefined);
  } else if (first.t === 'array') {
    merged = T.array(mergeTypes((types as Extract<VType, { t: 'array' }>[]).map((a) => a.of)));
  } else if (first.t === 'string') {
    const lists = (types as Extract<VType, { t: 'string' }>[]).map((s) => s.values);
    merged = lists.every(Boolean) ? T.string([...new Set(lists.flat() as string[])]) : T.string();
  } else if (first.t === 'number') {
    merged = (types as Extract<VType, { t: 'number' }>[]).every((n) => n.integer) ? T.integer() : T.number();
  } else {
    merged = first;
  }
  return nullable ? T.nullable(merged) : merged;
}

export type Lookup = { type: VType } | { missing: string; at: string[] };

/** The type at a path in a value of `type`: `['answers', 'nps']`. */
export function typeAt(type: VType, path: string[]): Lookup {
  let current = type;
  let nullableOnTheWay = false;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    if ('nullable' in current && current.nullable) nullableOnTheWay = true;
    if (current.t === 'unknown') return { type: T.unknown() };
    if (current.t === 'object') {
      const field =
        current.fields[segment] ??
        Object.entries(current.fields).find(([k]) => k.toLowerCase() === segment.toLowerCase())?.[1];
      if (field) current = field;
      else if (current.rest) current = T.nullable(current.rest);
      else return { missing: segment, at: path.slice(0, i) };
      continue;
    }
    if (current.t === 'array') {
      if (segment === 'size') return { type: T.integer() };
      if (segment === 'first' || segment === 'last' || /^\d+$/.test(segment)) {
        current = T.nullable(current.of);
        continue;
      }
      return { missing: segment, at: path.slice(0, i) };
    }
    if (current.t === 'string' && segment === 'size') return { type: T.integer() };
    return { missing: segment, at: path.slice(0, i) };
  }
  return { type: nullableOnTheWay ? T.nullable(current) : current };
}

/**
 * Whether a piped value of type `actual` may go where `expected` is wanted: null when it may,
 * else why not. `whole`: the field is the reference alone (the value keeps its type); otherwise
 * the value is written into text, which only a scalar can be. A nullable value passes (a null at
 * run time fails that run's task, naming the field): the check is about kinds.
 */
export function incompatibility(expected: VType, actual: VType, whole: boolean): string | null {
  if (actual.t === 'unknown') return null;
  if (!whole) {
    if (actual.t === 'object' || actual.t === 'array')
      return `${describeType(actual)} cannot be written into text: pick one of its fields`;
    if (expected.t === 'unknown' || expected.t === 'string') return null;
    return `expected ${describeType(expected)}, but this field mixes text and piped values`;
  }
  switch (expected.t) {
    case 'unknown':
      return null;
    case 'string':
      // A number or a yes/no is written as text where text is wanted.
      return actual.t === 'object' || actual.t === 'array'
        ? `expected text, got ${describeType(actual)}`
        : null;
    case 'number':
      if (actual.t !== 'number') return `expected ${describeType(expected)}, got ${describeType(actual)}`;
      return null;
    case 'boolean':
      return actual.t === 'boolean' ? null : `expected yes/no, got ${describeType(actual)}`;
    case 'array': {
      if (actual.t !== 'array') return `expected ${describeType(expected)}, got ${describeType(actual)}`;
      const inner = incompatibility(expected.of, actual.of, true);
      return inner ? `in the list: ${inner}` : null;
    }
    case 'object':
      return actual.t === 'object' ? null : `expected an object, got ${describeType(actual)}`;
  }
}

export interface Variable {
  /** `tasks.load.mailingListId`, `event.response.answers.nps`. */
  path: string;
  type: string;
  /** The leaves pipe as they are; an object or list is offered for whole-value fields. */
  leaf: boolean;
}

const NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** How a path segment is written in a template: `.name`, or `["a name"]` when it has spaces. */
export const segmentText = (segment: string) =>
  NAME.test(segment)
    ? `.${segment}`
    : /^\d+$/.test(segment)
      ? `[${segment}]`
      : `[${JSON.stringify(segment)}]`;

/** Every path of a type, for the `{a}` menu (open records list their known fields only). */
export function variablesOf(prefix: string, type: VType, depth = 0): Variable[] {
  const out: Variable[] = [];
  const isLeaf = type.t !== 'object' && type.t !== 'array';
  if (prefix && depth > 0) out.push({ path: prefix, type: describeType(type), leaf: isLeaf });
  if (type.t === 'object' && depth < 5)
    for (const [key, field] of Object.entries(type.fields))
      out.push(...variablesOf(`${prefix}${segmentText(key)}`, field, depth + 1));
  return out;
}
