import type { ListViewInput } from './list-views.ts';
import type { Org } from './org.ts';
import type { StoredRecord } from './record-store.ts';
import type { SaveResult } from './save-errors.ts';

/**
 * Direct access to the emulated org's records for tests and seeds, by object name. Writes go
 * through the same DML rules as the API (a bad record throws with Salesforce's message) and keep
 * the audit fields; `at` backdates a write. Stored date-times are epoch milliseconds.
 */

export interface StoreWriteOptions {
  /** When the write happened (CreatedDate / LastModifiedDate / SystemModstamp). */
  at?: Date;
  /** The acting user's Id (default: the API user). */
  as?: string;
}

export interface EmulatorStore {
  insert(type: string, fields: Record<string, unknown>, options?: StoreWriteOptions): string;
  insertMany(type: string, rows: Record<string, unknown>[], options?: StoreWriteOptions): string[];
  update(type: string, id: string, fields: Record<string, unknown>, options?: StoreWriteOptions): void;
  /** Moves the record (and what cascades with it) to the recycle bin: IsDeleted = true. */
  delete(type: string, id: string, options?: StoreWriteOptions): void;
  undelete(type: string, id: string, options?: StoreWriteOptions): void;
  /** Removes records for good: one record, or (no id) every deleted record of the object. */
  purge(type: string, id?: string): number;
  get(type: string, id: string): StoredRecord | undefined;
  records(type: string, options?: { includeDeleted?: boolean }): StoredRecord[];
  count(type: string, options?: { includeDeleted?: boolean }): number;
  /** Adds an active user who can log in (password flow, JWT sub, OAuth authorize). */
  addUser(input: {
    username: string;
    password: string;
    firstName?: string;
    lastName: string;
    email: string;
    title?: string;
  }): string;
  /** Saves a list view (as a user does in the UI); its filter is checked as SOQL. Returns its Id. */
  addListView(input: ListViewInput): string;
  /** Edits a list view's filter (null: every record). */
  setListViewFilter(type: string, id: string, where: string | null): void;
}

function unwrap(result: SaveResult, what: string): string {
  if (result.success) return result.id;
  const error = result.errors[0]!;
  throw new Error(`${what}: ${error.statusCode}: ${error.message}`);
}

export function createEmulatorStore(org: Org): EmulatorStore {
  const { store } = org;
  const write = (options?: StoreWriteOptions) => {
    const at = options?.at?.getTime();
    return at === undefined
      ? { userId: options?.as ?? org.apiUserId }
      : { userId: options?.as ?? org.apiUserId, at };
  };
  return {
    insert: (type, fields, options) =>
      unwrap(store.insert(org.object(type), fields, write(options)), `insert ${type}`),
    insertMany(type, rows, options) {
      const object = org.object(type);
      return rows.map((row, i) => unwrap(store.insert(object, row, write(options)), `insert ${type} #${i}`));
    },
    update(type, id, fields, options) {
      unwrap(store.update(org.object(type), id, fields, write(options)), `update ${type} ${id}`);
    },
    delete(type, id, options) {
      unwrap(store.remove(org.object(type), id, write(options)), `delete ${type} ${id}`);
    },
    undelete(type, id, options) {
      unwrap(store.undelete(org.object(type), id, write(options)), `undelete ${type} ${id}`);
    },
    purge(type, id) {
      const object = org.object(type);
      if (id !== undefined) return store.purge(object, id) ? 1 : 0;
      const deleted = [...store.records(object, { includeDeleted: true })].filter((r) => r.IsDeleted);
      for (const record of deleted) store.purge(object, record.Id);
      return deleted.length;
    },
    get: (type, id) => store.get(org.object(type), id),
    records: (type, options) => [...store.records(org.object(type), options)],
    count: (type, options) => store.count(org.object(type), options),
    addUser: (input) => org.addUser(input),
    addListView: (input) => org.listViews.add(input),
    setListViewFilter: (type, id, where) => org.listViews.setWhere(type, id, where),
  };
}
