import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvents } from '../platform/events/events.ts';
import { systemActor } from '../users/roles.ts';
import { type Auth, createTicketsWorld, daysFromNow, type TicketsWorld } from './testing.ts';
import { createTicketFor } from './tickets.service.ts';

let w: TicketsWorld;
let csm: Auth; // account manager on the team of 001B only (and so of its child 001C)
let viewer: Auth;
const CSM = 'csm@cloudkicks.example';
const OWNER = 'owner.one@cloudkicks.example';

type Ticket = {
  id: number;
  key: string;
  number: number;
  title: string;
  status: string;
  priority: string;
  ownerEmail: string | null;
  owner: { email: string; name: string | null; hasAccount: boolean } | null;
  accountId: number | null;
  account: { id: number; name: string } | null;
  contactId: number | null;
  contact: { id: number; name: string | null } | null;
  responseId: number | null;
  source: string;
  dueAt: string;
  overdue: boolean;
  tags: string[];
  allowedTransitions: string[];
  resolvedAt: string | null;
  closedAt: string | null;
};

const create = async (body: Record<string, unknown>, auth?: Auth) => {
  const r = await w.api('POST', '/directories/Main/tickets', body, auth);
  return { status: r.statusCode, body: r.json() };
};
const createOk = async (body: Record<string, unknown>) => {
  const r = await create(body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as Ticket;
};
const list = async (query: string, auth?: Auth) => {
  const r = await w.api('GET', `/directories/Main/tickets?${query}`, undefined, auth);
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as { items: Ticket[]; nextCursor: string | null };
};
const hours = (iso: string) => (new Date(iso).getTime() - Date.now()) / 3_600_000;

beforeAll(async () => {
  w = await createTicketsWorld();
  csm = await w.t.bearerFor('account_manager', CSM);
  viewer = await w.t.bearerFor('viewer');
});

afterAll(async () => {
  await w?.t.close();
});

describe('creating tickets', () => {
  it('opens a ticket by hand: numbered in its directory, due from the SLA of its priority', async () => {
    const ticket = await createOk({
      title: 'Call back about the renewal',
      description: 'They asked for a discount',
      priority: 'high',
      ownerEmail: '  Dana.Nobody@Example.TEST ',
      accountId: w.ids['001G'],
      tags: ['renewal', 'renewal', 'pricing'],
    });
    expect(ticket).toMatchObject({
      key: `T-${ticket.number}`,
      status: 'open',
      priority: 'high',
      ownerEmail: 'dana.nobody@example.test',
      owner: { email: 'dana.nobody@example.test', name: null, hasAccount: false },
      account: { id: w.ids['001G'], name: 'Orphan Branch' },
      source: 'api',
      tags: ['renewal', 'pricing'],
      overdue: false,
      allowedTransitions: ['in_progress', 'waiting', 'resolved', 'closed'],
    });
    expect(hours(ticket.dueAt)).toBeGreaterThan(71.9);
    expect(hours(ticket.dueAt)).toBeLessThan(72.1);
    const next = await createOk({ title: 'Another', priority: 'low' });
    expect(next.number).toBe(ticket.number + 1);
    expect(hours(next.dueAt)).toBeGreaterThan(14 * 24 - 0.1);
    expect(next.owner).toBeNull();
  });

  it('opens a ticket on a detractor’s response, owned by the account’s ACCOUNT_OWNER', async () => {
    const ticket = await createOk({
      responseId: w.responses.alanDetractor,
      assignTo: { teamRole: 'ACCOUNT_OWNER' },
      priority: 'urgent',
    });
    expect(ticket).toMatchObject({
      title: 'Detractor: Alan Johnson (NPS 3)',
      ownerEmail: OWNER,
      accountId: w.ids['001A'],
      contactId: w.ids['003A'],
      contact: { id: w.ids['003A'], name: 'Alan Johnson' },
      responseId: w.responses.alanDetractor,
    });
    expect(hours(ticket.dueAt)).toBeGreaterThan(23.9);
    expect(hours(ticket.dueAt)).toBeLessThan(24.1);
    const detail = (await w.api('GET', `/tickets/${ticket.id}`)).json();
    expect(detail.response).toMatchObject({
      id: w.responses.alanDetractor,
      npsScore: 3,
      npsCategory: 'detractor',
    });
    expect(detail.history[0]).toMatchObject({
      field: 'created',
      newValue: { status: 'open', priority: 'urgent', ownerEmail: OWNER, assignedBy: 'team:ACCOUNT_OWNER' },
    });
    // A role nobody holds: the fallback, else unassigned.
    const fallback = await createOk({
      title: 'CSM follow-up',
      accountId: w.ids['001A'],
      assignTo: { teamRole: 'CUSTOMER_SUCCESS_MANAGER', fallbackEmail: 'cx-lead@cloudkicks.example' },
    });
    expect(fallback.ownerEmail).toBe('cx-lead@cloudkicks.example');
    const csmTicket = await createOk({
      title: 'CSM follow-up',
      accountId: w.ids['001B'],
      assignTo: { teamRole: 'CUSTOMER_SUCCESS_MANAGER' },
    });
    expect(csmTicket.ownerEmail).toBe(CSM);
  });

  it('refuses bad input with errors naming the field', async () => {
    const noTitle = await create({ description: 'x' });
    expect(noTitle.status).toBe(400);
    expect(noTitle.body.error.code).toBe('validation_failed');
    expect(JSON.stringify(noTitle.body.error.details)).toContain('title');
    const both = await create({
      title: 'x',
      ownerEmail: 'a@b.example',
      assignTo: { teamRole: 'ACCOUNT_OWNER' },
    });
    expect(both.status).toBe(400);
    expect(JSON.stringify(both.body.error.details)).toContain('assignTo');
    const badEmail = await create({ title: 'x', ownerEmail: 'not-an-email' });
    expect(badEmail.status).toBe(400);
    expect(JSON.stringify(badEmail.body.error.details)).toContain('ownerEmail');
    const noAccount = await create({ title: 'x', accountId: 999_999 });
    expect(noAccount.status).toBe(400);
    expect(noAccount.body.error.details).toEqual([
      { path: 'accountId', message: 'There is no account 999999' },
    ]);
    const noTeam = await create({ title: 'x', assignTo: { teamRole: 'ACCOUNT_OWNER' } });
    expect(noTeam.status).toBe(400);
    expect(noTeam.body.error.details[0].path).toBe('assignTo');
    const badRole = await create({ title: 'x', accountId: w.ids['001A'], assignTo: { teamRole: 'BOSS' } });
    expect(badRole.status).toBe(400);
    expect(JSON.stringify(badRole.body.error.details)).toContain('teamRole');
    const badDue = await create({ title: 'x', dueAt: 'tomorrow' });
    expect(badDue.status).toBe(400);
    expect(JSON.stringify(badDue.body.error.details)).toContain('dueAt');
  });

  it('opens one ticket per idempotency key, even when the same event arrives twice at once', async () => {
    const body = {
      responseId: w.responses.alanDetractor,
      assignTo: { teamRole: 'ACCOUNT_OWNER' },
      idempotencyKey: 'evt-1',
    };
    const first = await create(body);
    const again = await create(body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    // A workflow engine calls the service directly; two deliveries of one event race.
    const deps = { db: w.t.runtime.db, jobs: w.t.runtime.jobs };
    const actor = systemActor('workflows');
    const input = {
      responseId: w.responses.alanDetractor,
      idempotencyKey: 'evt-2',
      assignTo: { teamRole: 'ACCOUNT_OWNER' as const },
    };
    const [a, b] = await Promise.all([
      createTicketFor(deps, actor, 'Main', input),
      createTicketFor(deps, actor, 'Main', input),
    ]);
    expect(a.ticket.id).toBe(b.ticket.id);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.ticket.source).toBe('workflow');
    const rows = await w.t.runtime.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM tickets WHERE idempotency_key IN ('evt-1', 'evt-2')`,
    );
    expect(rows[0]!.n).toBe(2);
    // One notice per ticket, whatever the number of deliveries.
    const notices = await w.t.runtime.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ticket_notifications WHERE ticket_id = $1`,
      [a.ticket.id],
    );
    expect(notices[0]!.n).toBe(1);
  });
});

