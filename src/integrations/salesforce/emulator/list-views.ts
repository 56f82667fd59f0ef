import { type IdFactory, KEY_PREFIXES, to15 } from './ids.ts';
import type { Schema } from './schema.ts';
import { parseSoql } from './soql-parser.ts';
import { resolvePath } from './soql-paths.ts';
import { planQuery } from './soql-plan.ts';

/**
 * The org's list views: what users save in Salesforce's UI ("All Accounts", "My Accounts",
 * "Strategic customers") — an object, a filter, a scope, columns and a sort. A new org has the
 * standard ones below; tests and seeds add their own. list-view-routes.ts serves them as the REST
 * API does. Filters are checked as SOQL when a view is added, so a view never holds a filter the
 * org's own query engine would refuse.
 */

export interface ListViewInput {
  sobjectType: string;
  /** The API name (unique per object): AllAccounts, Strategic_Customers. */
  developerName: string;
  label: string;
  /** The filter as a SOQL condition (without WHERE); null: every record. */
  where?: string | null;
  /** "mine", "team", "queue" … ; null: every record the user can see. */
  scope?: string | null;
  /** Columns shown (field paths); Name when not given. */
  columns?: string[];
  /** The sort column (ascending, nulls first, then Id). */
  orderBy?: string;
  /** False for views SOQL cannot express (Recently Viewed). */
  soqlCompatible?: boolean;
}

export interface ListViewDef {
  id: string;
  sobjectType: string;
  developerName: string;
  label: string;
  where: string | null;
  scope: string | null;
  columns: string[];
  orderBy: string;
  soqlCompatible: boolean;
}

export interface ListViews {
  add(input: ListViewInput): string;
  forObject(sobjectType: string): ListViewDef[];
  /** By 15- or 18-character Id, within the object. */
  get(sobjectType: string, id: string): ListViewDef | undefined;
  /** Changes a view's filter (an admin editing it in Setup). */
  setWhere(sobjectType: string, id: string, where: string | null): void;
}

/** What a new org has (the ones users see first in each tab). */
const STANDARD_LIST_VIEWS: ListViewInput[] = [
  {
    sobjectType: 'Account',
    developerName: 'AllAccounts',
    label: 'All Accounts',
    columns: ['Name', 'Type', 'Owner.Alias'],
  },
  {
    sobjectType: 'Account',
    developerName: 'MyAccounts',
    label: 'My Accounts',
    scope: 'mine',
    columns: ['Name', 'Type'],
  },
  {
    sobjectType: 'Account',
    developerName: 'NewThisWeek',
    label: 'New This Week',
    where: 'CreatedDate = THIS_WEEK',
    columns: ['Name', 'Type', 'Owner.Alias'],
  },
  {
    sobjectType: 'Contact',
    developerName: 'AllContacts',
    label: 'All Contacts',
    columns: ['Name', 'Account.Name', 'Email'],
  },
  {
    sobjectType: 'Contact',
    developerName: 'MyContacts',
    label: 'My Contacts',
    scope: 'mine',
    columns: ['Name', 'Email'],
  },
  {
    sobjectType: 'Contact',
    developerName: 'NewThisWeek',
    label: 'New This Week',
    where: 'CreatedDate = THIS_WEEK',
    columns: ['Name', 'Account.Name', 'Email'],
  },
  {
    sobjectType: 'Lead',
    developerName: 'AllOpenLeads',
    label: 'All Open Leads',
    where: 'IsConverted = false',
    columns: ['Name', 'Company', 'Email', 'Status'],
  },
  {
    sobjectType: 'Lead',
    developerName: 'MyUnreadLeads',
    label: 'My Unread Leads',
    scope: 'mine',
    columns: ['Name', 'Company'],
  },
  {
    sobjectType: 'Campaign',
    developerName: 'AllActiveCampaigns',
    label: 'All Active Campaigns',
    where: 'IsActive = true',
    columns: ['Name', 'Type', 'Status', 'StartDate'],
  },
  {
    sobjectType: 'Campaign',
    developerName: 'AllCampaigns',
    label: 'All Campaigns',
    columns: ['Name', 'Type', 'Status'],
  },
  {
    sobjectType: 'Campaign',
    developerName: 'MyActiveCampaigns',
    label: 'My Active Campaigns',
    where: 'IsActive = true',
    scope: 'mine',
    columns: ['Name', 'Status'],
  },
];

export function createListViews(schema: Schema, newId: IdFactory, now: () => number): ListViews {
  const views: ListViewDef[] = [];

  function checkWhere(sobjectType: string, where: string | null) {
    if (!where) return;
    try {
      planQuery(schema, parseSoql(`SELECT Id FROM ${sobjectType} WHERE ${where}`), now());
    } catch (error) {
      throw new Error(`List view filter "${where}" on ${sobjectType}: ${(error as Error).message}`);
    }
  }

  const find = (sobjectType: string, id: string) =>
    views.find((v) => v.sobjectType.toLowerCase() === sobjectType.toLowerCase() && to15(v.id) === to15(id));

  const listViews: ListViews = {
    add(input) {
      const object = schema.object(input.sobjectType);
      if (!object) throw new Error(`The emulated org has no object ${input.sobjectType}`);
      if (!/^[A-Za-z]\w{0,79}$/.test(input.developerName) || input.developerName.includes('__'))
        throw new Error(`List view API name "${input.developerName}" is not valid`);
      if (listViews.forObject(object.name).some((v) => v.developerName === input.developerName))
        throw new Error(`${object.name} already has a list view named ${input.developerName}`);
      const where = input.where?.trim() || null;
      checkWhere(object.name, where);
      const columns = input.columns ?? ['Name'];
      const orderBy = input.orderBy ?? columns[0]!;
      for (const column of [...columns, orderBy])
        resolvePath(schema, object, { parts: column.split('.'), start: 0 });
      const id = newId(KEY_PREFIXES.ListView);
      views.push({
        id,
        sobjectType: object.name,
        developerName: input.developerName,
        label: input.label,
        where,
        scope: input.scope ?? null,
        columns,
        orderBy,
        soqlCompatible: input.soqlCompatible ?? true,
      });
      return id;
    },
    forObject: (sobjectType) =>
      views.filter((v) => v.sobjectType.toLowerCase() === sobjectType.toLowerCase()),
    get: find,
    setWhere(sobjectType, id, where) {
      const view = find(sobjectType, id);
      if (!view) throw new Error(`No list view ${id} on ${sobjectType}`);
      const next = where?.trim() || null;
      checkWhere(view.sobjectType, next);
      view.where = next;
    },
  };
  for (const view of STANDARD_LIST_VIEWS) listViews.add(view);
  return listViews;
}
