import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFiles } from '../../test/harness/import-helpers.ts';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';
import {
  accountsCsv,
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
let names = 0;

const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: cx.authorization },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

/**
 * The rules name exactly these members (external references), the same three ways: the live
 * preview (count and sample), a saved segment's count, and its stored query run by the database
 * function distributions use.
 */
async function expectMembers(entity: 'contact' | 'account', rules: unknown, expected: string[]) {
  const refs = entity === 'contact' ? f.contact : f.account;
  const preview = await api('POST', `/directories/${f.dir}/segments/preview`, { entity, rules });
  expect(preview.statusCode, preview.body).toBe(200);
  const body = preview.json() as { count: number; sample: { id: number }[] };
  expect(
    refsOf(
      body.sample.map((m) => m.id),
      refs,
    ),
  ).toEqual([...expected].sort());
  expect(body.count).toBe(expected.length);

  const saved = await api('POST', `/directories/${f.dir}/segments`, {
    name: `rule ${++names}`,
    entity,
    rules,
  });
  expect(saved.statusCode, saved.body).toBe(201);
  expect(saved.json().count).toBe(expected.length);
  const rows = await t.runtime.db.query<{ member_id: number; member_entity: string }>(
    'SELECT member_id, member_entity FROM rapport_segment_members($1, $2)',
    [saved.json().id, f.directoryId],
  );
  expect(
    refsOf(
      rows.map((r) => r.member_id),
      refs,
    ),
  ).toEqual([...expected].sort());
  expect(new Set(rows.map((r) => r.member_entity))).toEqual(new Set(rows.length ? [entity] : []));
}

async function expectProblem(
  entity: 'contact' | 'account',
  rules: unknown,
  path: string,
  message: string | RegExp,
) {
  const response = await api('POST', `/directories/${f.dir}/segments/preview`, { entity, rules });
  expect(response.statusCode, response.body).toBe(400);
  const details = response.json().error.details as { path: string; message: string }[];
  expect(details, response.body).toContainEqual({
    path,
    message: typeof message === 'string' ? message : expect.stringMatching(message),
  });
}

beforeAll(async () => {
  t = await createTestApp();
  cx = await t.bearerFor('cx_manager');
  f = await loadSegmentFixture(t);
});
afterAll(() => t.close());