describe('service levels', () => {
  it('are configurable per directory, and give new tickets their due date', async () => {
    const settings = await w.api('GET', '/directories/Main/ticket-settings');
    expect(settings.json()).toMatchObject({
      slaDays: { urgent: 1, high: 3, normal: 7, low: 14 },
      custom: false,
    });
    const changed = await w.api('PUT', '/directories/Main/ticket-settings', {
      slaDays: { high: 2, low: 0.5 },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({
      slaDays: { urgent: 1, high: 2, normal: 7, low: 0.5 },
      custom: true,
    });
    const high = await createOk({ title: 'Two days', priority: 'high' });
    expect(hours(high.dueAt)).toBeGreaterThan(47.9);
    expect(hours(high.dueAt)).toBeLessThan(48.1);
    const low = await createOk({ title: 'Twelve hours', priority: 'low' });
    expect(hours(low.dueAt)).toBeLessThan(12.1);
    const bad = await w.api('PUT', '/directories/Main/ticket-settings', { slaDays: { high: -1 } });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().error.details)).toContain('high');
    expect((await w.api('PUT', '/directories/Main/ticket-settings', { slaDays: null }, csm)).statusCode).toBe(
      403,
    );
    const reset = await w.api('PUT', '/directories/Main/ticket-settings', { slaDays: null });
    expect(reset.json()).toMatchObject({ slaDays: { high: 3, low: 14 }, custom: false });
  });
});

