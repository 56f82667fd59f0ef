/** The parsed form of the SOQL subset the emulator runs. Positions are offsets into the query. */

export interface FieldPath {
  /** Names as written: ["Account", "Owner", "Email"]. */
  parts: string[];
  start: number;
}

export type SelectItem =
  | { kind: 'field'; path: FieldPath }
  /** COUNT() alone: the answer is totalSize, with no rows. */
  | { kind: 'countAll'; start: number }
  /** COUNT(field) [alias]: one AggregateResult row. */
  | { kind: 'countField'; path: FieldPath; alias: string | null; start: number };

export type Literal =
  | { kind: 'string'; value: string; start: number }
  | { kind: 'number'; value: number; text: string; start: number }
  | { kind: 'boolean'; value: boolean; start: number }
  | { kind: 'null'; start: number }
  | { kind: 'date'; value: string; start: number }
  | { kind: 'datetime'; value: string; start: number }
  /** TODAY, LAST_N_DAYS:30 … (n is null for the ones without a parameter). */
  | { kind: 'dateLiteral'; name: string; n: number | null; start: number };

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE';

export type Condition =
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | { kind: 'compare'; path: FieldPath; operator: ComparisonOperator; value: Literal; operatorStart: number }
  | { kind: 'in'; path: FieldPath; negated: boolean; values: Literal[]; operatorStart: number };

export interface OrderItem {
  path: FieldPath;
  descending: boolean;
  nullsLast: boolean;
}

export interface SoqlQuery {
  select: SelectItem[];
  from: { name: string; start: number };
  where: Condition | null;
  orderBy: OrderItem[];
  limit: number | null;
  offset: number | null;
}
