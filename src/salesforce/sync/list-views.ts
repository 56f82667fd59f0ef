import { z } from 'zod';
import type { SalesforceClient } from '../client/sf-client.ts';

/**
 * List views as sync filters. A view is named by its API name (developerName) or Id; each run
 * asks the org for it again (listviews, then describe) and takes the WHERE clause of the query the
 * describe returns, so an admin editing the view in Salesforce changes what the next run reads.
 * A view scoped to its user ("My Accounts": USING SCOPE mine) would mean the integration user's
 * records, and a Recently Viewed list has no SOQL: both are refused.
 */

const ZListViewItem = z.object({
  id: z.string(),
  developerName: z.string(),
  label: z.string(),
  soqlCompatible: z.boolean(),
});
export type ListViewItem = z.output<typeof ZListViewItem>;

const ZListing = z.object({ listviews: z.array(ZListViewItem) });
const ZDescribe = z.object({
  id: z.string(),
  query: z.string(),
  scope: z.string().nullable().optional(),
  sobjectType: z.string(),
});

export class ListViewProblem extends Error {}

export async function listListViews(client: SalesforceClient, object: string): Promise<ListViewItem[]> {
  const answer = await client.call(`listing the ${object} list views`, (conn) =>
    conn.sobject(object).listviews(),
  );
  return ZListing.parse(answer).listviews;
}

const sameId = (a: string, b: string) => a.slice(0, 15) === b.slice(0, 15);

export interface ResolvedListView {
  id: string;
  developerName: string;
  label: string;
  /** The view's filter as a SOQL condition; null when it selects every record. */
  where: string | null;
}

/** Finds the view (by API name, case-insensitive, or Id) and reads its filter. */
export async function resolveListView(
  client: SalesforceClient,
  object: string,
  ref: string,
): Promise<ResolvedListView> {
  const views = await listListViews(client, object);
  const view =
    views.find((v) => v.developerName.toLowerCase() === ref.toLowerCase()) ??
    views.find((v) => /^[a-zA-Z0-9]{15,18}$/.test(ref) && sameId(v.id, ref));
  if (!view) throw new ListViewProblem(`${object} has no list view "${ref}"`);
  if (!view.soqlCompatible)
    throw new ListViewProblem(`The ${object} list view "${view.label}" cannot be expressed in SOQL`);
  const answer = await client.call(`describing the ${object} list view ${view.developerName}`, (conn) =>
    conn.sobject(object).listview(view.id).describe(),
  );
  const describe = ZDescribe.parse(answer);
  const scope = describe.scope ?? null;
  if (scope !== null && scope.toLowerCase() !== 'everything')
    throw new ListViewProblem(
      `The ${object} list view "${view.label}" shows the records of its viewer (scope ${scope}): ` +
        'for the sync it would mean the integration user’s. Choose a view that does not depend on who looks.',
    );
  return {
    id: view.id,
    developerName: view.developerName,
    label: view.label,
    where: whereOfQuery(describe.query),
  };
}

/**
 * The WHERE condition of a list view's query (`SELECT … FROM X [USING SCOPE s] [WHERE c]
 * [ORDER BY …] [LIMIT n]`): the text between WHERE and the next clause at the top level, outside
 * quoted strings and parentheses.
 */
export function whereOfQuery(query: string): string | null {
  const words: { word: string; at: number; end: number }[] = [];
  let depth = 0;
  for (let i = 0; i < query.length; ) {
    const c = query[i]!;
    if (c === "'") {
      // A string literal: skip to its closing quote (backslash escapes one character).
      i++;
      while (i < query.length && query[i] !== "'") i += query[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (depth === 0 && /[A-Za-z_]/.test(c) && (i === 0 || !/[\w.]/.test(query[i - 1]!))) {
      const match = /^[A-Za-z_]\w*/.exec(query.slice(i))!;
      words.push({ word: match[0].toUpperCase(), at: i, end: i + match[0].length });
      i += match[0].length;
      continue;
    }
    i++;
  }
  const where = words.find((w) => w.word === 'WHERE');
  if (!where) return null;
  const next = words.find(
    (w, k) =>
      w.at > where.at &&
      (((w.word === 'ORDER' || w.word === 'GROUP') && words[k + 1]?.word === 'BY') ||
        w.word === 'LIMIT' ||
        w.word === 'OFFSET' ||
        w.word === 'HAVING' ||
        (w.word === 'FOR' && ['VIEW', 'UPDATE', 'REFERENCE'].includes(words[k + 1]?.word ?? ''))),
  );
  const text = query.slice(where.end, next ? next.at : undefined).trim();
  return text || null;
}

/** Conditions joined with AND, each in parentheses (a view's "a OR b" must not swallow the rest). */
export function combineConditions(parts: readonly (string | null | undefined)[]): string | null {
  const present = parts.map((p) => p?.trim()).filter((p): p is string => Boolean(p));
  if (present.length === 0) return null;
  if (present.length === 1) return present[0]!;
  return present.map((p) => `(${p})`).join(' AND ');
}

/** `Id IN ('…', …)` for chosen records (Ids are checked by the config schema: no quoting needed). */
export const idCondition = (field: string, ids: readonly string[]) =>
  ids.length ? `${field} IN (${ids.map((id) => `'${id}'`).join(', ')})` : null;

/** What selects an object's records in a run: its WHERE, its list view's filter and chosen Ids, together. */
export async function resolveObjectFilter(
  client: SalesforceClient,
  object: string,
  config: { where: string | null; listView?: string | null; ids?: readonly string[] },
): Promise<{ where: string | null; listView: ResolvedListView | null }> {
  const listView = config.listView ? await resolveListView(client, object, config.listView) : null;
  return {
    where: combineConditions([config.where, listView?.where, idCondition('Id', config.ids ?? [])]),
    listView,
  };
}
