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

export const SYNC_OBJECTS = ['Account', 'Contact', 'AccountTeamMember', 'Lead'] as const;
export type SyncObject = (typeof SYNC_OBJECTS)[number];

export interface SyncObjectConfig {
  fields: string[];
  where: string | null;
  /** Required fields plus the chosen ones, as extracted. */
  extracted?: string[];
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
  objects: Partial<Record<SyncObject, SyncObjectConfig>>;
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
};
