import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/harness/distributions.ts';
import { importFiles } from '../../test/harness/import-helpers.ts';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';
import {
  contactsCsv,
  daysFromNow,
  loadSegmentFixture,
  refsOf,
  SEGMENT_MAPPING,
  type SegmentFixture,
} from './testing.ts';

let t: TestApp;
let f: SegmentFixture;
let cx: { authorization: string };
let surveyId: number;

const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: cx.authorization },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

const MESSAGE = {
  fromName: 'Acme CX',
  fromAddress: 'cx@acme.example',
  subject: 'How are we doing, {{ contact.firstName }}?',
  text: 'Hello {{ contact.firstName }} of {{ account.name | default: "your company" }}: {{ link }}\n{{ unsubscribe_link }}',
};

const finished = (id: number) =>
  waitFor(
    async () => (await api('GET', `/distributions/${id}`)).json(),
    (d) => ['completed', 'failed', 'paused'].includes(d.status),
    `distribution ${id}`,
  );

async function sentTo(distributionId: number) {
  const items = (await api('GET', `/outbox?channel=email&distributionId=${distributionId}&limit=200`)).json()
    .items as { toAddress: string; text: string }[];
  return items;
}

async function recipients(distributionId: number) {
  const rows = await t.runtime.db.query<{ contact_id: number; account_id: number | null; status: string }>(
    'SELECT contact_id, account_id, status FROM distribution_recipients WHERE distribution_id = $1 ORDER BY contact_id',
    [distributionId],
  );
  return rows.map((r) => ({
    contact: refsOf([r.contact_id], f.contact)[0],
    account: r.account_id === null ? null : refsOf([r.account_id], f.account)[0],
    status: r.status,
  }));
}

beforeAll(async () => {
  t = await createTestApp();
  await t.runtime.jobs.startWorkers(t.runtime);
  cx = await t.bearerFor('cx_manager');
  f = await loadSegmentFixture(t, 'Distributions');
  const survey = await api('POST', `/directories/${f.dir}/surveys`, {
    name: 'Relationship NPS',
    definition: { elements: [{ type: 'rating', name: 'nps', rateMin: 0, rateMax: 10, isRequired: true }] },
    metrics: { npsQuestion: 'nps' },
  });
  expect(survey.statusCode, survey.body).toBe(201);
  surveyId = survey.json().id;
  expect((await api('POST', `/surveys/${surveyId}/activate`)).statusCode).toBe(200);
});
afterAll(() => t.close());

