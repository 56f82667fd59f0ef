import { csvFile, FIXTURE_MAPPING, importFiles } from '../../test/harness/import-helpers.ts';
import type { TestApp } from '../../test/harness/test-app.ts';
import type { MappingInput } from '../imports/mapping.ts';

/**
 * A small real directory for the segment tests, loaded through the ordinary import: accounts in a
 * hierarchy with typed attributes and teams, contacts with roles and typed attributes, two surveys
 * and responses completed at known times in the past.
 *
 *   A1 Acme Holdings (root, EMEA, ARR 500000, renews in 10 days; team: owner.one ACCOUNT_OWNER)
 *   ├─ A2 Acme France (EMEA, ARR 120000, renews in 60 days; team: csm CUSTOMER_SUCCESS_MANAGER)
 *   │  └─ A3 Acme Lyon (EMEA, ARR 50000, no team)
 *   B1 Beta Corp (root, AMER, ARR 80000, renews in 5 days; team: owner.two ACCOUNT_OWNER)
 *   C1 Gamma KK (root, APAC, no ARR, no team)
 *
 *   K1 Alice Martin   A1 DECISION_MAKER  fr     Sales    10 Pro        champion  NPS 9 (5 d), 3 (100 d)
 *   K2 Bob Stone      A2 END_USER        en     Support   3 Basic                NPS 2 (10 d)
 *   K3 Chloé Dubois   A3 DECISION_MAKER  fr-CA  Sales    25 Enterprise email opt-out, NPS 4 on S2 (40 d)
 *   K4 Dan Beta       B1 INFLUENCER      en               Pro                    NPS 10 (200 d)
 *   K5 Eve Gamma      C1 END_USER        ja                                      a partial response only
 *   K6 Frank Free     (no account)       en     Ops       1 Basic
 */
export const SEGMENT_MAPPING: MappingInput = {
  ...FIXTURE_MAPPING,
  accounts: {
    ...FIXTURE_MAPPING.accounts,
    attributes: [
      { source: 'AnnualRevenue', name: 'ARR', type: 'decimal' },
      { source: 'Region__c', name: 'Region', type: 'enum', values: ['AMER', 'APAC', 'EMEA'] },
      { source: 'RenewalDate__c', name: 'RenewalDate', type: 'datetime' },
    ],
    unmappedCustomFields: 'ignore',
  },
  contacts: {
    ...FIXTURE_MAPPING.contacts,
    attributes: [
      { source: 'Department__c', name: 'Department', type: 'string' },
      { source: 'Seats__c', name: 'Seats', type: 'integer' },
      { source: 'Plan__c', name: 'Plan', type: 'enum', values: ['Basic', 'Pro', 'Enterprise'] },
      { source: 'Champion__c', name: 'Champion', type: 'boolean' },
      { source: 'LastLogin__c', name: 'LastLogin', type: 'datetime' },
    ],
    unmappedCustomFields: 'ignore',
  },
};

const day = 86_400_000;
export const daysFromNow = (days: number) => new Date(Date.now() + days * day).toISOString().slice(0, 10);

export function accountsCsv(overrides: Record<string, string> = {}) {
  const rows: Record<string, string> = {
    A1: `A1,Acme Holdings,,500000,EMEA,${daysFromNow(10)}`,
    A2: `A2,Acme France,A1,120000,emea,${daysFromNow(60)}`,
    A3: 'A3,Acme Lyon,A2,50000,EMEA,',
    B1: `B1,Beta Corp,,80000,AMER,${daysFromNow(5)}`,
    C1: 'C1,Gamma KK,,,APAC,',
    ...overrides,
  };
  return csvFile('Account.csv', [
    'Id,Name,Parent.Id,AnnualRevenue,Region__c,RenewalDate__c',
    ...Object.values(rows),
  ]);
}

export function contactsCsv(overrides: Record<string, string> = {}) {
  const rows: Record<string, string> = {
    K1: `K1,A1,DECISION_MAKER,Alice,Martin,alice@acme.example,fr,false,Sales,10,Pro,true,${daysFromNow(-3)}`,
    K2: `K2,A2,END_USER,Bob,Stone,bob@acme.example,en,false,Support,3,Basic,false,${daysFromNow(-45)}`,
    K3: 'K3,A3,DECISION_MAKER,Chloé,Dubois,chloe@acme.example,fr-CA,true,Sales,25,Enterprise,,',
    K4: 'K4,B1,INFLUENCER,Dan,Beta,dan@beta.example,en,false,,,Pro,,',
    K5: 'K5,C1,END_USER,Eve,Gamma,eve@gamma.example,ja,false,,,,,',
    K6: 'K6,,,Frank,Free,frank@free.example,en,false,Ops,1,Basic,,',
    ...overrides,
  };
  return csvFile('Contact.csv', [
    'Id,AccountId,Title,FirstName,LastName,Email,Language,HasOptedOutOfEmail,Department__c,Seats__c,Plan__c,Champion__c,LastLogin__c',
    ...Object.values(rows),
  ]);
}

