/** Shapes of the API's answers, as the UI uses them (the OpenAPI document at /api/docs is the reference). */

export const LOCALES = ['en', 'fr', 'it', 'es', 'de'] as const;
export type Locale = (typeof LOCALES)[number];
export const USER_ROLES = ['admin', 'cx_manager', 'account_manager', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];
export type Permission =
  | 'users:manage'
  | 'tokens:manage-all'
  | 'audit:read'
  | 'jobs:read'
  | 'jobs:manage'
  | 'settings:manage'
  | 'data:read'
  | 'data:write';

export const CLIENT_ROLES = [
  'DECISION_MAKER',
  'INFLUENCER',
  'PROCUREMENT_FINANCE_PERSON',
  'PROGRAM_MANAGER',
  'EXECUTIVE_SPONSOR',
  'END_USER',
  'ACCOUNT_MEMBER',
] as const;
export const TEAM_ROLES = [
  'ACCOUNT_EXECUTIVE',
  'ACCOUNT_OWNER',
  'CUSTOMER_SUCCESS_MANAGER',
  'TECHNICAL_SALES_PROFESSIONAL',
  'SALES_ENGINEER',
  'CUSTOMER_SUPPORT_PROFESSIONAL',
  'OTHER_ACCOUNT_TEAM_MEMBER',
] as const;
export const ATTRIBUTE_TYPES = ['integer', 'decimal', 'string', 'enum', 'datetime', 'boolean'] as const;
export const IMPORT_OBJECTS = ['accounts', 'contacts', 'teamMembers'] as const;
export type ImportObject = (typeof IMPORT_OBJECTS)[number];

export interface User {
  id: number;
  email: string;
  name: string;
  role: UserRole;
  locale: Locale | null;
  permissions: Permission[];
  createdAt: string;
  lastLoginAt: string | null;
  disabled: boolean;
}

export interface ApiToken {
  id: number;
  name: string;
  prefix: string;
  userId: number;
  userEmail: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface AuditEvent {
  id: number;
  at: string;
  actorUserId: number | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  details: unknown;
  ip: string | null;
}

export interface QueueSummary {
  name: string;
  queued: number;
  active: number;
  completed: number;
  failed: number;
  schedule: { cron: string; tz: string } | null;
}

export interface Directory {
  id: number;
  name: string;
  dedupKeys: string[];
  defaultCountry: string | null;
  createdAt: string;
}

export interface DirectoryWithCounts extends Directory {
  counts: { contacts: number; accounts: number; mailingLists: number; attributes: number };
}

export interface OptOuts {
  email: boolean;
  sms: boolean;
  doNotCall: boolean;
  fax: boolean;
  emailBounced: boolean;
  emailBouncedReason: string | null;
  consent: boolean | null;
}

export interface Contact {
  id: number;
  externalRef: string | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  mobilePhone: string | null;
  language: string | null;
  title: string | null;
  optOuts: OptOuts;
  attributes: Record<string, unknown>;
  roles: { accountId: number; accountName: string; role: string }[];
  deleted: boolean;
  mergedIntoId: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface HistoryEntry {
  field: string;
  oldValue: unknown;
  newValue: unknown;
  changedAt: string;
  source: string;
  runId: number | null;
}

export interface ContactMerge {
  id: number;
  mergedId: number;
  survivorId: number;
  matchedOn: string;
  mergedAt: string;
  revertedAt: string | null;
}

export interface ContactDetail extends Contact {
  directoryId: number;
  lists: { id: number; name: string; addedAt: string }[];
  history: HistoryEntry[];
  merges: ContactMerge[];
}

export interface Account {
  id: number;
  externalRef: string | null;
  displayName: string;
  parentId: number | null;
  parentExternalRef: string | null;
  attributes: Record<string, unknown>;
  childCount: number;
  contactCount: number;
  ownerEmail: string | null;
  deleted: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface AccountDetail extends Account {
  directoryId: number;
  ancestors: { id: number; displayName: string }[];
  children: Account[];
  contactsByRole: {
    role: string;
    contactId: number;
    name: string;
    email: string | null;
    title: string | null;
  }[];
  team: { role: string; email: string; userName: string | null }[];
  history: HistoryEntry[];
}

export interface TreeNode {
  id: number;
  parentId: number | null;
  displayName: string;
  level: number;
  childCount: number;
}

export interface AttributeDefinition {
  id: number;
  entity: 'contact' | 'account';
  name: string;
  type: (typeof ATTRIBUTE_TYPES)[number];
  enumValues: string[] | null;
}

export interface MailingList {
  id: number;
  name: string;
  importRunId: number | null;
  members: number;
  createdAt: string;
}

export type ObjectCounts = Record<'created' | 'updated' | 'unchanged' | 'deleted' | 'rejected', number>;

export interface ImportIssue {
  severity: 'error' | 'warning';
  object: string;
  file: string;
  line: number | null;
  field: string | null;
  value: string | null;
  reason: string;
}

export interface ImportRun {
  runId: number;
  directoryId: number;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  /** Null until the run has merged. */
  objects: Partial<Record<ImportObject, ObjectCounts>> | null;
  mailingListId: number | null;
  errorCount: number;
  warningCount: number;
  failure: string | null;
  progress: { phase?: string; object?: string; rows?: number; bytes?: number; totalBytes?: number };
  options: { mailingList?: string | null };
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  issues?: ImportIssue[];
}

export interface SftpSource {
  id: number;
  directoryId: number;
  name: string;
  host: string;
  port: number;
  username: string;
  authMethod: 'password' | 'private_key';
  hostKeyFingerprint: string | null;
  paths: Partial<Record<ImportObject, string>>;
  archiveDir: string | null;
  lastTestedAt: string | null;
  createdAt: string;
}

export interface ObjectMapping {
  fields: Record<string, string[]>;
  attributes: { source: string; name: string; type: (typeof ATTRIBUTE_TYPES)[number]; values?: string[] }[];
  unmappedCustomFields: 'string-attribute' | 'ignore';
}

export interface Mapping {
  version: 1;
  accounts: ObjectMapping;
  contacts: ObjectMapping;
  teamMembers: ObjectMapping;
  clientRoles: { values: Record<string, string>; default: string | null };
  teamRoles: { values: Record<string, string>; default: string | null };
  defaultCountry: string | null;
}

export interface ConsolidationResult {
  dryRun: boolean;
  groups: { matchedOn: string; key: string; survivorId: number; mergedIds: number[] }[];
  [key: string]: unknown;
}
