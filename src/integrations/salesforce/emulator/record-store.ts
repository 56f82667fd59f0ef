import { isValidId, keyPrefixOf, to18 } from './ids.ts';
import { createRecordRules } from './record-rules.ts';
import { SAVE_ERRORS, type SaveResult } from './save-errors.ts';
import type { FieldDef, Schema, SObjectDef } from './schema.ts';
import { type StoredValue, toSeconds } from './values.ts';

/**
 * The org's records, in memory: insert, update, delete to the recycle bin (IsDeleted) with
 * Salesforce's cascades and cleared lookups, undelete, purge, the audit fields on every write,
 * unique / external-id indexes, and the delete log getDeleted reads. Records are replaced, never
 * mutated, so a query cursor keeps a consistent snapshot of the rows it matched; `atomically`
 * undoes a batch for allOrNone.
 */

export type StoredRecord = Readonly<Record<string, StoredValue>> & { readonly Id: string };

export interface DeletedEntry {
  object: string;
  id: string;
  deletedDate: number;
}

export interface WriteOptions {
  /** The acting user (CreatedById, LastModifiedById, default OwnerId); '' for the record itself (an org's first user). */
  userId: string;
  /** Backdates the write (tests of getUpdated and date literals). */
  at?: number;
}

/** Lookups whose children are deleted with their parent (and restored with it). */
const CASCADE_DELETE = new Set([
  'Contact.AccountId',
  'AccountTeamMember.AccountId',
  'Case.AccountId',
  'CampaignMember.ContactId',
  'CampaignMember.LeadId',
  'CampaignMember.CampaignId',
]);

/** Lookups a delete clears on the records pointing at the deleted one (the "clear the value" option). */
const isClearedOnDelete = (field: FieldDef) =>
  !field.readOnly && !field.createOnly && field.name !== 'OwnerId';

export interface RecordStoreDeps {
  schema: Schema;
  newId: (prefix: string) => string;
  now: () => number;
  /** When the org was created: the earliest date getDeleted can answer for. */
  createdAt: number;
}

