import type { TFunction } from 'i18next';
import type { DashboardPage, Widget } from './types.ts';

/** A widget's title: its own, else one made from its settings in the viewer's language. */
export function widgetTitle(widget: Widget, t: TFunction): string {
  if (widget.title.trim()) return widget.title;
  switch (widget.type) {
    case 'kpi':
      return t(`dashboards.kpi.${widget.settings.metric}`);
    case 'trend':
      return t('dashboards.titles.trend', {
        metric: t(`dashboards.metrics.${widget.settings.metric}`),
        interval: t(`dashboards.intervals.${widget.settings.interval}`),
      });
    case 'bar': {
      const metric = t(`dashboards.metrics.${widget.settings.metric}`);
      if (widget.settings.by === 'attribute')
        return t('dashboards.titles.barAttribute', { metric, attribute: widget.settings.attribute ?? '' });
      if (widget.settings.by === 'question')
        return t('dashboards.titles.barQuestion', { metric, question: widget.settings.question ?? '' });
      return t('dashboards.titles.bar', { metric, by: t(`dashboards.dimensions.${widget.settings.by}`) });
    }
    case 'nps_distribution':
      return t('dashboards.titles.nps_distribution');
    case 'table':
      return t(`dashboards.titles.${widget.settings.source}`);
    case 'heatmap':
      return t('dashboards.titles.heatmap', { metric: t(`dashboards.metrics.${widget.settings.metric}`) });
  }
}

/** A page's title: its own, the template's pages by name, else "Page n". */
export function pageTitle(page: DashboardPage, index: number, t: TFunction): string {
  if (page.title.trim()) return page.title;
  return t(`dashboards.pageNames.${page.id}`, { defaultValue: t('dashboards.page', { n: index + 1 }) });
}
