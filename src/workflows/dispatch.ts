import { eq, sql } from 'drizzle-orm';
import { latestAttributeChangeId, readAttributeChanges } from '../directory/contact-attributes.service.ts';
import type { Database, Executor } from '../platform/db/database.ts';
import { queryRows } from '../platform/db/database.ts';
import { readEvents } from '../platform/events/events.ts';
import type { JobDeps } from '../platform/jobs/define-job.ts';
import { conditionsHold } from './conditions.ts';
import { TRIGGER_EVENTS, type Trigger, type TriggerEvent } from './model.ts';
import { startRun, type WorkflowRow } from './runs.service.ts';
import { latestSlot, slotKey } from './schedule.ts';
import { eventTriggerKey, filterMatches, type IncomingEvent, triggerData } from './trigger-data.ts';
import { workflowCursors, workflows } from './workflows.schema.ts';

/**
 * Starts runs: for each domain event (and each attribute change, read from the directory's
 * attribute history as `contact.attribute_changed`) the enabled workflows of its type and
 * directory whose filter and conditions hold; for each schedule the latest slot that came due.
 *
 * The streams are read in id order from a cursor. An id can become visible after a higher one (its
 * transaction took the id first and committed later): the ids skipped over are kept as gaps and
 * read again until they show up, or until they are old enough to have been rolled back. Starting
 * a run is idempotent (one per workflow and trigger key), so reading an event twice is harmless.
 */

const BATCH = 500;
/** A gap older than this was a rolled-back transaction (imports run for minutes, not hours). */
const GAP_TTL_MS = 60 * 60 * 1000;
const MAX_GAPS = 1000;

type Gap = { from: number; to: number; since: string };

interface StreamItem {
  id: number;
  event: IncomingEvent | null;
}

interface Stream {
  name: string;
  read(after: number, limit: number, to?: number): Promise<StreamItem[]>;
  latest(): Promise<number>;
}

const knownEvent = (type: string): type is TriggerEvent =>
  (TRIGGER_EVENTS as readonly string[]).includes(type);

function domainEventStream(db: Database): Stream {
  return {
    name: 'domain_events',
    async read(after, limit, to) {
      const { items } = await readEvents(db.orm, { after, limit });
      return items
        .filter((e) => to === undefined || e.id <= to)
        .map((e) => ({
          id: e.id,
          event: knownEvent(e.type) && e.type !== 'contact.attribute_changed' ? { ...e, type: e.type } : null,
        }));
    },
    async latest() {
      const [row] = await queryRows<{ id: number | null }>(
        db.orm,
        sql`SELECT max(id) AS id FROM domain_events`,
      );
      return Number(row?.id ?? 0);
    },
  };
}

function attributeChangeStream(db: Database): Stream {
  return {
    name: 'attribute_history',
    async read(after, limit, to) {
      const rows = await readAttributeChanges(db.orm, { after, limit, ...(to !== undefined ? { to } : {}) });
      return rows.map((r) => ({
        id: r.id,
        event:
          r.entity === 'contact'
            ? {
                id: r.id,
                type: 'contact.attribute_changed' as const,
                subject: `contact:${r.entityId}`,
                payload: r as unknown as Record<string, unknown>,
                at: r.changedAt,
              }
            : null,
      }));
    },
    latest: () => latestAttributeChangeId(db.orm),
  };
}

async function loadCursor(
  db: Database,
  stream: Stream,
  latest: number,
): Promise<{ lastId: number; gaps: Gap[] }> {
  const [row] = await db.orm.select().from(workflowCursors).where(eq(workflowCursors.stream, stream.name));
  if (row) return { lastId: row.lastId, gaps: row.gaps };
  // A new reader starts where the stream stood before the listening workflows were read.
  await db.orm
    .insert(workflowCursors)
    .values({ stream: stream.name, lastId: latest, gaps: [] })
    .onConflictDoNothing();
  return { lastId: latest, gaps: [] };
}

