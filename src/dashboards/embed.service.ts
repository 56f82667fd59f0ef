import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { accountVisible } from '../directory/scope.ts';
import { type Executor, queryRows } from '../platform/db/database.ts';
import { badRequest, forbidden, gone, notFound } from '../platform/errors.ts';
import type { SecretBox } from '../platform/secrets/secret-box.ts';
import { signToken, verifyToken } from '../platform/secrets/signed-token.ts';
import { type Actor, authorize } from '../users/roles.ts';
import { getPublicUser } from '../users/users.service.ts';
import { type DashboardRow, findPage, findWidget, readableDashboard } from './dashboards.service.ts';
import { DATE_PRESETS, type DashboardFilters, type Page } from './model.ts';
import { widgetsData } from './widget-data.ts';

/**
 * A dashboard (or one of its widgets) for a CRM account page: a signed, expiring URL that carries
 * the dashboard, the account and the user who made it. Nothing is stored: the signature is the
 * proof, the expiry is inside what is signed. The widgets are computed with the account filter
 * forced to that account's subtree (the viewer can change the period, never the account) and with
 * the maker's access as it is now (an account manager's embed shows their accounts only; a
 * disabled maker's embeds stop; a dashboard made personal since, or deleted, stops too).
 */

const PURPOSE = 'embed:dashboards';
const MAX_MINUTES = 60 * 24 * 30;
const LOCALES = ['en', 'fr', 'it', 'es', 'de'] as const;

export const ZDashboardEmbedCreate = z
  .object({
    dashboardId: z.number().int().positive(),
    /** One widget only (else the whole dashboard). */
    widgetId: z.string().min(1).max(40).optional(),
    accountId: z.number().int().positive().optional(),
    /** The CRM's account id: the account's external reference in the dashboard's directory. */
    sfAccountId: z.string().trim().min(1).max(100).optional(),
    expiresInMinutes: z.number().int().min(1).max(MAX_MINUTES).default(60),
    locale: z.enum(LOCALES).optional(),
  })
  .refine((v) => (v.accountId === undefined) !== (v.sfAccountId === undefined), {
    error: 'name the account: accountId or sfAccountId (one of them)',
    path: ['accountId'],
  });

interface EmbedPayload {
  kind: 'dashboard';
  /** Dashboard, widget (optional), account, maker. */
  d: number;
  w?: string;
  a: number;
  uid: number | null;
  locale?: string;
}

async function accountOf(
  db: Executor,
  actor: Actor,
  directoryId: number,
  ref: { accountId?: number | undefined; sfAccountId?: string | undefined },
) {
  const [row] = await queryRows<{ id: number; display_name: string; external_ref: string }>(
    db,
    sql`SELECT a.id, a.display_name, a.external_ref FROM accounts a
        WHERE a.directory_id = ${directoryId} AND a.deleted_at IS NULL
          AND ${ref.accountId ? sql`a.id = ${ref.accountId}` : sql`a.external_ref = ${ref.sfAccountId ?? ''}`}
          AND ${accountVisible(actor, sql`a.id`)}`,
  );
  return row ? { id: Number(row.id), name: row.display_name, externalRef: row.external_ref } : null;
}

export async function createDashboardEmbed(
  db: Executor,
  box: SecretBox,
  actor: Actor,
  input: z.output<typeof ZDashboardEmbedCreate>,
) {
  authorize(actor, 'data:read');
  const dashboard = await readableDashboard(db, actor, input.dashboardId);
  if (input.widgetId) findWidget(dashboard, input.widgetId);
  const account = await accountOf(db, actor, dashboard.directoryId, input);
  if (!account)
    throw notFound(
      input.accountId
        ? `No account ${input.accountId} that you can see in this dashboard's directory`
        : `No account with the CRM id "${input.sfAccountId}" that you can see in this dashboard's directory`,
    );
  const expiresAt = new Date(Date.now() + input.expiresInMinutes * 60_000);
  const payload: EmbedPayload = {
    kind: 'dashboard',
    d: dashboard.id,
    ...(input.widgetId ? { w: input.widgetId } : {}),
    a: account.id,
    uid: actor.kind === 'user' ? actor.userId : null,
    ...(input.locale ? { locale: input.locale } : {}),
  };
  const token = signToken(box, PURPOSE, payload, expiresAt);
  return { token, path: `/embed/dashboards/${token}`, expiresAt: expiresAt.toISOString(), account };
}

/** The actor an embed acts as: its maker, as they are now. */
async function embedActor(db: Executor, uid: number | null): Promise<Actor> {
  if (uid === null) return { kind: 'system', label: 'embed' };
  const user = await getPublicUser(db, uid).catch(() => null);
  if (!user || user.disabled) throw forbidden('The user who made this link can no longer see this dashboard');
  return { kind: 'user', userId: user.id, email: user.email, name: user.name, role: user.role, via: 'token' };
}

/** What the viewer of an embed may change: the period and the page. Nothing else is read. */
export const ZEmbedView = z.object({
  page: z.string().min(1).max(40).optional(),
  date: z.enum(DATE_PRESETS).optional(),
});

const publicPages = (row: DashboardRow, widgetId: string | undefined): Page[] => {
  if (!widgetId) return row.pages;
  const { widget, pageId } = findWidget(row, widgetId);
  const page = findPage(row, pageId);
  return [{ ...page, widgets: [{ ...widget, w: 12 }] }];
};

export async function openDashboardEmbed(
  db: Executor,
  box: SecretBox,
  token: string,
  view: z.output<typeof ZEmbedView>,
) {
  const checked = verifyToken<EmbedPayload>(box, PURPOSE, token);
  if (!checked.ok) {
    if (checked.reason === 'expired') throw gone('This link has expired: reload the CRM page for a new one');
    throw forbidden('This link is not valid');
  }
  const payload = checked.payload;
  if (payload.kind !== 'dashboard') throw forbidden('This link is not valid');
  const actor = await embedActor(db, payload.uid);
  const dashboard = await readableDashboard(db, actor, payload.d).catch(() => {
    throw gone('This dashboard is no longer available');
  });
  const account = await accountOf(db, actor, dashboard.directoryId, { accountId: payload.a });
  if (!account) throw forbidden('The user who made this link can no longer see this account');
  const pages = publicPages(dashboard, payload.w);
  const page = view.page ? pages.find((p) => p.id === view.page) : pages[0];
  if (!page) throw badRequest(`No page "${view.page}"`);
  // The account is forced: the saved filter's account (if any) is replaced by this one's subtree.
  const filters: DashboardFilters = {
    ...dashboard.filters,
    accountId: account.id,
    subtree: true,
    ...(view.date ? { date: { type: 'preset' as const, preset: view.date } } : {}),
  };
  const widgets = await widgetsData(
    db,
    { actor, directoryId: dashboard.directoryId, filters, locale: payload.locale ?? '' },
    page.widgets,
  );
  return {
    dashboard: { id: dashboard.id, name: dashboard.name, description: dashboard.description, pages },
    account,
    widgetId: payload.w ?? null,
    locale: payload.locale ?? null,
    expiresAt: new Date(payload.exp * 1000).toISOString(),
    filters,
    pageId: page.id,
    widgets,
  };
}