export function createRecordStore(deps: RecordStoreDeps) {
  const { schema } = deps;
  const tables = new Map<string, Map<string, StoredRecord>>();
  const uniqueIndexes = new Map<string, Map<string, Map<string, string>>>();
  /** Who points at a record: target Id → "Object\0Id" of the records whose lookups hold it. */
  const referrers = new Map<string, Set<string>>();
  const deletedLog: DeletedEntry[] = [];
  const lastPurge = new Map<string, number>();
  /** What a cascade took with it: restored by undeleting the parent. */
  const cascades = new Map<string, { object: SObjectDef; id: string }[]>();
  let journal: (() => void)[] | null = null;

  const tableOf = (object: SObjectDef) => tables.get(object.name)!;
  const rules = createRecordRules(schema, (object, id) => tableOf(object).get(id));
  const uniqueKey = (value: StoredValue) => String(value).toLowerCase();

  for (const object of schema.objects.values()) {
    tables.set(object.name, new Map());
    const unique = new Map<string, Map<string, string>>();
    for (const f of object.fields) if (f.unique || f.externalId) unique.set(f.name, new Map());
    uniqueIndexes.set(object.name, unique);
  }

  function index(object: SObjectDef, before: StoredRecord | undefined, after: StoredRecord | undefined) {
    for (const [field, values] of uniqueIndexes.get(object.name)!) {
      const old = before && !before.IsDeleted ? before[field] : null;
      const next = after && !after.IsDeleted ? after[field] : null;
      if (old !== null && old !== undefined && values.get(uniqueKey(old)) === before!.Id)
        values.delete(uniqueKey(old));
      if (next !== null && next !== undefined) values.set(uniqueKey(next), after!.Id);
    }
    const key = `${object.name}\u0000${(after ?? before)!.Id}`;
    for (const field of rules.rulesOf(object).references) {
      const old = before?.[field.name];
      const next = after?.[field.name];
      if (old === next) continue;
      if (typeof old === 'string') referrers.get(old)?.delete(key);
      if (typeof next === 'string') {
        const set = referrers.get(next) ?? new Set<string>();
        set.add(key);
        referrers.set(next, set);
      }
    }
  }

  function put(object: SObjectDef, record: StoredRecord) {
    const table = tableOf(object);
    const previous = table.get(record.Id);
    index(object, previous, record);
    table.set(record.Id, record);
    journal?.push(() => {
      index(object, record, previous);
      if (previous) table.set(record.Id, previous);
      else table.delete(record.Id);
    });
  }

  const stamp = (options: WriteOptions) => toSeconds(options.at ?? deps.now());

  function duplicateOf(
    object: SObjectDef,
    record: Record<string, StoredValue>,
    changed: ReadonlySet<string> | null,
  ) {
    for (const [fieldName, values] of uniqueIndexes.get(object.name)!) {
      const value = record[fieldName];
      if (value === null || value === undefined || (changed && !changed.has(fieldName))) continue;
      const holder = values.get(uniqueKey(value));
      if (holder && holder !== record.Id)
        return SAVE_ERRORS.duplicateValue(schema.field(object, fieldName)!, holder);
    }
    return null;
  }

  function insert(object: SObjectDef, input: Record<string, unknown>, options: WriteOptions): SaveResult {
    const at = stamp(options);
    const record: Record<string, StoredValue> = { ...rules.rulesOf(object).blank };
    const problem = rules.applyInput(object, record, input, 'insert');
    if (problem) return { success: false, errors: [problem] };
    const id = deps.newId(object.keyPrefix);
    const actor = options.userId || id;
    record.Id = id;
    if ('OwnerId' in record && !record.OwnerId) record.OwnerId = actor;
    if ('IsDeleted' in record) record.IsDeleted = false;
    record.CreatedDate = at;
    record.CreatedById = actor;
    record.LastModifiedDate = at;
    record.LastModifiedById = actor;
    record.SystemModstamp = at;
    rules.computeFields(object, record, at);
    const invalid = rules.validate(object, record, null) ?? duplicateOf(object, record, null);
    if (invalid) return { success: false, errors: [invalid] };
    put(object, record as StoredRecord);
    return { success: true, id, created: true };
  }

  function update(
    object: SObjectDef,
    id: string,
    input: Record<string, unknown>,
    options: WriteOptions,
  ): SaveResult {
    const current = isValidId(id) ? tableOf(object).get(to18(id)) : undefined;
    if (!current || current.IsDeleted) return { success: false, errors: [SAVE_ERRORS.entityIsDeleted()] };
    const at = stamp(options);
    const record: Record<string, StoredValue> = { ...current };
    const problem = rules.applyInput(object, record, input, 'update');
    if (problem) return { success: false, id: current.Id, errors: [problem] };
    const changed = new Set(Object.keys(input).map((k) => schema.field(object, k)?.name ?? k));
    record.LastModifiedDate = at;
    record.LastModifiedById = options.userId;
    record.SystemModstamp = at;
    rules.computeFields(object, record, at, current);
    const invalid = rules.validate(object, record, changed) ?? duplicateOf(object, record, changed);
    if (invalid) return { success: false, id: current.Id, errors: [invalid] };
    put(object, record as StoredRecord);
    return { success: true, id: current.Id, created: false };
  }

  function markDeleted(object: SObjectDef, record: StoredRecord, at: number, userId: string) {
    put(object, {
      ...record,
      IsDeleted: true,
      LastModifiedDate: at,
      LastModifiedById: userId,
      SystemModstamp: at,
    });
    const entry = { object: object.name, id: record.Id, deletedDate: at };
    deletedLog.push(entry);
    journal?.push(() => deletedLog.splice(deletedLog.indexOf(entry), 1));
  }

  /** The live records with a lookup to `id`, and which of their lookups hold it. */
  function* pointingAt(
    id: string,
  ): Iterable<{ object: SObjectDef; record: StoredRecord; fields: FieldDef[] }> {
    for (const key of [...(referrers.get(id) ?? [])]) {
      const [objectName, recordId] = key.split('\u0000') as [string, string];
      const object = schema.object(objectName)!;
      const record = tableOf(object).get(recordId);
      if (!record || record.IsDeleted) continue;
      const fields = rules.rulesOf(object).references.filter((f) => record[f.name] === id);
      if (fields.length > 0) yield { object, record, fields };
    }
  }

  function remove(object: SObjectDef, id: string, options: WriteOptions): SaveResult {
    if (!object.deletable) return { success: false, errors: [SAVE_ERRORS.cannotDelete()] };
    const record = isValidId(id) ? tableOf(object).get(to18(id)) : undefined;
    if (!record || record.IsDeleted) return { success: false, errors: [SAVE_ERRORS.entityIsDeleted()] };
    const at = stamp(options);
    markDeleted(object, record, at, options.userId);
    const taken: { object: SObjectDef; id: string }[] = [];
    for (const child of pointingAt(record.Id)) {
      if (child.fields.some((f) => CASCADE_DELETE.has(`${child.object.name}.${f.name}`))) {
        markDeleted(child.object, child.record, at, options.userId);
        taken.push({ object: child.object, id: child.record.Id });
        continue;
      }
      const cleared = child.fields.filter(isClearedOnDelete);
      if (cleared.length === 0) continue;
      const next: Record<string, StoredValue> = { ...child.record, SystemModstamp: at };
      for (const f of cleared) next[f.name] = null;
      put(child.object, next as StoredRecord);
    }
    cascades.set(record.Id, taken);
    return { success: true, id: record.Id, created: false };
  }

  function undelete(object: SObjectDef, id: string, options: WriteOptions): SaveResult {
    const record = isValidId(id) ? tableOf(object).get(to18(id)) : undefined;
    if (!record) return { success: false, errors: [SAVE_ERRORS.entityIsDeleted()] };
    if (!record.IsDeleted) {
      return {
        success: false,
        errors: [{ statusCode: 'UNDELETE_FAILED', message: 'Entity is not in the recycle bin', fields: [] }],
      };
    }
    const at = stamp(options);
    const restore = (o: SObjectDef, r: StoredRecord) => {
      put(o, {
        ...r,
        IsDeleted: false,
        LastModifiedDate: at,
        LastModifiedById: options.userId,
        SystemModstamp: at,
      });
      const logged = deletedLog.findIndex((e) => e.id === r.Id);
      if (logged >= 0) deletedLog.splice(logged, 1);
    };
    restore(object, record);
    for (const child of cascades.get(record.Id) ?? []) {
      const stored = tableOf(child.object).get(child.id);
      if (stored?.IsDeleted) restore(child.object, stored);
    }
    cascades.delete(record.Id);
    return { success: true, id: record.Id, created: false };
  }

  /** Removes a record for good (emptying the recycle bin); the delete log keeps its entry. */
  function purge(object: SObjectDef, id: string): boolean {
    const table = tableOf(object);
    const record = table.get(to18(id));
    if (!record) return false;
    index(object, record, undefined);
    table.delete(record.Id);
    lastPurge.set(object.name, toSeconds(deps.now()));
    return true;
  }

  function* records(object: SObjectDef, options: { includeDeleted?: boolean } = {}): Iterable<StoredRecord> {
    for (const record of tableOf(object).values()) {
      if (options.includeDeleted || !record.IsDeleted) yield record;
    }
  }

  return {
    insert,
    update,
    remove,
    undelete,
    purge,
    records,
    get(object: SObjectDef, id: string): StoredRecord | undefined {
      return isValidId(id) ? tableOf(object).get(to18(id)) : undefined;
    },
    /** A record of any object, by the key prefix of its Id. */
    getById(id: string): { object: SObjectDef; record: StoredRecord } | undefined {
      if (!isValidId(id)) return undefined;
      const object = schema.objectByKeyPrefix(keyPrefixOf(id));
      const record = object && tableOf(object).get(to18(id));
      return object && record ? { object, record } : undefined;
    },
    count(object: SObjectDef, options: { includeDeleted?: boolean } = {}) {
      let n = 0;
      for (const record of tableOf(object).values()) if (options.includeDeleted || !record.IsDeleted) n++;
      return n;
    },
    /** Live records whose external-id (or unique) field equals `value`, case-insensitively. */
    findByExternalId(object: SObjectDef, field: FieldDef, value: string): StoredRecord[] {
      const values = uniqueIndexes.get(object.name)!.get(field.name);
      if (values) {
        const id = values.get(uniqueKey(value));
        const record = id ? tableOf(object).get(id) : undefined;
        return record ? [record] : [];
      }
      const wanted = uniqueKey(value);
      return [...records(object)].filter(
        (r) => r[field.name] != null && uniqueKey(r[field.name]!) === wanted,
      );
    },
    deletedLog(object: SObjectDef): readonly DeletedEntry[] {
      return deletedLog.filter((e) => e.object === object.name);
    },
    earliestDeletedDateAvailable(object: SObjectDef) {
      return lastPurge.get(object.name) ?? deps.createdAt;
    },
    /**
     * Runs `work` so that everything it writes is undone if it answers commit: false (allOrNone),
     * as one database transaction would be.
     */
    atomically<T>(work: () => { commit: boolean; value: T }): T {
      if (journal) return work().value;
      journal = [];
      try {
        const outcome = work();
        if (!outcome.commit) for (const undo of journal.reverse()) undo();
        return outcome.value;
      } catch (error) {
        for (const undo of journal.reverse()) undo();
        throw error;
      } finally {
        journal = null;
      }
    },
  };
}

export type RecordStore = ReturnType<typeof createRecordStore>;
