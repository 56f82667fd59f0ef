/** The Salesforce connector's API shapes (src/salesforce/*.routes.ts). */

export type AuthKind = 'oauth' | 'jwt' | 'client_credentials';

export interface Connection {
  id: number;
  name: string;
  authKind: AuthKind;
  loginUrl: string;
  clientId: string;
  jwtUsername: string | null;
  instanceUrl: string | null;
  apiVersion: string;
  orgId: string | null;
  userId: string | null;
  username: string | null;
  status: 'pending' | 'connected' | 'error';
  lastError: string | null;
  lastTestedAt: string | null;
  apiUsage: { used: number; max: number; at: string } | null;
  hasRefreshToken: boolean;
  createdBy: string;
  createdAt: string;
}

export interface ConnectionUse {
  kind: 'sync' | 'outbound_trigger' | 'writeback' | 'lead_form';
  id: number;
  name: string;
  directoryId: number;
  directoryName: string;
}

export interface FieldInfo {
  name: string;
  label: string;
  type: string;
  custom: boolean;
  compound: string | null;
  compoundFieldName: string | null;
  relationshipName: string | null;
  referenceTo: string[];
}

export interface ObjectInfo {
  name: string;
  label: string;
  fields: FieldInfo[];
}

/** What a sync config names (campaign members follow the chosen campaigns). */
export const SYNC_OBJECTS = ['Account', 'Contact', 'AccountTeamMember', 'Lead', 'Campaign'] as const;
export type SyncObject = (typeof SYNC_OBJECTS)[number];

/** Objects Salesforce has list views for, among those a sync reads. */
export const LIST_VIEW_OBJECTS: readonly SyncObject[] = ['Account', 'Contact', 'Lead', 'Campaign'];

export interface SyncObjectConfig {
  fields: string[];
  where: string | null;
  /** A list view's API name: its filter applies too (read again at each run). */
  listView: string | null;
  /** Only these records (the campaigns picked). */
  ids: string[];
  /** Required fields plus the chosen ones, as extracted. */
  extracted?: string[];
  /** An object other than the built-in ones (Client_Contact__c …): the directory file it feeds. */
  loadAs?: 'accounts' | 'contacts';
  /** Such an object's own import mapping (null: the sync's). */
  mapping?: unknown;
}

export interface ListViewInfo {
  id: string;
  developerName: string;
  label: string;
  soqlCompatible: boolean;
}

export interface CampaignInfo {
  id: string;
  name: string;
  status: string | null;
  type: string | null;
  isActive: boolean;
  startDate: string | null;
}

export interface CampaignList {
  campaignId: string;
  mailingListId: number;
  name: string | null;
  synced: boolean;
}

export interface SyncOptions {
  bulkThreshold: number;
  apiBudgetPercent: number;
  overlapMinutes: number;
  reconcileEveryDays: number;
  bulkPageSize: number | null;
}

export interface Sync {
  id: number;
  directoryId: number;
  connectionId: number | null;
  /** The built-in objects, and any other object by its API name (with loadAs). */
  objects: Partial<Record<SyncObject, SyncObjectConfig>> & Record<string, SyncObjectConfig | undefined>;
  mapping: unknown;
  mailingList: string | null;
  schedule: { cron: string; timeZone: string };
  enabled: boolean;
  nextRunAt: string | null;
  options: SyncOptions;
  cursor: Record<string, string> | null;
  lastReconcileAt: string | null;
}

export interface SyncAnswer {
  sync: Sync | null;
  defaults: {
    objects: Record<SyncObject, SyncObjectConfig>;
    enabledObjects: SyncObject[];
    schedule: { cron: string; timeZone: string };
    options: SyncOptions;
  };
  synced: Record<string, number>;
  campaignLists: CampaignList[];
}

export interface ExtractedObject {
  method: 'rest' | 'bulk' | null;
  rows: number;
  deleted: number;
  pages: number;
  full: boolean;
  reconcile: boolean;
  getDeleted: number;
  gone: number;
  fileRows: number;
  listView?: string;
  lists?: { lists: number; added: number; removed: number };
}

