import type { Dashboard, DashboardPage, Widget, WidgetType } from './types.ts';

/**
 * The editor's changes to a dashboard draft, as pure functions (each returns a new draft). The
 * grid has 12 columns; a widget's place is its order in its page's list, its size `w` × `h`.
 */

export const GRID_COLUMNS = 12;
export const MAX_HEIGHT = 8;

export const newId = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

/** A new widget of the type, with settings that work on any directory. */
export function newWidget(type: WidgetType): Widget {
  const id = newId(type.replace('_', '-'));
  switch (type) {
    case 'kpi':
      return { id, type, title: '', w: 3, h: 1, settings: { metric: 'nps', compare: true } };
    case 'trend':
      return { id, type, title: '', w: 6, h: 3, settings: { metric: 'nps', interval: 'week' } };
    case 'bar':
      return { id, type, title: '', w: 6, h: 3, settings: { metric: 'nps', by: 'role', limit: 20 } };
    case 'nps_distribution':
      return { id, type, title: '', w: 4, h: 3, settings: {} };
    case 'table':
      return {
        id,
        type,
        title: '',
        w: 12,
        h: 4,
        settings: { source: 'accounts', sort: 'risk', onlyWithResponses: false, limit: 10 },
      };
    case 'heatmap':
      return { id, type, title: '', w: 12, h: 4, settings: { metric: 'nps', accounts: 15, roles: [] } };
  }
}

const mapPage = (
  draft: Dashboard,
  pageId: string,
  change: (page: DashboardPage) => DashboardPage,
): Dashboard => ({
  ...draft,
  pages: draft.pages.map((p) => (p.id === pageId ? change(p) : p)),
});

export const addWidget = (draft: Dashboard, pageId: string, widget: Widget) =>
  mapPage(draft, pageId, (p) => ({ ...p, widgets: [...p.widgets, widget] }));

export const replaceWidget = (draft: Dashboard, pageId: string, widget: Widget) =>
  mapPage(draft, pageId, (p) => ({ ...p, widgets: p.widgets.map((w) => (w.id === widget.id ? widget : w)) }));

export const removeWidget = (draft: Dashboard, pageId: string, widgetId: string) =>
  mapPage(draft, pageId, (p) => ({ ...p, widgets: p.widgets.filter((w) => w.id !== widgetId) }));

/** Moves a widget one place earlier (-1) or later (+1) in its page. */
export const moveWidget = (draft: Dashboard, pageId: string, widgetId: string, by: -1 | 1) =>
  mapPage(draft, pageId, (p) => {
    const from = p.widgets.findIndex((w) => w.id === widgetId);
    const to = from + by;
    if (from < 0 || to < 0 || to >= p.widgets.length) return p;
    const widgets = [...p.widgets];
    const [moved] = widgets.splice(from, 1);
    widgets.splice(to, 0, moved!);
    return { ...p, widgets };
  });

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, Math.round(value)));

export const resizeWidget = (
  draft: Dashboard,
  pageId: string,
  widgetId: string,
  size: { w?: number; h?: number },
) =>
  mapPage(draft, pageId, (p) => ({
    ...p,
    widgets: p.widgets.map((w) =>
      w.id === widgetId
        ? {
            ...w,
            w: clamp(size.w ?? w.w, 1, GRID_COLUMNS),
            h: clamp(size.h ?? w.h, 1, MAX_HEIGHT),
          }
        : w,
    ),
  }));

export const addPage = (draft: Dashboard, title: string): { draft: Dashboard; pageId: string } => {
  const pageId = newId('page');
  return { draft: { ...draft, pages: [...draft.pages, { id: pageId, title, widgets: [] }] }, pageId };
};

export const renamePage = (draft: Dashboard, pageId: string, title: string) =>
  mapPage(draft, pageId, (p) => ({ ...p, title }));

/** Removes a page (a dashboard keeps at least one). */
export const removePage = (draft: Dashboard, pageId: string) =>
  draft.pages.length <= 1 ? draft : { ...draft, pages: draft.pages.filter((p) => p.id !== pageId) };

/** The column span of a widget on a screen of this width class (narrow screens stack widgets). */
export function spanOf(w: number, screen: 'small' | 'medium' | 'large'): number {
  if (screen === 'small') return GRID_COLUMNS;
  if (screen === 'medium') return Math.min(GRID_COLUMNS, Math.max(w, 4));
  return w;
}
