import type { Definition } from './definition-edit.ts';

export type SurveyStatus = 'draft' | 'active' | 'closed';

export interface Survey {
  id: number;
  directoryId: number;
  name: string;
  status: SurveyStatus;
  currentVersion: number;
  embeddedFields: string[];
  metrics: { npsQuestion?: string; csatQuestion?: string };
  allowMultipleResponses: boolean;
  createdAt: string;
  updatedAt: string;
  activatedAt: string | null;
  closedAt: string | null;
}

export interface SurveyDetail extends Survey {
  definition: Definition;
  versions: { version: number; createdAt: string; createdBy: string }[];
}

export interface SurveyTemplate {
  key: string;
  name: string;
  description: string;
  embeddedFields: string[];
  definition: Definition;
}

export interface SurveyLink {
  id: number;
  kind: 'personal' | 'anonymous' | 'callScript';
  token: string;
  path: string;
  template?: string;
  contactId: number | null;
  expiresAt: string | null;
}

export const STATUS_COLORS: Record<SurveyStatus, string> = { draft: 'gray', active: 'green', closed: 'red' };