describe('contact conditions', () => {
  it('compares contact fields, case-insensitively for text', async () => {
    await expectMembers(
      'contact',
      { type: 'field', field: 'email', op: 'ends_with', value: '@ACME.example' },
      ['K1', 'K2', 'K3'],
    );
    await expectMembers('contact', { type: 'field', field: 'language', op: 'starts_with', value: 'fr' }, [
      'K1',
      'K3',
    ]);
    await expectMembers('contact', { type: 'field', field: 'firstName', op: 'eq', value: 'alice' }, ['K1']);
    await expectMembers('contact', { type: 'field', field: 'firstName', op: 'contains', value: 'LO' }, [
      'K3',
    ]);
    await expectMembers(
      'contact',
      { type: 'field', field: 'externalRef', op: 'in', value: ['k5', 'K6', 'nope'] },
      ['K5', 'K6'],
    );
    await expectMembers('contact', { type: 'field', field: 'emailOptOut', op: 'eq', value: true }, ['K3']);
    await expectMembers('contact', { type: 'field', field: 'consent', op: 'is_empty' }, [
      'K1',
      'K2',
      'K3',
      'K4',
      'K5',
      'K6',
    ]);
    await expectMembers('contact', { type: 'field', field: 'createdAt', op: 'within_last_days', value: 1 }, [
      'K1',
      'K2',
      'K3',
      'K4',
      'K5',
      'K6',
    ]);
  });

  it('compares attributes by their declared type, their names case-insensitively', async () => {
    await expectMembers('contact', { type: 'attribute', name: 'seats', op: 'gte', value: 10 }, ['K1', 'K3']);
    await expectMembers('contact', { type: 'attribute', name: 'SEATS', op: 'between', value: [2, 10] }, [
      'K1',
      'K2',
    ]);
    await expectMembers('contact', { type: 'attribute', name: 'Seats', op: 'is_empty' }, ['K4', 'K5']);
    await expectMembers(
      'contact',
      { type: 'attribute', name: 'Plan', op: 'in', value: ['pro', 'ENTERPRISE'] },
      ['K1', 'K3', 'K4'],
    );
    await expectMembers('contact', { type: 'attribute', name: 'Department', op: 'neq', value: 'sales' }, [
      'K2',
      'K4',
      'K5',
      'K6',
    ]);
    await expectMembers('contact', { type: 'attribute', name: 'Champion', op: 'eq', value: true }, ['K1']);
    await expectMembers(
      'contact',
      { type: 'attribute', name: 'LastLogin', op: 'within_last_days', value: 30 },
      ['K1'],
    );
    await expectMembers(
      'contact',
      { type: 'attribute', name: 'LastLogin', op: 'more_than_days_ago', value: 30 },
      ['K2'],
    );
    await expectMembers(
      'contact',
      { type: 'attribute', name: 'LastLogin', op: 'lt', value: daysFromNow(-3) },
      ['K2'],
    );
    await expectMembers(
      'contact',
      { type: 'attribute', name: 'LastLogin', op: 'eq', value: daysFromNow(-3) },
      ['K1'],
    );
  });

  it('names the path and the reason of a value that does not fit its attribute', async () => {
    await expectProblem(
      'contact',
      {
        all: [
          { type: 'field', field: 'email', op: 'is_not_empty' },
          { type: 'attribute', name: 'Seats', op: 'gt', value: 'lots' },
        ],
      },
      'rules.all[1].value',
      'expected a number for attribute Seats',
    );
    await expectProblem(
      'account',
      { all: [{ root: true }] },
      'rules.all[0].type',
      /Invalid discriminator value. Expected 'field' \| 'attribute' \| 'root'/,
    );
    await expectProblem(
      'account',
      {
        all: [
          { type: 'root' },
          { type: 'root' },
          { type: 'attribute', name: 'ARR', op: 'gt', value: 'a lot' },
        ],
      },
      'rules.all[2].value',
      'expected a number for attribute ARR',
    );
    await expectProblem(
      'account',
      { any: [{ type: 'attribute', name: 'Region', op: 'eq', value: 'Mars' }] },
      'rules.any[0].value',
      'expected one of AMER, APAC, EMEA for attribute Region',
    );
    await expectProblem(
      'contact',
      { not: { type: 'attribute', name: 'Plan', op: 'gt', value: 'Pro' } },
      'rules.not.op',
      /the operator gt does not apply to a list of values \(attribute Plan\)/,
    );
    await expectProblem(
      'contact',
      { type: 'attribute', name: 'Shoe size', op: 'eq', value: 42 },
      'rules.name',
      /no contact attribute "Shoe size"/,
    );
    await expectProblem(
      'contact',
      { type: 'attribute', name: 'LastLogin', op: 'gte', value: '31/12/2024' },
      'rules.value',
      /expected a date such as 2024-03-31/,
    );
    await expectProblem(
      'contact',
      { type: 'field', field: 'shoeSize', op: 'eq', value: 1 },
      'rules.field',
      /Invalid option/,
    );
    let deep: unknown = { type: 'account' };
    for (let i = 0; i < 100; i++) deep = { not: deep };
    await expectProblem('contact', deep, 'rules', 'the rules nest too deep');
    await expectProblem(
      'contact',
      { all: [{ type: 'mailingList', mailingListId: 999_999 }] },
      'rules.all[0].mailingListId',
      'no mailing list 999999',
    );
  });

  it('holds a client role, in any account or in accounts matching account conditions', async () => {
    await expectMembers('contact', { type: 'account', roles: ['DECISION_MAKER'] }, ['K1', 'K3']);
    await expectMembers('contact', { type: 'account' }, ['K1', 'K2', 'K3', 'K4', 'K5']);
    await expectMembers(
      'contact',
      { type: 'account', where: { type: 'attribute', name: 'ARR', op: 'gt', value: 100_000 } },
      ['K1', 'K2'],
    );
    await expectMembers(
      'contact',
      {
        type: 'account',
        roles: ['DECISION_MAKER', 'END_USER'],
        where: {
          all: [{ type: 'attribute', name: 'Region', op: 'eq', value: 'emea' }, { not: { type: 'root' } }],
        },
      },
      ['K2', 'K3'],
    );
  });

  it('belongs to a mailing list', async () => {
    await expectMembers('contact', { type: 'mailingList', mailingListId: f.listId }, [
      'K1',
      'K2',
      'K3',
      'K4',
      'K5',
      'K6',
    ]);
  });

  it('response facts: completed, none in N days, latest NPS category and score', async () => {
    await expectMembers('contact', { type: 'responded', withinDays: 30 }, ['K1', 'K2']);
    await expectMembers('contact', { type: 'responded', surveyId: f.surveys.s2 }, ['K3']);
    await expectMembers('contact', { type: 'responded' }, ['K1', 'K2', 'K3', 'K4']);
    await expectMembers('contact', { type: 'noResponse', withinDays: 30 }, ['K3', 'K4', 'K5', 'K6']);
    await expectMembers('contact', { type: 'npsCategory', categories: ['detractor'], withinDays: 30 }, [
      'K2',
    ]);
    await expectMembers('contact', { type: 'npsCategory', categories: ['detractor'], withinDays: 60 }, [
      'K2',
      'K3',
    ]);
    // K1's latest answer (a promoter) replaces the older detractor one.
    await expectMembers('contact', { type: 'npsCategory', categories: ['detractor'] }, ['K2', 'K3']);
    await expectMembers(
      'contact',
      { type: 'npsCategory', categories: ['promoter'], surveyId: f.surveys.s1 },
      ['K1', 'K4'],
    );
    await expectMembers('contact', { type: 'npsScore', op: 'lte', value: 4 }, ['K2', 'K3']);
    await expectMembers('contact', { type: 'npsScore', op: 'gte', value: 9, withinDays: 365 }, ['K1', 'K4']);
    await expectMembers('contact', { type: 'npsScore', op: 'gte', value: 9, withinDays: 30 }, ['K1']);
    await expectProblem(
      'contact',
      { type: 'responded', surveyId: 999_999 },
      'rules.surveyId',
      'no survey 999999',
    );
  });

  it('nests all/any groups and not, with not as the exact complement of what it wraps', async () => {
    await expectMembers(
      'contact',
      {
        any: [
          {
            all: [
              { type: 'field', field: 'language', op: 'starts_with', value: 'fr' },
              { type: 'attribute', name: 'Seats', op: 'gt', value: 20 },
            ],
          },
          { not: { type: 'account' } },
        ],
      },
      ['K3', 'K6'],
    );
    // Seats gt 5 is unknown for K4 and K5 (no seats): `not` includes them.
    await expectMembers('contact', { not: { type: 'attribute', name: 'Seats', op: 'gt', value: 5 } }, [
      'K2',
      'K4',
      'K5',
      'K6',
    ]);
    await expectMembers(
      'contact',
      { not: { not: { type: 'attribute', name: 'Seats', op: 'gt', value: 5 } } },
      ['K1', 'K3'],
    );
    await expectMembers('contact', { all: [] }, ['K1', 'K2', 'K3', 'K4', 'K5', 'K6']);
    await expectMembers('contact', { any: [] }, []);
    await expectMembers(
      'contact',
      {
        all: [
          {
            any: [
              { type: 'attribute', name: 'Plan', op: 'eq', value: 'Pro' },
              { type: 'npsCategory', categories: ['detractor'] },
            ],
          },
          {
            not: {
              any: [
                { type: 'field', field: 'emailOptOut', op: 'eq', value: true },
                { type: 'field', field: 'language', op: 'eq', value: 'en' },
              ],
            },
          },
        ],
      },
      ['K1'],
    );
  });
});

