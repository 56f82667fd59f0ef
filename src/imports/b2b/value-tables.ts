import { lit } from '../../platform/db/sql-text.ts';

/**
 * A value table (source value → role) as a SQL expression over a lowercased value: exact entries
 * win over `*` patterns, and the longest pattern wins among patterns. Evaluated once per distinct
 * value, not per row.
 */
export function valueTableSql(values: Record<string, string>): string {
  const rows = Object.entries(values).map(([key, role]) => {
    const lowered = key.trim().toLowerCase();
    const isPattern = lowered.includes('*');
    const like = lowered.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
    return `(${lit(isPattern ? like : lowered)}, ${lit(role)}, ${isPattern}, ${lowered.replace(/\*/g, '').length})`;
  });
  return rows.length
    ? `(VALUES ${rows.join(', ')}) AS vt(key, role, is_pattern, weight)`
    : '(SELECT NULL::text AS key, NULL::text AS role, false AS is_pattern, 0 AS weight WHERE false) vt';
}

/** SQL resolving `valueExpr` (already lowercased text) through the table, else the default. */
export function lookupRole(
  valueExpr: string,
  values: Record<string, string>,
  fallback: string | null,
): string {
  const table = valueTableSql(values);
  return `coalesce(
    (SELECT vt.role FROM ${table} WHERE NOT vt.is_pattern AND vt.key = ${valueExpr} LIMIT 1),
    (SELECT vt.role FROM ${table} WHERE vt.is_pattern AND ${valueExpr} LIKE vt.key ORDER BY vt.weight DESC LIMIT 1),
    ${lit(fallback)})`;
}
