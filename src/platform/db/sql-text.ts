/**
 * Quoting for the few statements that must be built as text: utility statements (CREATE TABLE AS,
 * COPY) take no bind parameters. Only ever quote; never concatenate unchecked input.
 */
export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export function lit(value: string | number | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`Cannot write ${value} as SQL`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  // standard_conforming_strings is on (the default since PostgreSQL 9.1): only quotes need doubling.
  if (value.includes('\u0000')) throw new Error('SQL text cannot contain NUL characters');
  return `'${value.replace(/'/g, "''")}'`;
}

export const litArray = (values: string[]): string => `ARRAY[${values.map(lit).join(', ')}]::text[]`;

/** A text[] as PostgreSQL's array literal, to bind as one parameter (`$1::text[]`). */
export const pgTextArray = (values: string[]): string =>
  `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