/**
 * Marks where the streams stand when a workflow is turned on (in the transaction that turns it
 * on): what happens from then on is read, even before the dispatcher's first pass.
 */
export async function ensureCursors(tx: Executor): Promise<void> {
  const [events] = await queryRows<{ id: number | null }>(tx, sql`SELECT max(id) AS id FROM domain_events`);
  const changes = await latestAttributeChangeId(tx);
  await tx
    .insert(workflowCursors)
    .values([
      { stream: 'domain_events', lastId: Number(events?.id ?? 0), gaps: [] },
      { stream: 'attribute_history', lastId: changes, gaps: [] },
    ])
    .onConflictDoNothing();
}

/** Reads what is new in a stream (and what showed up in its gaps) and hands it to `handle`. */
async function pollStream(
  db: Database,
  stream: Stream,
  handle: (events: IncomingEvent[]) => Promise<void>,
  listening: boolean,
  /** Where the stream stood before the listening workflows were read. */
  latest: number,
) {
  const cursor = await loadCursor(db, stream, latest);
  if (!listening) {
    // Nobody listens: move on without reading, so a workflow enabled later starts from then. Not
    // past `latest`: an event written after the workflows were read may be for one just enabled.
    if (latest > cursor.lastId || cursor.gaps.length)
      await db.orm
        .update(workflowCursors)
        .set({ lastId: Math.max(latest, cursor.lastId), gaps: [], updatedAt: new Date() })
        .where(eq(workflowCursors.stream, stream.name));
    return 0;
  }
  const now = Date.now();
  let gaps: Gap[] = cursor.gaps.filter((g) => now - Date.parse(g.since) < GAP_TTL_MS);
  let handled = 0;
  // Ids that showed up in a gap.
  const stillMissing: Gap[] = [];
  for (const gap of gaps) {
    const found = await stream.read(gap.from - 1, Math.min(BATCH, gap.to - gap.from + 1), gap.to);
    const events = found.flatMap((f) => (f.event ? [f.event] : []));
    if (events.length) await handle(events);
    handled += events.length;
    let from = gap.from;
    for (const f of found) {
      if (f.id > from) stillMissing.push({ from, to: f.id - 1, since: gap.since });
      from = f.id + 1;
    }
    if (from <= gap.to) stillMissing.push({ from, to: gap.to, since: gap.since });
  }
  gaps = stillMissing;
  let lastId = cursor.lastId;
  const fresh = await stream.read(lastId, BATCH);
  const at = new Date(now).toISOString();
  for (const item of fresh) {
    if (item.id > lastId + 1) gaps.push({ from: lastId + 1, to: item.id - 1, since: at });
    lastId = item.id;
  }
  const events = fresh.flatMap((f) => (f.event ? [f.event] : []));
  if (events.length) await handle(events);
  handled += events.length;
  if (gaps.length > MAX_GAPS) gaps = gaps.slice(-MAX_GAPS);
  await db.orm
    .update(workflowCursors)
    .set({ lastId, gaps, updatedAt: new Date() })
    .where(eq(workflowCursors.stream, stream.name));
  return handled + (fresh.length === BATCH ? 1 : 0);
}

async function enabledWorkflows(db: Database): Promise<WorkflowRow[]> {
  return db.orm.select().from(workflows).where(eq(workflows.enabled, true));
}

