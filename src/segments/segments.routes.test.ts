import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';
import { loadSegmentFixture, refsOf, type SegmentFixture } from './testing.ts';

let t: TestApp;
let f: SegmentFixture;
type Auth = { authorization: string };
let admin: Auth;
let cx: Auth;
let viewer: Auth;
let manager: Auth;

const api = (auth: Auth, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: auth.authorization },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

const EMEA_CONTACTS = {
  type: 'account',
  where: { type: 'attribute', name: 'Region', op: 'eq', value: 'EMEA' },
};

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.bearerFor('admin');
  cx = await t.bearerFor('cx_manager');
  viewer = await t.bearerFor('viewer');
  // On A1's team: sees A1 and its subtree (A2, A3) and their contacts (K1, K2, K3).
  manager = await t.bearerFor('account_manager', 'owner.one@acme.example');
  f = await loadSegmentFixture(t);
});
afterAll(() => t.close());

describe('the segments API', () => {
  it('creates, lists with counts, reads, changes and deletes a segment, with audit entries', async () => {
    const created = await api(cx, 'POST', `/directories/${f.dir}/segments`, {
      name: 'EMEA contacts',
      entity: 'contact',
      rules: { all: [EMEA_CONTACTS] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const segment = created.json();
    expect(segment).toMatchObject({ name: 'EMEA contacts', entity: 'contact', count: 3, problems: [] });

    const duplicate = await api(cx, 'POST', `/directories/${f.dir}/segments`, {
      name: 'emea CONTACTS',
      entity: 'contact',
      rules: { all: [] },
    });
    expect(duplicate.statusCode).toBe(409);

    const accounts = await api(cx, 'POST', `/directories/${f.dir}/segments`, {
      name: 'Roots',
      entity: 'account',
      rules: { type: 'root' },
    });
    expect(accounts.statusCode, accounts.body).toBe(201);

    const list = await api(viewer, 'GET', `/directories/${f.dir}/segments`);
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((s: { name: string; count: number }) => [s.name, s.count])).toEqual([
      ['EMEA contacts', 3],
      ['Roots', 3],
    ]);

    const changed = await api(cx, 'PUT', `/segments/${segment.id}`, {
      name: 'EMEA decision makers',
      entity: 'contact',
      rules: { all: [{ ...EMEA_CONTACTS, roles: ['DECISION_MAKER'] }] },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ name: 'EMEA decision makers', count: 2 });
    expect((await api(viewer, 'GET', `/segments/${segment.id}`)).json()).toMatchObject({ count: 2 });

    const bad = await api(cx, 'PUT', `/segments/${segment.id}`, {
      name: 'EMEA decision makers',
      entity: 'contact',
      rules: { all: [{ type: 'attribute', name: 'Seats', op: 'gt', value: 'ten' }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({
      code: 'validation_failed',
      details: [{ path: 'rules.all[0].value', message: 'expected a number for attribute Seats' }],
    });

    expect((await api(cx, 'DELETE', `/segments/${segment.id}`)).statusCode).toBe(204);
    expect((await api(cx, 'GET', `/segments/${segment.id}`)).statusCode).toBe(404);
    expect((await api(cx, 'DELETE', `/segments/${segment.id}`)).statusCode).toBe(404);
    // The name is free again.
    const again = await api(cx, 'POST', `/directories/${f.dir}/segments`, {
      name: 'EMEA contacts',
      entity: 'contact',
      rules: EMEA_CONTACTS,
    });
    expect(again.statusCode).toBe(201);

    const audit = await api(admin, 'GET', `/audit-events?targetType=segment&targetId=${segment.id}`);
    expect(audit.json().items.map((e: { action: string }) => e.action)).toEqual([
      'segment.deleted',
      'segment.updated',
      'segment.created',
    ]);
    expect(audit.json().items[1].details).toMatchObject({ name: 'EMEA decision makers', entity: 'contact' });
  });

  it('answers 403 to viewers and account managers on every write, and lets them read', async () => {
    const [segment] = (await api(cx, 'GET', `/directories/${f.dir}/segments`)).json().items;
    for (const auth of [viewer, manager]) {
      const body = { name: 'Mine', entity: 'contact', rules: { all: [] } };
      expect((await api(auth, 'POST', `/directories/${f.dir}/segments`, body)).statusCode).toBe(403);
      expect((await api(auth, 'PUT', `/segments/${segment.id}`, body)).statusCode).toBe(403);
      expect((await api(auth, 'DELETE', `/segments/${segment.id}`)).statusCode).toBe(403);
      expect((await api(auth, 'GET', `/segments/${segment.id}`)).statusCode).toBe(200);
      expect(
        (
          await api(auth, 'POST', `/directories/${f.dir}/segments/preview`, {
            entity: 'contact',
            rules: { all: [] },
          })
        ).statusCode,
      ).toBe(200);
    }
  });

  it('shows account managers only the members within their accounts', async () => {
    const everyone = { entity: 'contact', rules: { all: [] } };
    const all = (await api(cx, 'POST', `/directories/${f.dir}/segments/preview`, everyone)).json();
    const mine = (await api(manager, 'POST', `/directories/${f.dir}/segments/preview`, everyone)).json();
    expect(all.count).toBe(6);
    expect(mine.count).toBe(3);
    expect(
      refsOf(
        mine.sample.map((m: { id: number }) => m.id),
        f.contact,
      ),
    ).toEqual(['K1', 'K2', 'K3']);

    const roots = (
      await api(manager, 'POST', `/directories/${f.dir}/segments/preview`, {
        entity: 'account',
        rules: { type: 'root' },
      })
    ).json();
    expect(
      refsOf(
        roots.sample.map((m: { id: number }) => m.id),
        f.account,
      ),
    ).toEqual(['A1']);

    const list = (await api(manager, 'GET', `/directories/${f.dir}/segments`)).json();
    const counts = Object.fromEntries(
      list.items.map((s: { name: string; count: number }) => [s.name, s.count]),
    );
    expect(counts).toMatchObject({ 'EMEA contacts': 3, Roots: 1 });
    const roots2 = list.items.find((s: { name: string }) => s.name === 'Roots');
    const members = (await api(manager, 'GET', `/segments/${roots2.id}/members`)).json();
    expect(members.items.map((m: { name: string }) => m.name)).toEqual(['Acme Holdings']);
  });

  it('pages members with a cursor, with names; the preview count equals the members count', async () => {
    const rules = { any: [{ type: 'account' }, { type: 'field', field: 'language', op: 'eq', value: 'en' }] };
    const preview = (
      await api(cx, 'POST', `/directories/${f.dir}/segments/preview`, {
        entity: 'contact',
        rules,
      })
    ).json();
    const saved = (
      await api(cx, 'POST', `/directories/${f.dir}/segments`, { name: 'Paged', entity: 'contact', rules })
    ).json();
    const seen: { id: number; name: string; email: string; accountName: string | null }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/segments/${saved.id}/members?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page: { items: typeof seen; nextCursor: string | null } = (await api(viewer, 'GET', url)).json();
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(preview.count);
    expect(preview.count).toBe(saved.count);
    expect(seen.map((m) => m.id)).toEqual([...seen.map((m) => m.id)].sort((a, b) => a - b));
    expect(seen.find((m) => m.id === f.contact.K1)).toMatchObject({
      name: 'Alice Martin',
      email: 'alice@acme.example',
      accountName: 'Acme Holdings',
    });
    expect(seen.find((m) => m.id === f.contact.K6)).toMatchObject({ name: 'Frank Free', accountName: null });
    expect(preview.sample.map((m: { id: number }) => m.id)).toEqual(seen.map((m) => m.id));
    expect((await api(cx, 'GET', `/segments/${saved.id}/members?cursor=garbage`)).statusCode).toBe(400);
  });

  it('reports a stored segment whose rules no longer fit the directory instead of failing', async () => {
    const created = await api(cx, 'POST', `/directories/${f.dir}/segments`, {
      name: 'Onboarding respondents',
      entity: 'contact',
      rules: { type: 'responded', surveyId: f.surveys.s2 },
    });
    expect(created.json().count).toBe(1);
    await t.runtime.db.query('DELETE FROM surveys WHERE id = $1', [f.surveys.s2]);
    const read = (await api(cx, 'GET', `/segments/${created.json().id}`)).json();
    expect(read).toMatchObject({
      count: null,
      problems: [{ path: 'rules.surveyId', message: `no survey ${f.surveys.s2}` }],
    });
    expect((await api(cx, 'GET', `/segments/${created.json().id}/members`)).statusCode).toBe(400);
  });

  it('refuses rules of one directory in another: lists, accounts and surveys are checked', async () => {
    const other = await api(admin, 'POST', '/directories', { name: 'Other' });
    const response = await api(cx, 'POST', `/directories/${other.json().id}/segments/preview`, {
      entity: 'contact',
      rules: {
        all: [
          { type: 'mailingList', mailingListId: f.listId },
          { type: 'responded', surveyId: f.surveys.s1 },
          { type: 'account', where: { type: 'descendantOf', accountId: f.account.A1 } },
          { type: 'attribute', name: 'Seats', op: 'gt', value: 1 },
        ],
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details).toEqual([
      {
        path: 'rules.all[0].mailingListId',
        message: `mailing list ${f.listId} belongs to another directory`,
      },
      { path: 'rules.all[1].surveyId', message: `survey ${f.surveys.s1} belongs to another directory` },
      {
        path: 'rules.all[2].where.accountId',
        message: `account ${f.account.A1} belongs to another directory`,
      },
      { path: 'rules.all[3].name', message: 'no contact attribute "Seats" in this directory' },
    ]);
  });
});