export interface SyncRun {
  id: number;
  mode: 'full' | 'delta';
  trigger: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  importRunId: number | null;
  extracted: Partial<Record<SyncObject, ExtractedObject>>;
  apiCalls: number;
  apiUsage: { before: number | null; after: number | null; max: number | null; percent: number } | null;
  reconciled: boolean;
  error: string | null;
  timings: Record<string, number>;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Required by the seed for the Account Management command center: always extracted. */
export const REQUIRED_FIELDS: Record<SyncObject, string[]> = {
  Account: ['Id', 'IsDeleted', 'Name', 'Parent.Id'],
  Contact: ['Id', 'IsDeleted', 'Title', 'AccountId', 'FirstName', 'LastName'],
  AccountTeamMember: ['IsDeleted', 'AccountId', 'User.Email', 'TeamMemberRole'],
  Lead: ['Id', 'IsDeleted', 'FirstName', 'LastName', 'Email'],
  Campaign: ['Id', 'IsDeleted', 'Name', 'Status', 'IsActive'],
};

/** What an object's file always has: the seed's fields, or an other object's Id and IsDeleted. */
export const requiredFieldsOf = (object: string): string[] =>
  (REQUIRED_FIELDS as Record<string, string[]>)[object] ?? ['Id', 'IsDeleted'];

export interface OutboundTrigger {
  id: number;
  directoryId: number;
  connectionId: number | null;
  name: string;
  object: string;
  action:
    | { kind: 'event' }
    | {
        kind: 'survey';
        surveyId: number;
        contactField: string;
        channel: 'email' | 'sms';
        message: Record<string, unknown>;
        embedded: Record<string, string>;
      };
  enabled: boolean;
  /** The endpoint to paste into the Outbound Message definition in Salesforce Setup. */
  url: string;
  lastReceivedAt: string | null;
  createdBy: string;
  createdAt: string;
}

export interface OutboundNotification {
  id: number;
  notificationId: string;
  object: string;
  recordId: string;
  fields: Record<string, string>;
  deliveries: number;
  outcome: string;
  distributionId: number | null;
  detail: string | null;
  receivedAt: string;
  lastDeliveryAt: string;
}

export const WRITEBACK_OPERATIONS = ['insert', 'update', 'upsert', 'delete'] as const;
export type WritebackOperation = (typeof WRITEBACK_OPERATIONS)[number];

export interface Writeback {
  id: number;
  directoryId: number;
  connectionId: number | null;
  name: string;
  object: string;
  operation: WritebackOperation;
  externalIdField: string | null;
  recordId: string | null;
  fields: Record<string, string>;
  condition: string | null;
  bulkThreshold: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface WritebackRun {
  id: number;
  writebackId: number;
  source: string;
  status: string;
  method: string | null;
  counts: Record<string, number>;
  error: string | null;
  createdBy: string;
  startedAt: string;
  finishedAt: string | null;
}

export interface WritebackResult {
  id: number;
  runId: number;
  sourceKey: string;
  outcome: string;
  sfId: string | null;
  errorCode: string | null;
  message: string | null;
}

export interface LeadForm {
  id: number;
  directoryId: number;
  connectionId: number | null;
  name: string;
  mode: 'api' | 'form';
  formUrl: string | null;
  fields: Record<string, string>;
  condition: string | null;
  dailyLimit: number;
  /** Form posts of the last 24 hours: this form's, and the whole org's (the limit is the org's). */
  sentLast24Hours: number;
  orgSentLast24Hours: number;
  createdAt: string;
}

export interface LeadSubmission {
  id: number;
  sourceKey: string;
  mode: string;
  status: string;
  leadId: string | null;
  message: string | null;
  createdAt: string;
}

/** Salesforce's Web-to-Lead allowance per org and 24 hours. */
export const WEB_TO_LEAD_DAILY_LIMIT = 500;
