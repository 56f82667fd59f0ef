/** A survey response as the list endpoint returns it (GET /surveys/:id/responses). */
export interface SurveyResponse {
  id: number;
  surveyId: number;
  version: number;
  status: 'partial' | 'complete';
  contactId: number | null;
  accountId: number | null;
  channel: string;
  language: string | null;
  answers: Record<string, unknown>;
  embedded: Record<string, unknown>;
  npsScore: number | null;
  npsCategory: NpsCategory | null;
  csatScore: number | null;
  csatSatisfied: boolean | null;
  externalRef: string | null;
  startedAt: string;
  completedAt: string | null;
  contact: { id: number; externalRef: string | null; email: string | null; name: string | null } | null;
  account: { id: number; externalRef: string; name: string } | null;
}

export const NPS_CATEGORIES = ['detractor', 'passive', 'promoter'] as const;
export type NpsCategory = (typeof NPS_CATEGORIES)[number];
export const NPS_COLORS: Record<NpsCategory, string> = {
  detractor: 'red',
  passive: 'yellow',
  promoter: 'green',
};

/** A line of an import file and what is wrong with it (line 1 is the header). */
export interface ImportIssue {
  line: number;
  column: string | null;
  reason: string;
}

/** POST /surveys/:id/responses/import answers this when the file can be imported (or was). */
export interface ResponsesImportReport {
  dryRun: boolean;
  rows: number;
  created: number;
  skipped: number;
  warningCount: number;
  warnings: ImportIssue[];
}

/** The details of a 400 import_rejected: nothing was stored. */
export interface ResponsesImportRejection {
  rows: number;
  problemCount: number;
  problems: ImportIssue[];
  warningCount: number;
  warnings: ImportIssue[];
}
