import { eq } from 'drizzle-orm';
import type { Response as InjectResponse } from 'light-my-request';
import { expect } from 'vitest';
import { csvFile, importFiles } from '../../test/harness/import-helpers.ts';
import { createTestApp, type TestApp, type TestAppOptions } from '../../test/harness/test-app.ts';
import { dispatchEvents } from './dispatch.ts';
import { workflowRuns } from './workflows.schema.ts';

/** What the workflow tests share: a directory with accounts, contacts and teams, an NPS survey, helpers. */

export type Auth = { authorization: string };
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export const NPS_SURVEY = {
  pages: [
    {
      name: 'p1',
      elements: [
        { type: 'rating', name: 'nps', rateMin: 0, rateMax: 10, title: 'Recommend us?', isRequired: true },
        { type: 'comment', name: 'why', title: 'Why?' },
        { type: 'radiogroup', name: 'plan', choices: ['gold', 'silver'] },
      ],
    },
  ],
};

/** Accounts with a hierarchy, contacts with client roles, and an ACCOUNT_OWNER for each account. */
export const FILES = {
  accounts: [
    'Id,IsDeleted,Name,Parent.Id',
    '001A,false,Cloud Kicks Holdings,',
    '001B,false,Get Cloudy Consulting,001A',
  ],
  contacts: [
    'Id,IsDeleted,AccountId,Title,FirstName,LastName,Email',
    '003A,false,001B,Sales Manager,Alan,Johnson,alan@gogetcloudy.com',
    '003B,false,001B,Analyst,Leung,Chan,leung@gogetcloudy.com',
    '003C,false,001A,CEO,Zoe,Lukas,zoe@cloudkicks.example',
  ],
  team: [
    'AccountId,User.Email,TeamMemberRole,IsDeleted',
    '001B,owner.b@cloudkicks.example,Account Manager,false',
    '001B,csm.b@cloudkicks.example,Customer Success Manager,false',
    '001A,owner.a@cloudkicks.example,ACCOUNT_OWNER,false',
  ],
};

export interface WorkflowWorld {
  t: TestApp;
  cx: Auth;
  cxEmail: string;
  api: (method: Method, url: string, payload?: unknown, auth?: Auth) => Promise<InjectResponse>;
  directoryId: number;
  surveyId: number;
  /** Contacts and accounts by external reference. */
  ids: Record<string, number>;
  respond(contactRef: string, answers: Record<string, unknown>): Promise<number>;
  /** Reads the event streams until nothing new is left; returns the runs started. */
  dispatch(): Promise<number>;
  waitRun(runId: number, timeoutMs?: number): Promise<RunDetail>;
  outbox(): Promise<
    {
      toAddress: string;
      subject: string;
      text: string;
      distributionId: number | null;
      headers: Record<string, string>;
    }[]
  >;
  runsOf(workflowId: number): Promise<(typeof workflowRuns.$inferSelect)[]>;
  close(): Promise<void>;
}

export interface RunDetail {
  id: number;
  status: string;
  error: string | null;
  triggerData: Record<string, unknown>;
  tasks: {
    key: string;
    status: string;
    attempts: number;
    input: Record<string, unknown>;
    output: Record<string, unknown>;
    error: string | null;
    durationMs: number | null;
  }[];
}

export async function createWorkflowWorld(
  options: TestAppOptions & { workers?: boolean } = {},
): Promise<WorkflowWorld> {
  const t = await createTestApp(options);
  if (options.workers !== false) await t.runtime.jobs.startWorkers(t.runtime);
  const cxEmail = `cx-${Math.random().toString(36).slice(2, 8)}@cloudkicks.example`;
  const cx = await t.bearerFor('cx_manager', cxEmail);
  const api: WorkflowWorld['api'] = (method, url, payload, auth = cx) =>
    t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: auth.authorization },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const dir = await api('POST', '/directories', { name: 'Main' });
  expect(dir.statusCode, dir.body).toBe(201);
  const { run } = await importFiles(t.runtime.db, t.runtime.secrets, 'Main', {
    accounts: csvFile('Account.csv', FILES.accounts),
    contacts: csvFile('Contact.csv', FILES.contacts),
    teamMembers: csvFile('AccountTeamMember.csv', FILES.team),
  });
  expect(run.status).toBe('succeeded');
  const ids: Record<string, number> = {};
  for (const table of ['accounts', 'contacts']) {
    const rows = await t.runtime.db.query<{ id: number; external_ref: string }>(
      `SELECT id, external_ref FROM ${table}`,
    );
    for (const r of rows) ids[r.external_ref] = Number(r.id);
  }
  const survey = await api('POST', '/directories/Main/surveys', {
    name: 'Relationship 2026',
    definition: NPS_SURVEY,
    metrics: { npsQuestion: 'nps' },
    embeddedFields: ['sfAccountId'],
  });
  expect(survey.statusCode, survey.body).toBe(201);
  const surveyId = survey.json().id as number;
  expect((await api('POST', `/surveys/${surveyId}/activate`)).statusCode).toBe(200);
  // The dispatcher starts reading from now.
  await dispatchEvents(t.runtime);

  const world: WorkflowWorld = {
    t,
    cx,
    cxEmail,
    api,
    directoryId: dir.json().id as number,
    surveyId,
    ids,
    async respond(contactRef, answers) {
      const link = await api('POST', `/surveys/${surveyId}/links`, { contactId: ids[contactRef] });
      expect(link.statusCode, link.body).toBe(201);
      const saved = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/public/links/${link.json().token}/response`,
        payload: { answers, complete: true },
      });
      expect(saved.statusCode, saved.body).toBe(200);
      return saved.json().responseId as number;
    },
    async dispatch() {
      let runs = 0;
      for (let i = 0; i < 20; i++) {
        const result = await dispatchEvents(t.runtime);
        runs += result.runs;
        if (result.events === 0) break;
      }
      return runs;
    },
    async waitRun(runId, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = await api('GET', `/workflow-runs/${runId}`);
        expect(r.statusCode, r.body).toBe(200);
        const run = r.json() as RunDetail;
        if (['succeeded', 'failed', 'cancelled'].includes(run.status)) return run;
        if (Date.now() > deadline) throw new Error(`run ${runId} did not end: ${r.body}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async outbox() {
      const r = await api('GET', '/outbox?channel=email&limit=200');
      expect(r.statusCode, r.body).toBe(200);
      return r.json().items;
    },
    runsOf: (workflowId) =>
      t.runtime.db.orm.select().from(workflowRuns).where(eq(workflowRuns.workflowId, workflowId)),
    close: () => t.close(),
  };
  return world;
}

/** Brings a delayed job forward (a task's retry backoff) instead of sleeping through it. */
export async function runDelayedNow(t: TestApp, queue = 'workflows.advance') {
  await t.runtime.db.query(
    `UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND state IN ('created', 'retry') AND start_after > now()`,
    [queue],
  );
}