describe('account conditions', () => {
  it('compares account fields and typed attributes', async () => {
    await expectMembers('account', { type: 'attribute', name: 'arr', op: 'gt', value: 100_000 }, [
      'A1',
      'A2',
    ]);
    await expectMembers('account', { type: 'attribute', name: 'ARR', op: 'is_empty' }, ['C1']);
    await expectMembers('account', { not: { type: 'attribute', name: 'ARR', op: 'gt', value: 100_000 } }, [
      'A3',
      'B1',
      'C1',
    ]);
    await expectMembers('account', { type: 'attribute', name: 'Region', op: 'in', value: ['emea', 'APAC'] }, [
      'A1',
      'A2',
      'A3',
      'C1',
    ]);
    await expectMembers(
      'account',
      { type: 'attribute', name: 'RenewalDate', op: 'within_next_days', value: 30 },
      ['A1', 'B1'],
    );
    await expectMembers(
      'account',
      { type: 'attribute', name: 'RenewalDate', op: 'between', value: [daysFromNow(1), daysFromNow(10)] },
      ['A1', 'B1'],
    );
    await expectMembers(
      'account',
      { type: 'field', field: 'displayName', op: 'starts_with', value: 'acme' },
      ['A1', 'A2', 'A3'],
    );
  });

  it('hierarchy: roots, descendants of an account, depth', async () => {
    await expectMembers('account', { type: 'root' }, ['A1', 'B1', 'C1']);
    await expectMembers('account', { type: 'descendantOf', accountId: f.account.A1 }, ['A2', 'A3']);
    await expectMembers('account', { type: 'descendantOf', accountId: f.account.A2, includeSelf: true }, [
      'A2',
      'A3',
    ]);
    await expectMembers('account', { type: 'depth', op: 'eq', value: 2 }, ['A3']);
    await expectMembers('account', { type: 'depth', op: 'gte', value: 1 }, ['A2', 'A3']);
    await expectProblem(
      'account',
      { type: 'descendantOf', accountId: 999_999 },
      'rules.accountId',
      'no account 999999',
    );
  });

  it('account team: a member by email or by role', async () => {
    await expectMembers('account', { type: 'team', email: 'OWNER.ONE@acme.example' }, ['A1']);
    await expectMembers('account', { type: 'team', role: 'CUSTOMER_SUCCESS_MANAGER' }, ['A2']);
    await expectMembers('account', { type: 'team', role: 'ACCOUNT_OWNER' }, ['A1', 'B1']);
    await expectMembers('account', { not: { type: 'team' } }, ['A3', 'C1']);
  });

  it("response facts over the account's contacts: account NPS, a detractor decision maker", async () => {
    // A1: K1 promoter → 100; A2: K2 detractor → −100; A3: K3 detractor (40 days ago).
    await expectMembers('account', { type: 'nps', op: 'lt', value: 0, withinDays: 30 }, ['A2']);
    await expectMembers('account', { type: 'nps', op: 'lt', value: 0, withinDays: 90 }, ['A2', 'A3']);
    await expectMembers('account', { type: 'nps', op: 'gte', value: 50, withinDays: 90 }, ['A1']);
    // A1 with its subtree: K1 promoter, K2 and K3 detractors → −33.3.
    await expectMembers(
      'account',
      { type: 'nps', op: 'between', value: [-34, -33], withinDays: 90, includeDescendants: true },
      ['A1'],
    );
    await expectMembers('account', { type: 'nps', op: 'lt', value: 0, withinDays: 90, minResponses: 2 }, []);
    await expectMembers(
      'account',
      {
        type: 'contacts',
        roles: ['DECISION_MAKER'],
        where: { type: 'npsCategory', categories: ['detractor'], withinDays: 90 },
      },
      ['A3'],
    );
    await expectMembers('account', { type: 'contacts', min: 1 }, ['A1', 'A2', 'A3', 'B1', 'C1']);
    await expectMembers('account', { not: { type: 'contacts', where: { type: 'responded' } } }, ['C1']);
  });

  it('contact segments through their accounts, accounts through their contacts, nested', async () => {
    await expectMembers(
      'contact',
      {
        type: 'account',
        where: {
          type: 'contacts',
          where: { type: 'npsCategory', categories: ['detractor'], withinDays: 30 },
        },
      },
      ['K2'],
    );
  });
});