export function teamCsv() {
  return csvFile('AccountTeamMember.csv', [
    'AccountId,User.Email,TeamMemberRole',
    'A1,owner.one@acme.example,ACCOUNT_OWNER',
    'A2,csm@acme.example,CUSTOMER_SUCCESS_MANAGER',
    'B1,owner.two@acme.example,ACCOUNT_OWNER',
  ]);
}

export interface SegmentFixture {
  directoryId: number;
  dir: string;
  contact: Record<string, number>;
  account: Record<string, number>;
  surveys: { s1: number; s2: number };
  listId: number;
}

export async function loadSegmentFixture(t: TestApp, name = 'Segments'): Promise<SegmentFixture> {
  const db = t.runtime.db;
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/v1/directories',
    headers: { authorization: (await t.bearerFor('admin')).authorization },
    payload: { name },
  });
  if (created.statusCode !== 201) throw new Error(created.body);
  const directoryId = created.json().id as number;
  const { run, issues } = await importFiles(
    db,
    t.runtime.secrets,
    directoryId,
    { accounts: accountsCsv(), contacts: contactsCsv(), teamMembers: teamCsv() },
    { mapping: SEGMENT_MAPPING, mailingList: 'Everyone' },
  );
  if (run.status !== 'succeeded' || issues.some((i) => i.severity === 'error'))
    throw new Error(`import ${run.status}: ${run.failure} ${JSON.stringify(issues)}`);
  const contact: Record<string, number> = {};
  for (const r of await db.query<{ id: number; external_ref: string }>(
    'SELECT id, external_ref FROM contacts WHERE directory_id = $1',
    [directoryId],
  ))
    contact[r.external_ref] = Number(r.id);
  const account: Record<string, number> = {};
  for (const r of await db.query<{ id: number; external_ref: string }>(
    'SELECT id, external_ref FROM accounts WHERE directory_id = $1',
    [directoryId],
  ))
    account[r.external_ref] = Number(r.id);

  const survey = async (surveyName: string) => {
    const [row] = await db.query<{ id: number }>(
      `INSERT INTO surveys (directory_id, name, status, created_by, metrics) VALUES ($1, $2, 'active', 'test', '{"npsQuestion":"nps"}')
       RETURNING id`,
      [directoryId, surveyName],
    );
    await db.query(
      `INSERT INTO survey_versions (survey_id, version, definition, created_by) VALUES ($1, 1, $2, 'test')`,
      [
        row!.id,
        JSON.stringify({
          elements: [{ type: 'rating', name: 'nps', rateMin: 0, rateMax: 10, isRequired: true }],
        }),
      ],
    );
    return Number(row!.id);
  };
  const surveys = { s1: await survey(`${name} relationship`), s2: await survey(`${name} onboarding`) };
  // Responses, set-based: (contact, survey, score, days ago, status).
  const rows: [string, number, number | null, number, string][] = [
    ['K1', surveys.s1, 9, 5, 'complete'],
    ['K1', surveys.s1, 3, 100, 'complete'],
    ['K2', surveys.s1, 2, 10, 'complete'],
    ['K3', surveys.s2, 4, 40, 'complete'],
    ['K4', surveys.s1, 10, 200, 'complete'],
    ['K5', surveys.s1, null, 1, 'partial'],
  ];
  await db.query(
    `INSERT INTO responses (survey_id, version, resume_token, contact_id, account_id, status, nps_score, nps_category,
       started_at, completed_at, answers)
     SELECT v.survey_id, 1, md5(random()::text || v.contact_id::text || v.days::text), v.contact_id,
       (SELECT acr.account_id FROM account_contact_roles acr WHERE acr.contact_id = v.contact_id LIMIT 1),
       v.status::response_status, v.score,
       CASE WHEN v.score IS NULL THEN NULL WHEN v.score <= 6 THEN 'detractor' WHEN v.score <= 8 THEN 'passive' ELSE 'promoter' END,
       now() - make_interval(days => v.days),
       CASE WHEN v.status = 'complete' THEN now() - make_interval(days => v.days) END,
       CASE WHEN v.score IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('nps', v.score) END
     FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::int[], $5::text[]) AS v(contact_id, survey_id, score, days, status)`,
    [
      `{${rows.map((r) => contact[r[0]]).join(',')}}`,
      `{${rows.map((r) => r[1]).join(',')}}`,
      `{${rows.map((r) => (r[2] === null ? 'NULL' : r[2])).join(',')}}`,
      `{${rows.map((r) => r[3]).join(',')}}`,
      `{${rows.map((r) => r[4]).join(',')}}`,
    ],
  );
  return {
    directoryId,
    dir: String(directoryId),
    contact,
    account,
    surveys,
    listId: Number(run.mailing_list_id),
  };
}

/** External references of a set of ids, sorted: what assertions compare. */
export function refsOf(ids: number[], byRef: Record<string, number>): string[] {
  const byId = new Map(Object.entries(byRef).map(([ref, id]) => [id, ref]));
  return ids.map((id) => byId.get(Number(id)) ?? `#${id}`).sort();
}