describe('working a ticket', () => {
  let ticket: Ticket;
  beforeAll(async () => {
    ticket = await createOk({ title: 'Onboarding stalled', accountId: w.ids['001B'], ownerEmail: CSM });
  });

  it('moves through the allowed statuses and refuses the others with a clear error', async () => {
    const move = (status: string, note?: string, auth?: Auth) =>
      w.api('POST', `/tickets/${ticket.id}/transition`, note ? { status, note } : { status }, auth);
    expect((await move('in_progress')).json().status).toBe('in_progress');
    expect((await move('waiting', 'Waiting for their IT team')).json().status).toBe('waiting');
    const resolved = (await move('resolved')).json() as Ticket;
    expect(resolved.resolvedAt).not.toBeNull();
    expect(resolved.allowedTransitions).toEqual(['open', 'in_progress', 'closed']);
    const closed = (await move('closed')).json() as Ticket;
    expect(closed.closedAt).not.toBeNull();
    expect(closed.resolvedAt).toBe(resolved.resolvedAt);
    const refused = await move('resolved');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toBe(
      `${ticket.key} cannot go from closed to resolved: from closed it can go to open`,
    );
    expect(refused.json().error.details).toMatchObject({
      field: 'status',
      from: 'closed',
      to: 'resolved',
      allowed: ['open'],
    });
    const same = await move('closed');
    expect(same.statusCode).toBe(409);
    expect(same.json().error.message).toBe(`${ticket.key} is already closed`);
    const unknown = await move('done');
    expect(unknown.statusCode).toBe(400);
    expect(JSON.stringify(unknown.json().error.details)).toContain('status');
    const reopened = (await move('open')).json() as Ticket;
    expect(reopened).toMatchObject({ status: 'open', resolvedAt: null, closedAt: null });
  });

  it('keeps internal notes', async () => {
    const note = await w.api('POST', `/tickets/${ticket.id}/notes`, {
      text: '  Called Alan, left a message  ',
    });
    expect(note.statusCode).toBe(201);
    expect(note.json()).toMatchObject({
      text: 'Called Alan, left a message',
      author: expect.stringMatching(/^cx-/),
    });
    const empty = await w.api('POST', `/tickets/${ticket.id}/notes`, { text: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(JSON.stringify(empty.json().error.details)).toContain('text');
    const detail = (await w.api('GET', `/tickets/${ticket.id}`)).json();
    expect(detail.notes.map((n: { text: string }) => n.text)).toEqual([
      'Waiting for their IT team',
      'Called Alan, left a message',
    ]);
  });

  it('records every change in the history: field, old, new, by, at', async () => {
    const patched = await w.api('PATCH', `/tickets/${ticket.id}`, {
      title: 'Onboarding stalled at SSO',
      priority: 'urgent',
      tags: ['onboarding'],
    });
    expect(patched.statusCode, patched.body).toBe(200);
    // The due date followed the SLA: it follows the new priority (1 day from creation).
    expect(hours(patched.json().dueAt)).toBeLessThan(24.1);
    const reassigned = await w.api('POST', `/tickets/${ticket.id}/reassign`, { teamRole: 'ACCOUNT_OWNER' });
    expect(reassigned.statusCode, reassigned.body).toBe(200);
    expect(reassigned.json().ownerEmail).toBe(OWNER);
    const due = daysFromNow(10);
    await w.api('PATCH', `/tickets/${ticket.id}`, { dueAt: due });
    const noop = await w.api('PATCH', `/tickets/${ticket.id}`, { title: 'Onboarding stalled at SSO' });
    expect(noop.statusCode).toBe(200);
    const detail = (await w.api('GET', `/tickets/${ticket.id}`)).json();
    const history = detail.history.map((h: { field: string; oldValue: unknown; newValue: unknown }) => [
      h.field,
      h.oldValue,
      h.newValue,
    ]);
    expect(history.map((h: unknown[]) => h[0])).toEqual([
      'created',
      'status',
      'status',
      'status',
      'status',
      'status',
      'title',
      'tags',
      'priority',
      'dueAt',
      'ownerEmail',
      'dueAt',
    ]);
    expect(history).toContainEqual(['title', 'Onboarding stalled', 'Onboarding stalled at SSO']);
    expect(history).toContainEqual(['priority', 'normal', 'urgent']);
    expect(history).toContainEqual(['ownerEmail', CSM, OWNER]);
    expect(history).toContainEqual(['status', 'closed', 'open']);
    expect(history.at(-1)).toEqual(['dueAt', expect.any(String), new Date(due).toISOString()]);
    for (const h of detail.history) {
      expect(h.by).toMatch(/^cx-.*@cloudkicks\.example$/);
      expect(Date.parse(h.at)).not.toBeNaN();
    }
    // Back to the SLA.
    const back = (await w.api('PATCH', `/tickets/${ticket.id}`, { dueAt: null })).json();
    expect(back.dueFromSla).toBe(true);
    expect(hours(back.dueAt)).toBeLessThan(24.1);
  });

  it('deletes a ticket (writers only), leaving an audit entry', async () => {
    const doomed = await createOk({ title: 'Opened by mistake' });
    expect((await w.api('DELETE', `/tickets/${doomed.id}`)).statusCode).toBe(204);
    expect((await w.api('GET', `/tickets/${doomed.id}`)).statusCode).toBe(404);
    const audit = await w.t.runtime.db.query<{ action: string }>(
      `SELECT action FROM audit_events WHERE target_type = 'ticket' AND target_id = $1 ORDER BY id`,
      [String(doomed.id)],
    );
    expect(audit.map((a) => a.action)).toEqual(['ticket.created', 'ticket.deleted']);
  });
});

describe('finding tickets', () => {
  const made: Record<string, Ticket> = {};
  beforeAll(async () => {
    await w.t.runtime.db.query('DELETE FROM tickets');
    made.lateA = await createOk({
      title: 'Late on the holding',
      accountId: w.ids['001A'],
      dueAt: daysFromNow(-2),
      ownerEmail: OWNER,
      priority: 'high',
    });
    made.lateB = await createOk({
      title: 'Late on the consultancy',
      accountId: w.ids['001B'],
      dueAt: daysFromNow(-1),
      ownerEmail: CSM,
      priority: 'low',
    });
    made.lateDone = await createOk({
      title: 'Late but solved',
      accountId: w.ids['001C'],
      dueAt: daysFromNow(-3),
      ownerEmail: CSM,
    });
    await w.api('POST', `/tickets/${made.lateDone.id}/transition`, { status: 'resolved' });
    made.reno = await createOk({
      title: 'Reno office printer',
      description: 'The toner is EMPTY',
      accountId: w.ids['001C'],
      priority: 'urgent',
    });
    made.cafe = await createOk({
      title: 'Café invoice',
      accountId: w.ids['001G'],
      ownerEmail: CSM,
      tags: ['billing'],
    });
    made.loose = await createOk({ title: 'No account at all', priority: 'normal' });
  });
  const titles = (page: { items: Ticket[] }) => page.items.map((t) => t.title).sort();

  it('lists the overdue ones: still being worked on, past their due date', async () => {
    const overdue = await list('overdue=true');
    expect(titles(overdue)).toEqual(['Late on the consultancy', 'Late on the holding']);
    expect(overdue.items.every((t) => t.overdue)).toBe(true);
    // Sorted by due date by default: the most late first.
    expect(overdue.items.map((t) => t.title)).toEqual(['Late on the holding', 'Late on the consultancy']);
  });

  it('filters by account, with or without its subtree', async () => {
    expect(titles(await list(`accountId=${w.ids['001A']}`))).toEqual(['Late on the holding']);
    expect(titles(await list(`accountId=${w.ids['001A']}&subtree=true`))).toEqual([
      'Late but solved',
      'Late on the consultancy',
      'Late on the holding',
      'Reno office printer',
    ]);
    expect(titles(await list(`accountId=${w.ids['001B']}&subtree=true`))).toEqual([
      'Late but solved',
      'Late on the consultancy',
      'Reno office printer',
    ]);
  });

  it('filters by status, priority, owner, mine, tag and text', async () => {
    expect(titles(await list('status=resolved'))).toEqual(['Late but solved']);
    expect((await list('status=active')).items).toHaveLength(5);
    expect(titles(await list('priority=urgent,high'))).toEqual([
      'Late on the holding',
      'Reno office printer',
    ]);
    expect(titles(await list(`owner=${encodeURIComponent(CSM.toUpperCase())}`))).toEqual([
      'Café invoice',
      'Late but solved',
      'Late on the consultancy',
    ]);
    expect(titles(await list('owner=none'))).toEqual(['No account at all', 'Reno office printer']);
    expect(titles(await list('mine=true', csm))).toEqual([
      'Café invoice',
      'Late but solved',
      'Late on the consultancy',
    ]);
    expect(titles(await list('tag=billing'))).toEqual(['Café invoice']);
    expect(titles(await list('q=toner'))).toEqual(['Reno office printer']);
    expect(titles(await list('q=100%25'))).toEqual([]);
    expect(titles(await list(`q=${made.cafe!.key}`))).toEqual(['Café invoice']);
    const bad = await w.api('GET', '/directories/Main/tickets?status=done');
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().error.details)).toContain('status');
  });

  it('sorts by due date, priority or last change, a page at a time', async () => {
    for (const sort of ['due', 'priority', 'updated']) {
      const seen: Ticket[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Ticket[]; nextCursor: string | null } = await list(
          `sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(6);
      expect(new Set(seen.map((t) => t.id)).size).toBe(6);
      const full = await list(`sort=${sort}`);
      expect(seen.map((t) => t.id)).toEqual(full.items.map((t) => t.id));
      if (sort === 'priority')
        expect(full.items.map((t) => t.priority)).toEqual([
          'urgent',
          'high',
          'normal',
          'normal',
          'normal',
          'low',
        ]);
      if (sort === 'due') {
        const dues = full.items.map((t) => t.dueAt);
        expect(dues).toEqual([...dues].sort());
      }
    }
    expect((await w.api('GET', '/directories/Main/tickets?cursor=garbage')).statusCode).toBe(400);
  });

  it('counts by status, priority and owner', async () => {
    const r = await w.api('GET', '/directories/Main/tickets/summary');
    expect(r.statusCode, r.body).toBe(200);
    const s = r.json();
    expect(s).toMatchObject({ total: 6, active: 5, overdue: 2 });
    expect(s.byStatus).toMatchObject({ open: 5, resolved: 1, closed: 0 });
    expect(s.byPriority.high).toEqual({ active: 1, overdue: 1 });
    expect(s.byOwner[0]).toMatchObject({ ownerEmail: CSM, active: 2, overdue: 1 });
    expect(s.byOwner).toContainEqual({ ownerEmail: null, ownerName: null, active: 2, overdue: 0 });
  });

  describe('an account manager', () => {
    it('sees only the tickets of the accounts on their team (and their children) and those they own', async () => {
      // 001B and its child 001C are on csm@'s team; the café ticket (001G) is theirs.
      expect(titles(await list('', csm))).toEqual([
        'Café invoice',
        'Late but solved',
        'Late on the consultancy',
        'Reno office printer',
      ]);
      expect((await w.api('GET', `/tickets/${made.lateA!.id}`, undefined, csm)).statusCode).toBe(404);
      expect((await w.api('GET', `/tickets/${made.reno!.id}`, undefined, csm)).statusCode).toBe(200);
      const summary = (await w.api('GET', '/directories/Main/tickets/summary', undefined, csm)).json();
      expect(summary.total).toBe(4);
    });

    it('works the tickets they see: status and notes, nothing else', async () => {
      const moved = await w.api(
        'POST',
        `/tickets/${made.reno!.id}/transition`,
        { status: 'in_progress' },
        csm,
      );
      expect(moved.statusCode, moved.body).toBe(200);
      const note = await w.api('POST', `/tickets/${made.cafe!.id}/notes`, { text: 'On it' }, csm);
      expect(note.statusCode).toBe(201);
      expect(note.json().author).toBe(CSM);
      const notTheirs = await w.api('POST', `/tickets/${made.lateA!.id}/notes`, { text: 'x' }, csm);
      expect(notTheirs.statusCode).toBe(404);
      expect((await w.api('DELETE', `/tickets/${made.reno!.id}`, undefined, csm)).statusCode).toBe(403);
      expect((await w.api('PATCH', `/tickets/${made.reno!.id}`, { title: 'x' }, csm)).statusCode).toBe(403);
      expect(
        (await w.api('POST', `/tickets/${made.reno!.id}/reassign`, { ownerEmail: CSM }, csm)).statusCode,
      ).toBe(403);
      expect((await create({ title: 'x' }, csm)).status).toBe(403);
    });

    it('while a viewer only reads', async () => {
      expect((await list('', viewer)).items).toHaveLength(6);
      const note = await w.api('POST', `/tickets/${made.cafe!.id}/notes`, { text: 'x' }, viewer);
      expect(note.statusCode).toBe(403);
      expect(note.json().error.message).toContain('tickets:work');
    });
  });
});

describe('events', () => {
  it('reports creation, changes, resolution and closing in the domain event outbox', async () => {
    const ticket = await createOk({ title: 'Evented', accountId: w.ids['001B'] });
    await w.api('PATCH', `/tickets/${ticket.id}`, { priority: 'high' });
    await w.api('POST', `/tickets/${ticket.id}/transition`, { status: 'resolved' });
    await w.api('POST', `/tickets/${ticket.id}/transition`, { status: 'closed' });
    const events = await readEvents(w.t.runtime.db.orm, {
      type: 'ticket.',
      subject: `ticket:${ticket.id}`,
      limit: 100,
    });
    expect(events.items.map((e) => e.type)).toEqual([
      'ticket.created',
      'ticket.updated',
      'ticket.updated',
      'ticket.resolved',
      'ticket.updated',
      'ticket.closed',
    ]);
    expect(events.items[0]!.payload).toMatchObject({
      ticketId: ticket.id,
      key: ticket.key,
      accountId: w.ids['001B'],
      status: 'open',
    });
    expect(events.items[1]!.payload.changes).toContainEqual({
      field: 'priority',
      old: 'normal',
      new: 'high',
    });
  });
});
