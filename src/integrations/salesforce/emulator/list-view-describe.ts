import { to15 } from './ids.ts';
import type { ListViewDef } from './list-views.ts';
import type { FieldDef, Schema, SObjectDef } from './schema.ts';
import type { Condition, Literal } from './soql-ast.ts';
import { parseSoql } from './soql-parser.ts';
import { resolvePath } from './soql-paths.ts';

/**
 * The bodies of /sobjects/{type}/listviews[/{id}[/describe]] as Salesforce answers them: the
 * listing items (18-character Ids and their URLs), and the describe — columns, the 15-character
 * Id, orderBy, the view's SOQL query (select list in lower case, USING SCOPE, WHERE, ORDER BY …
 * NULLS FIRST, Id), scope, sobjectType and the filter as a whereCondition tree.
 */

export function listViewItem(view: ListViewDef, version: string) {
  const url = `/services/data/v${version}/sobjects/${view.sobjectType}/listviews/${view.id}`;
  return {
    describeUrl: `${url}/describe`,
    developerName: view.developerName,
    id: view.id,
    label: view.label,
    resultsUrl: `${url}/results`,
    soqlCompatible: view.soqlCompatible,
    url,
  };
}

export function listViewListing(views: ListViewDef[], sobjectType: string, version: string) {
  return {
    done: true,
    listviews: views.map((v) => listViewItem(v, version)),
    nextRecordsUrl: null,
    size: views.length,
    sobjectType,
  };
}

/** The sort labels the list view header shows, by field type. */
function sortLabels(field: FieldDef): [string | null, string | null] {
  switch (field.type) {
    case 'id':
    case 'reference':
      return [null, null];
    case 'picklist':
      return ['Low to High', 'High to Low'];
    case 'phone':
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      return ['9-0', '0-9'];
    case 'date':
    case 'datetime':
      return ['New to Old', 'Old to New'];
    default:
      return ['Z-A', 'A-Z'];
  }
}

const HIDDEN_COLUMNS = ['Id', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp'];

function columns(schema: Schema, object: SObjectDef, view: ListViewDef) {
  const shown = view.columns.map((c) => ({ path: c, hidden: false }));
  const hidden = HIDDEN_COLUMNS.filter((c) => !view.columns.some((s) => s.toLowerCase() === c.toLowerCase()))
    .filter((c) => schema.field(object, c))
    .map((c) => ({ path: c, hidden: true }));
  return [...shown, ...hidden].map(({ path, hidden: isHidden }) => {
    const resolved = resolvePath(schema, object, { parts: path.split('.'), start: 0 });
    const [ascendingLabel, descendingLabel] = isHidden ? [null, null] : sortLabels(resolved.field);
    const sorted = resolved.canonical.toLowerCase() === view.orderBy.toLowerCase();
    const label =
      resolved.hops.length > 0
        ? `${resolved.hops.map((h) => h.target.label).join(' ')} ${resolved.field.label}`
        : resolved.field.label;
    return {
      ascendingLabel,
      descendingLabel,
      fieldNameOrPath: resolved.canonical,
      hidden: isHidden,
      label,
      selectListItem:
        resolved.field.type === 'picklist' ? `toLabel(${resolved.canonical})` : resolved.canonical,
      sortDirection: sorted ? 'ascending' : null,
      sortIndex: sorted ? 0 : null,
      sortable: !isHidden,
      type: resolved.field.type,
    };
  });
}

const OPERATORS = {
  '=': 'equals',
  '!=': 'notEqual',
  '<': 'lessThan',
  '<=': 'lessOrEqual',
  '>': 'greaterThan',
  '>=': 'greaterOrEqual',
  LIKE: 'like',
} as const;

function literalText(literal: Literal): string {
  switch (literal.kind) {
    case 'string':
      return `'${literal.value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    case 'number':
      return literal.text;
    case 'boolean':
      return String(literal.value);
    case 'null':
      return 'null';
    case 'dateLiteral':
      return literal.n === null ? literal.name : `${literal.name}:${literal.n}`;
    default:
      return literal.value;
  }
}

type WhereCondition =
  | { field: string; operator: string; values: string[] }
  | { conditions: WhereCondition[]; conjunction: 'and' | 'or' | 'not' };

function whereCondition(condition: Condition): WhereCondition {
  switch (condition.kind) {
    case 'and':
    case 'or':
      return { conditions: condition.items.map(whereCondition), conjunction: condition.kind };
    case 'not':
      return { conditions: [whereCondition(condition.item)], conjunction: 'not' };
    case 'compare':
      return {
        field: condition.path.parts.join('.'),
        operator: OPERATORS[condition.operator],
        values: [literalText(condition.value)],
      };
    case 'in':
      return {
        field: condition.path.parts.join('.'),
        operator: condition.negated ? 'notEqual' : 'equals',
        values: condition.values.map(literalText),
      };
  }
}

export function describeListView(schema: Schema, view: ListViewDef) {
  const object = schema.object(view.sobjectType)!;
  const cols = columns(schema, object, view);
  const select = cols.map((c) => c.selectListItem.toLowerCase()).join(', ');
  const scope = view.scope ? ` USING SCOPE ${view.scope}` : '';
  const where = view.where ? ` WHERE ${view.where}` : '';
  const parsed = view.where ? parseSoql(`SELECT Id FROM ${view.sobjectType} WHERE ${view.where}`) : null;
  return {
    columns: cols,
    id: to15(view.id),
    orderBy: [
      { fieldNameOrPath: view.orderBy, nullsPosition: 'first', sortDirection: 'ascending' },
      { fieldNameOrPath: 'Id', nullsPosition: 'first', sortDirection: 'ascending' },
    ],
    query: `SELECT ${select} FROM ${object.name}${scope}${where} ORDER BY ${view.orderBy} ASC NULLS FIRST, Id ASC NULLS FIRST`,
    scope: view.scope,
    sobjectType: object.name,
    whereCondition: parsed?.where ? whereCondition(parsed.where) : { conditions: [], conjunction: 'and' },
  };
}
