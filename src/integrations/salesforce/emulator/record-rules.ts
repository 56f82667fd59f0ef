import { isValidId, keyPrefixOf, to18 } from './ids.ts';
import { SAVE_ERRORS, type SaveError } from './save-errors.ts';
import { type FieldDef, isCreateable, isUpdateable, type Schema, type SObjectDef } from './schema.ts';
import { CLOSED_CASE_STATUSES, RESPONDED_MEMBER_STATUSES } from './standard-objects.ts';
import { parseWireValue, type StoredValue } from './values.ts';

/**
 * The DML rules Salesforce applies to one record before saving it: which fields the API may
 * write, how wire values become stored ones, the fields it computes (Name, IsClosed, CaseNumber …),
 * and the checks with their status codes and messages (required, length, email, restricted
 * picklist, lookups, number range). The first failure is the answer.
 */

type Row = Record<string, StoredValue>;

interface ObjectRules {
  /** A new record before input: every field at its default. */
  blank: Row;
  required: FieldDef[];
  /** Fields with a check beyond "required". */
  checked: FieldDef[];
  /** Lookups (for the store's index of who points at whom). */
  references: FieldDef[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function createRecordRules(
  schema: Schema,
  lookup: (object: SObjectDef, id: string) => Readonly<Row> | undefined,
) {
  const cache = new Map<SObjectDef, ObjectRules>();
  let caseNumber = 1000;

  function rulesOf(object: SObjectDef): ObjectRules {
    let rules = cache.get(object);
    if (rules) return rules;
    const blank: Row = {};
    for (const field of object.fields) {
      if (field.type !== 'address')
        blank[field.name] = field.defaultValue ?? (field.type === 'boolean' ? false : null);
    }
    rules = {
      blank,
      required: object.fields.filter((f) => f.required),
      checked: object.fields.filter(
        (f) =>
          (f.length !== undefined && f.type !== 'reference') ||
          (f.type === 'reference' && !f.readOnly) ||
          f.precision !== undefined,
      ),
      references: object.fields.filter((f) => f.type === 'reference'),
    };
    cache.set(object, rules);
    return rules;
  }

  /** Applies the wire values of `input` to `row`; errors for unknown, read-only or mistyped fields. */
  function applyInput(
    object: SObjectDef,
    row: Row,
    input: Record<string, unknown>,
    mode: 'insert' | 'update',
  ): SaveError | null {
    const notWritable: string[] = [];
    for (const [key, raw] of Object.entries(input)) {
      if (key === 'attributes' || raw === undefined) continue;
      if (mode === 'update' && key.toLowerCase() === 'id') continue;
      const field = schema.field(object, key);
      if (!field) return SAVE_ERRORS.noSuchColumn(key, object.name);
      if (!(mode === 'insert' ? isCreateable(field) : isUpdateable(field))) {
        notWritable.push(field.name);
        continue;
      }
      const parsed = parseWireValue(field, raw);
      if (!parsed.ok) return SAVE_ERRORS.wrongType(field, raw);
      row[field.name] = parsed.value;
    }
    return notWritable.length > 0 ? SAVE_ERRORS.notWritable(notWritable) : null;
  }

  /** The fields Salesforce maintains itself. `before` is the saved record on an update. */
  function computeFields(object: SObjectDef, row: Row, at: number, before?: Readonly<Row>) {
    if (schema.field(object, 'Name')?.computed && schema.field(object, 'FirstName')) {
      row.Name = [row.FirstName, row.LastName].filter((part) => part).join(' ') || null;
    }
    if (object.name === 'Contact') row.IsEmailBounced = Boolean(row.EmailBouncedReason);
    if (object.name === 'CampaignMember')
      row.HasResponded = RESPONDED_MEMBER_STATUSES.has(String(row.Status));
    if (object.name === 'Case') {
      const closed = CLOSED_CASE_STATUSES.has(String(row.Status));
      row.IsClosed = closed;
      if (!closed) row.ClosedDate = null;
      else if (!before?.IsClosed) row.ClosedDate = at;
      if (!before) row.CaseNumber = String(++caseNumber).padStart(8, '0');
    }
  }

  function checkReference(field: FieldDef, value: string): SaveError | null {
    if (!isValidId(value)) return SAVE_ERRORS.malformedReference(field, value);
    const target = schema.objectByKeyPrefix(keyPrefixOf(value));
    if (!target || !field.referenceTo?.includes(target.name))
      return SAVE_ERRORS.wrongReferenceType(field, value);
    const record = lookup(target, to18(value));
    if (!record) return SAVE_ERRORS.invalidCrossReference(field);
    if (record.IsDeleted) return { ...SAVE_ERRORS.entityIsDeleted(), fields: [field.name] };
    return null;
  }

  /**
   * The checks of a record about to be saved: all fields on insert (`changed` null), the changed
   * ones on update. Lookups are normalised to 18-character Ids.
   */
  function validate(object: SObjectDef, row: Row, changed: ReadonlySet<string> | null): SaveError | null {
    const { required, checked } = rulesOf(object);
    const missing = required.filter(
      (f) => row[f.name] === null || row[f.name] === undefined || row[f.name] === '',
    );
    if (missing.length > 0) return SAVE_ERRORS.requiredMissing(missing.map((f) => f.name));
    for (const field of checked) {
      if (changed && !changed.has(field.name)) continue;
      const value = row[field.name];
      if (value === null || value === undefined) continue;
      if (typeof value === 'string') {
        if (field.type === 'reference') {
          const problem = checkReference(field, value);
          if (problem) return problem;
          row[field.name] = to18(value);
          continue;
        }
        if (field.length && value.length > field.length) return SAVE_ERRORS.tooLong(field, value);
        if (field.type === 'email' && !EMAIL.test(value)) return SAVE_ERRORS.invalidEmail(field, value);
        if (field.type === 'picklist' && field.restrictedPicklist && !field.picklistValues?.includes(value)) {
          return SAVE_ERRORS.restrictedPicklist(field, value);
        }
      }
      if (typeof value === 'number' && field.precision !== undefined) {
        const integerDigits = field.precision - (field.scale ?? 0);
        if (Math.abs(Math.trunc(value)).toString().length > integerDigits)
          return SAVE_ERRORS.outOfRange(field, value);
      }
    }
    return null;
  }

  return { rulesOf, applyInput, computeFields, validate };
}