/** Starts the runs one batch of events calls for. */
async function startRunsFor(
  deps: Pick<JobDeps, 'db' | 'jobs' | 'logger'>,
  candidates: WorkflowRow[],
  events: IncomingEvent[],
) {
  const byType = Map.groupBy(candidates, (w) => (w.trigger as Trigger & { event?: string }).event ?? '');
  let started = 0;
  for (const event of events) {
    const interested = byType.get(event.type);
    if (!interested?.length) continue;
    let data: Awaited<ReturnType<typeof triggerData>>;
    try {
      data = await triggerData(deps.db.orm, event);
    } catch (error) {
      deps.logger.error(
        { err: error, eventId: event.id, type: event.type },
        'could not read the data of an event',
      );
      continue;
    }
    if (!data) continue;
    for (const workflow of interested) {
      const trigger = workflow.trigger as Extract<Trigger, { type: 'event' }>;
      if (workflow.directoryId !== data.directoryId) continue;
      if (workflow.enabledAt && Date.parse(event.at) < workflow.enabledAt.getTime()) continue;
      if (!filterMatches(trigger, data)) continue;
      // A workflow's own attribute changes do not start it again (no loops).
      if (
        event.type === 'contact.attribute_changed' &&
        (event.payload as { source?: string }).source === `workflow:${workflow.id}`
      )
        continue;
      if (!conditionsHold(workflow.conditions as never, data)) continue;
      const { created } = await startRun(
        deps.db,
        deps.jobs,
        workflow,
        { kind: 'event', key: eventTriggerKey(event), data, eventId: event.id, eventType: event.type },
        { createdBy: 'system:workflows' },
      );
      if (created) started++;
    }
  }
  return started;
}

/**
 * One look at both streams. Returns how many events were handled (0: nothing new), and how many
 * runs were started.
 */
export async function dispatchEvents(
  deps: Pick<JobDeps, 'db' | 'jobs' | 'logger'>,
): Promise<{ events: number; runs: number }> {
  const domainStream = domainEventStream(deps.db);
  const changeStream = attributeChangeStream(deps.db);
  const latest = { domain: await domainStream.latest(), changes: await changeStream.latest() };
  const active = (await enabledWorkflows(deps.db)).filter((w) => (w.trigger as Trigger).type === 'event');
  const listensTo = new Set(active.map((w) => (w.trigger as Extract<Trigger, { type: 'event' }>).event));
  let runs = 0;
  const handle = async (events: IncomingEvent[]) => {
    runs += await startRunsFor(deps, active, events);
  };
  const domain = await pollStream(
    deps.db,
    domainStream,
    handle,
    [...listensTo].some((e) => e !== 'contact.attribute_changed'),
    latest.domain,
  );
  const changes = await pollStream(
    deps.db,
    changeStream,
    handle,
    listensTo.has('contact.attribute_changed'),
    latest.changes,
  );
  return { events: domain + changes, runs };
}

/** Starts the latest due slot of every enabled scheduled workflow that has not run it (`now`: the tick's time). */
export async function startDueSchedules(deps: Pick<JobDeps, 'db' | 'jobs' | 'logger'>, now = new Date()) {
  const scheduled = (await enabledWorkflows(deps.db)).filter(
    (w) => (w.trigger as Trigger).type === 'schedule',
  );
  const started: { workflowId: number; runId: number; slot: string }[] = [];
  for (const workflow of scheduled) {
    const trigger = workflow.trigger as Extract<Trigger, { type: 'schedule' }>;
    let slot: Date;
    try {
      slot = latestSlot(trigger.schedule, now);
    } catch (error) {
      deps.logger.error({ err: error, workflowId: workflow.id }, 'cannot read the workflow schedule');
      continue;
    }
    // A slot before the workflow was enabled is not "missed": it was never due for it.
    if (workflow.enabledAt && slot.getTime() < workflow.enabledAt.getTime()) continue;
    const result = await startRun(
      deps.db,
      deps.jobs,
      workflow,
      {
        kind: 'schedule',
        key: slotKey(slot),
        slot: slot.toISOString(),
        data: { scheduledAt: slot.toISOString(), firedAt: now.toISOString() },
      },
      { createdBy: 'system:schedule' },
    );
    if (result.created)
      started.push({ workflowId: workflow.id, runId: result.runId, slot: slot.toISOString() });
  }
  return started;
}
