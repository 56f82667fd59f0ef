import type { WidgetData } from './widget-data.ts';

/**
 * A widget's data as CSV: what the chart draws, one row per point, bar, bin, row or cell. UTF-8
 * with a BOM (spreadsheets then read accents right), CRLF, RFC 4180 quoting, and text that a
 * spreadsheet would run as a formula (=, +, -, @ first) neutralised with a leading apostrophe.
 * Numbers are written as numbers (an NPS of -20 stays -20).
 */

type Cell = string | number | boolean | null | undefined;

export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(columns: string[], rows: Cell[][]): string {
  const lines = [columns, ...rows].map((row) => row.map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** The columns and rows of a widget's data. */
export function widgetTable(data: WidgetData): { columns: string[]; rows: Cell[][] } {
  switch (data.type) {
    case 'kpi':
      return {
        columns: ['metric', 'value', 'n', 'previous', 'delta', 'from', 'to', 'previous_from', 'previous_to'],
        rows: [
          [
            data.metric,
            data.value,
            data.n,
            data.previous,
            data.delta,
            data.period.from,
            data.period.to,
            data.previousPeriod?.from,
            data.previousPeriod?.to,
          ],
        ],
      };
    case 'trend':
      return {
        columns: [data.interval, data.metric, 'n'],
        rows: data.points.map((p) => [p.bucket, p.value, p.n]),
      };
    case 'bar':
      return {
        columns: [data.by, 'label', data.metric, 'n'],
        rows: data.bars.map((b) => [b.key, b.label, b.value, b.n]),
      };
    case 'nps_distribution':
      return {
        columns: ['score', 'category', 'count'],
        rows: data.bins.map((b) => [b.score, b.category, b.count]),
      };
    case 'table':
      if (data.source === 'accounts')
        return {
          columns: [
            'account_id',
            'account',
            'external_ref',
            'health',
            'band',
            'risk',
            'nps',
            'responses',
            'last_feedback_at',
          ],
          rows: (data.accounts ?? []).map((a) => [
            a.accountId,
            a.name,
            a.externalRef,
            a.health,
            a.band,
            a.risk,
            a.nps,
            a.responses,
            a.lastFeedbackAt,
          ]),
        };
      return {
        columns: [
          'response_id',
          'completed_at',
          'survey',
          'account',
          'contact',
          'role',
          'nps_score',
          'nps_category',
          'csat_score',
          'comment',
        ],
        rows: (data.responses ?? []).map((r) => [
          r.responseId,
          r.completedAt,
          r.survey,
          r.account,
          r.contact,
          r.role,
          r.npsScore,
          r.npsCategory,
          r.csatScore,
          r.comment,
        ]),
      };
    case 'heatmap': {
      const names = new Map(data.accounts.map((a) => [a.accountId, a.name]));
      const cell = new Map(data.cells.map((c) => [`${c.accountId}:${c.role}`, c]));
      // One row per account, one column per role (and its number of answers).
      return {
        columns: ['account_id', 'account', ...data.roles.flatMap((r) => [r, `${r}_n`])],
        rows: data.accounts.map((a) => [
          a.accountId,
          names.get(a.accountId),
          ...data.roles.flatMap((r) => {
            const c = cell.get(`${a.accountId}:${r}`);
            return [c?.value ?? null, c?.n ?? 0];
          }),
        ]),
      };
    }
  }
}

export const widgetCsv = (data: WidgetData) => {
  const { columns, rows } = widgetTable(data);
  return toCsv(columns, rows);
};

/** A file name from the widget's title (or type) and the day. */
export function csvFileName(title: string, fallback: string, now = new Date()): string {
  const base =
    title
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase()
      .slice(0, 60) || fallback;
  return `${base}-${now.toISOString().slice(0, 10)}.csv`;
}