describe('a segment as the recipients of a distribution', () => {
  it('sends to exactly its members, evaluated when the distribution starts (always current)', async () => {
    const segment = await api('POST', `/directories/${f.dir}/segments`, {
      name: 'Pro plan',
      entity: 'contact',
      rules: { type: 'attribute', name: 'Plan', op: 'eq', value: 'Pro' },
    });
    expect(segment.statusCode, segment.body).toBe(201);
    expect(segment.json().count).toBe(2);
    const recipientsRule = { type: 'segment', segmentId: segment.json().id };
    expect((await api('POST', `/directories/${f.dir}/audience-count`, recipientsRule)).json()).toEqual({
      contacts: 2,
    });

    const body = {
      surveyId,
      name: 'Pro plan check-in',
      channel: 'email',
      recipients: recipientsRule,
      message: MESSAGE,
    };
    const draft = await api('POST', `/directories/${f.dir}/distributions`, { ...body, draft: true });
    expect(draft.statusCode, draft.body).toBe(201);

    // Bob moves to Pro after the distribution was written: the segment follows.
    const { run } = await importFiles(
      t.runtime.db,
      t.runtime.secrets,
      f.directoryId,
      {
        contacts: contactsCsv({
          K2: `K2,A2,END_USER,Bob,Stone,bob@acme.example,en,false,Support,3,Pro,false,${daysFromNow(-45)}`,
        }),
      },
      { mapping: SEGMENT_MAPPING },
    );
    expect(run.status).toBe('succeeded');
    expect((await api('POST', `/directories/${f.dir}/audience-count`, recipientsRule)).json()).toEqual({
      contacts: 3,
    });

    const scheduled = await api('PUT', `/distributions/${draft.json().id}`, body);
    expect(scheduled.statusCode, scheduled.body).toBe(200);
    const done = await finished(draft.json().id);
    expect(done.status).toBe('completed');

    const members = (await api('GET', `/segments/${segment.json().id}/members`)).json().items as {
      id: number;
      email: string;
    }[];
    const sent = await sentTo(done.id);
    expect(sent.map((m) => m.toAddress).sort()).toEqual(members.map((m) => m.email).sort());
    expect(sent.map((m) => m.toAddress).sort()).toEqual([
      'alice@acme.example',
      'bob@acme.example',
      'dan@beta.example',
    ]);
    expect(sent.find((m) => m.toAddress === 'bob@acme.example')!.text).toContain('Hello Bob of Acme France');
    expect(await recipients(done.id)).toEqual([
      { contact: 'K1', account: 'A1', status: 'sent' },
      { contact: 'K2', account: 'A2', status: 'sent' },
      { contact: 'K4', account: 'B1', status: 'sent' },
    ]);

    // Invited but did not respond: the three, until one of them answers.
    const invited = { entity: 'contact', rules: { type: 'invitedNoResponse', surveyId, withinDays: 7 } };
    const before = (await api('POST', `/directories/${f.dir}/segments/preview`, invited)).json();
    expect(
      refsOf(
        before.sample.map((m: { id: number }) => m.id),
        f.contact,
      ),
    ).toEqual(['K1', 'K2', 'K4']);
    const alice = sent.find((m) => m.toAddress === 'alice@acme.example')!;
    const token = /\/s\/([\w-]+)/.exec(alice.text)![1]!;
    const answered = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/public/links/${token}/response`,
      payload: { answers: { nps: 3 }, complete: true },
    });
    expect(answered.statusCode, answered.body).toBe(200);
    const after = (await api('POST', `/directories/${f.dir}/segments/preview`, invited)).json();
    expect(
      refsOf(
        after.sample.map((m: { id: number }) => m.id),
        f.contact,
      ),
    ).toEqual(['K2', 'K4']);
    // … and her answer is now her latest NPS.
    const detractors = (
      await api('POST', `/directories/${f.dir}/segments/preview`, {
        entity: 'contact',
        rules: { type: 'npsCategory', categories: ['detractor'], surveyId, withinDays: 1 },
      })
    ).json();
    expect(
      refsOf(
        detractors.sample.map((m: { id: number }) => m.id),
        f.contact,
      ),
    ).toEqual(['K1']);
  });

  it('an account segment sends to the contacts holding the given roles in its accounts', async () => {
    const segment = await api('POST', `/directories/${f.dir}/segments`, {
      name: 'EMEA accounts',
      entity: 'account',
      rules: { type: 'attribute', name: 'Region', op: 'eq', value: 'EMEA' },
    });
    expect(segment.json().count).toBe(3);
    const every = { type: 'segment', segmentId: segment.json().id };
    expect((await api('POST', `/directories/${f.dir}/audience-count`, every)).json()).toEqual({
      contacts: 3,
    });
    const deciders = { ...every, roles: ['DECISION_MAKER'] };
    expect((await api('POST', `/directories/${f.dir}/audience-count`, deciders)).json()).toEqual({
      contacts: 2,
    });

    const created = await api('POST', `/directories/${f.dir}/distributions`, {
      surveyId,
      name: 'EMEA decision makers',
      channel: 'email',
      recipients: deciders,
      transactional: true,
      message: { ...MESSAGE, subject: 'A word for decision makers' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const done = await finished(created.json().id);
    expect(await recipients(done.id)).toEqual([
      { contact: 'K1', account: 'A1', status: 'sent' },
      // Chloé opted out of email: a member, excluded by the directory's rules as always.
      { contact: 'K3', account: 'A3', status: 'excluded' },
    ]);
    expect((await sentTo(done.id)).map((m) => m.toAddress)).toEqual(['alice@acme.example']);
  });

  it('a contact segment with roles keeps the members holding one of them; a deleted segment still resolves', async () => {
    const segment = await api('POST', `/directories/${f.dir}/segments`, {
      name: 'Speak French',
      entity: 'contact',
      rules: { type: 'field', field: 'language', op: 'starts_with', value: 'fr' },
    });
    const id = segment.json().id;
    expect(
      (await api('POST', `/directories/${f.dir}/audience-count`, { type: 'segment', segmentId: id })).json(),
    ).toEqual({
      contacts: 2,
    });
    expect(
      (
        await api('POST', `/directories/${f.dir}/audience-count`, {
          type: 'segment',
          segmentId: id,
          roles: ['END_USER'],
        })
      ).json(),
    ).toEqual({ contacts: 0 });
    expect((await api('DELETE', `/segments/${id}`)).statusCode).toBe(204);
    // A distribution scheduled to it before the deletion still finds its members.
    expect(
      (await api('POST', `/directories/${f.dir}/audience-count`, { type: 'segment', segmentId: id })).json(),
    ).toEqual({
      contacts: 2,
    });
    // A segment of another directory names nobody here.
    const other = await api('POST', '/directories', { name: 'Elsewhere' });
    expect(
      (
        await api('POST', `/directories/${other.json().id}/audience-count`, {
          type: 'segment',
          segmentId: id,
        })
      ).json(),
    ).toEqual({ contacts: 0 });
  });
});