describe('transactions (attribute history)', () => {
  it('finds a change of an attribute or field, within N days, from a value to another', async () => {
    const { run } = await importFiles(
      t.runtime.db,
      t.runtime.secrets,
      f.directoryId,
      {
        accounts: accountsCsv({ B1: `B1,Beta Corp,,95000,AMER,${daysFromNow(5)}` }),
        contacts: contactsCsv({
          K2: `K2,A2,END_USER,Bob,Stone,bob@acme.example,en,false,Support,3,Pro,false,${daysFromNow(-45)}`,
          K4: 'K4,B1,INFLUENCER,Daniel,Beta,dan@beta.example,en,false,Sales,,Pro,,',
        }),
      },
      { mapping: SEGMENT_MAPPING },
    );
    expect(run.status).toBe('succeeded');
    await expectMembers('contact', { type: 'changed', attribute: 'plan', withinDays: 1 }, ['K2']);
    await expectMembers('contact', { type: 'changed', attribute: 'Plan', from: 'basic', to: 'PRO' }, ['K2']);
    await expectMembers('contact', { type: 'changed', attribute: 'Plan', to: 'Enterprise' }, []);
    await expectMembers('contact', { type: 'changed', attribute: 'Department', from: null, to: 'Sales' }, [
      'K4',
    ]);
    await expectMembers('contact', { type: 'changed', field: 'firstName' }, ['K4']);
    await expectMembers('account', { type: 'changed', attribute: 'ARR', from: 80_000, to: 95_000 }, ['B1']);
    await expectProblem(
      'contact',
      { type: 'changed', attribute: 'Seats', from: 'many' },
      'rules.from',
      'expected a number for attribute Seats',
    );
    await expectProblem(
      'contact',
      { type: 'changed', field: 'shoeSize' },
      'rules.field',
      /records these fields/,
    );

    // A change 40 days ago is outside the last 30 days.
    await t.runtime.db.query(
      `UPDATE attribute_history SET changed_at = now() - interval '40 days'
       WHERE entity = 'contact' AND entity_id = $1 AND field = 'Plan'`,
      [f.contact.K2],
    );
    await expectMembers('contact', { type: 'changed', attribute: 'Plan', withinDays: 30 }, []);
    await expectMembers('contact', { type: 'changed', attribute: 'Plan', withinDays: 60 }, ['K2']);
  });
});
