/** The shapes of GET /surveys/:id/results and the response widget (src/surveys/results.routes.ts). */

export interface Nps {
  score: number;
  n: number;
  promoters: number;
  passives: number;
  detractors: number;
  margin: number;
  low: number;
  high: number;
}

export interface Csat {
  n: number;
  satisfied: { percent: number; low: number; high: number } | null;
  score: { mean: number; low: number; high: number } | null;
}

export interface Metrics {
  responses: number;
  nps: Nps | null;
  csat: Csat | null;
}

type Value = string | number | boolean;

export interface QuestionResult {
  name: string;
  type: string;
  kind: 'single' | 'multiple' | 'rating' | 'boolean' | 'matrix' | 'text' | 'other';
  title: string;
  answered: number;
  options: { value: Value; text: string; count: number }[];
  rows: { value: Value; text: string; counts: { value: Value; count: number }[] }[];
  mean: number | null;
  texts: { total: number; items: { responseId: number; text: string; at: string }[] } | null;
}

export interface SurveyResults extends Metrics {
  survey: {
    id: number;
    name: string;
    currentVersion: number;
    metrics: { npsQuestion?: string; csatQuestion?: string };
  };
  counts: {
    complete: number;
    partial: number;
    completionRate: number | null;
    firstCompletedAt: string | null;
    lastCompletedAt: string | null;
  };
  trend: { unit: 'day' | 'week' | 'month'; points: ({ bucket: string } & Metrics)[] };
  byRole: ({ role: string } & Metrics)[];
  questions: QuestionResult[];
}

export interface ResponseWidget {
  record: { field: 'sfContactId' | 'sfLeadId' | 'sfAccountId'; value: string };
  locale: string | null;
  expiresAt: string;
  responses: number;
  lastResponseAt: string | null;
  nps: Nps | null;
  csat: number | null;
  latest: {
    id: number;
    survey: string;
    completedAt: string;
    contactName: string | null;
    npsScore: number | null;
    npsCategory: string | null;
    csatScore: number | null;
    comments: { question: string; text: string }[];
  }[];
}

/** Below this many answers an NPS moves by more than ±30 points: say so instead of implying precision. */
export const LOW_SAMPLE = 30;

export const NPS_COLORS = { promoter: 'teal', passive: 'yellow', detractor: 'red' } as const;
