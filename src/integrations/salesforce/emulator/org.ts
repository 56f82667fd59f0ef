import { randomBytes } from 'node:crypto';
import { buildObjectDefinitions, type SchemaOptions } from './custom-metadata.ts';
import { createIdFactory, KEY_PREFIXES } from './ids.ts';
import { createListViews, type ListViews } from './list-views.ts';
import { createRecordStore, type RecordStore, type StoredRecord } from './record-store.ts';
import { createSchema, type Schema, type SObjectDef } from './schema.ts';
import { toSeconds } from './values.ts';

/**
 * One emulated org: its Id, schema, records, users and their passwords, and its clock. The HTTP
 * layer and the test helpers share it.
 */

export interface OrgUserInput {
  username: string;
  password: string;
  firstName?: string;
  lastName: string;
  email: string;
  title?: string;
}

export interface OrgOptions extends SchemaOptions {
  /** The API (integration) user tests and the demo log in as. */
  apiUser?: OrgUserInput;
  /** The org's clock (tests move it to age sessions or date records). */
  now?: () => number;
}

export interface Org {
  id: string;
  schema: Schema;
  store: RecordStore;
  /** Saved list views per object (the standard ones, and what seeds add). */
  listViews: ListViews;
  newId: (prefix: string) => string;
  now: () => number;
  createdAt: number;
  apiUserId: string;
  /** An object by name, or an error naming what does not exist. */
  object(name: string): SObjectDef;
  addUser(input: OrgUserInput & { isActive?: boolean }): string;
  userByUsername(username: string): StoredRecord | undefined;
  checkPassword(userId: string, password: string): boolean;
  /** A user's security token (appended to the password in the username-password flow). */
  securityToken(userId: string): string;
}

export const DEFAULT_API_USER: OrgUserInput = {
  username: 'integration@cloudkicks.example.com',
  password: 'Rapport-Emulator-1',
  firstName: 'Integration',
  lastName: 'User',
  email: 'integration@cloudkicks.example.com',
  title: 'Integration User',
};

export function createOrg(options: OrgOptions = {}): Org {
  const now = options.now ?? (() => Date.now());
  const newId = createIdFactory();
  const id = newId(KEY_PREFIXES.Organization);
  const schema = createSchema(buildObjectDefinitions(options));
  const createdAt = toSeconds(now());
  const store = createRecordStore({ schema, newId, now, createdAt });
  const passwords = new Map<string, string>();
  const tokens = new Map<string, string>();
  const userObject = schema.object('User')!;

  function addUser(input: OrgUserInput & { isActive?: boolean }, actor: string): string {
    const result = store.insert(
      userObject,
      {
        Username: input.username,
        FirstName: input.firstName ?? null,
        LastName: input.lastName,
        Email: input.email,
        Alias: (input.firstName?.[0] ?? '') + input.lastName.slice(0, 7),
        Title: input.title ?? null,
        IsActive: input.isActive ?? true,
      },
      { userId: actor },
    );
    if (!result.success)
      throw new Error(`Cannot create user ${input.username}: ${result.errors[0]!.message}`);
    passwords.set(result.id, input.password);
    // Security tokens are 24 letters and digits, mailed to the user on a password reset.
    tokens.set(
      result.id,
      randomBytes(18)
        .toString('base64')
        .replace(/[^A-Za-z0-9]/g, '')
        .slice(0, 24)
        .padEnd(24, '0'),
    );
    return result.id;
  }

  const apiUserId = addUser(options.apiUser ?? DEFAULT_API_USER, '');

  return {
    id,
    schema,
    store,
    listViews: createListViews(schema, newId, now),
    newId,
    now,
    createdAt,
    apiUserId,
    object(name) {
      const object = schema.object(name);
      if (!object) throw new Error(`The emulated org has no object ${name}`);
      return object;
    },
    addUser: (input) => addUser(input, apiUserId),
    userByUsername: (username) =>
      [...store.records(userObject)].find((u) => String(u.Username).toLowerCase() === username.toLowerCase()),
    checkPassword: (userId, password) => {
      const expected = passwords.get(userId);
      return expected !== undefined && (password === expected || password === expected + tokens.get(userId));
    },
    securityToken: (userId) => tokens.get(userId) ?? '',
  };
}
