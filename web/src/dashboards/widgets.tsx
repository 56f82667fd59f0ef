import { BarChart, LineChart } from '@mantine/charts';
import { Anchor, Badge, Center, Group, Stack, Table, Text, Tooltip } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { IconArrowDownRight, IconArrowUpRight, IconMinus } from '@tabler/icons-react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDateTime, formatNumber } from '../i18n/index.ts';
import type {
  BarData,
  HeatmapData,
  KpiData,
  NpsDistributionData,
  TableData,
  TrendData,
  WidgetData,
} from './types.ts';
import { RISK_COLORS } from './types.ts';

/** How each widget type draws its data; `height` is the body's height in pixels. */
export function WidgetBody({ data, height, links }: { data: WidgetData; height: number; links: boolean }) {
  switch (data.type) {
    case 'kpi':
      return <Kpi data={data} />;
    case 'trend':
      return <Trend data={data} height={height} />;
    case 'bar':
      return <Bars data={data} height={height} />;
    case 'nps_distribution':
      return <NpsDistribution data={data} height={height} />;
    case 'table':
      return <DataTable data={data} links={links} />;
    case 'heatmap':
      return <Heatmap data={data} />;
  }
}

const signed = (v: number) => (v > 0 ? `+${v}` : String(v));

export function formatKpi(data: Pick<KpiData, 'unit'>, value: number | null, lang: string): string {
  if (value === null) return '—';
  if (data.unit === 'score') return `${value > 0 ? '+' : ''}${formatNumber(value, lang)}`;
  if (data.unit === 'percent') return `${formatNumber(value, lang)} %`;
  return formatNumber(value, lang);
}

function Kpi({ data }: { data: KpiData }) {
  const { t, i18n } = useTranslation();
  // Fewer accounts at high risk is the good direction; for every other KPI, more is.
  const good =
    data.delta === null || data.delta === 0
      ? null
      : data.delta > 0 !== (data.metric === 'high_risk_accounts');
  const Arrow =
    data.delta === null || data.delta === 0
      ? IconMinus
      : data.delta > 0
        ? IconArrowUpRight
        : IconArrowDownRight;
  return (
    <Stack gap={2} data-testid="kpi-value">
      <Group gap="xs" align="baseline" wrap="nowrap">
        <Text fz={28} fw={700} lh={1.1}>
          {formatKpi(data, data.value, i18n.language)}
        </Text>
        {/* An interval wider than the scale says nothing: left out. */}
        {data.margin !== null && data.margin < 100 && data.value !== null && (
          <Text size="xs" c="dimmed">
            {t('dashboards.margin', { margin: data.margin })}
          </Text>
        )}
      </Group>
      {data.previousPeriod && (
        <Tooltip
          label={t('dashboards.previousWas', { value: formatKpi(data, data.previous, i18n.language) })}
          withinPortal
        >
          <Group gap={4} wrap="nowrap">
            <Arrow
              size={14}
              color={
                good === null ? 'gray' : good ? 'var(--mantine-color-teal-7)' : 'var(--mantine-color-red-7)'
              }
            />
            <Text size="xs" c={good === null ? 'dimmed' : good ? 'teal.7' : 'red.7'} data-testid="kpi-delta">
              {data.delta === null
                ? t('dashboards.noPrevious')
                : `${signed(data.delta)} ${t('dashboards.vsPrevious')}`}
            </Text>
          </Group>
        </Tooltip>
      )}
      <Text size="xs" c="dimmed">
        {t('dashboards.basedOn', { count: data.n })}
      </Text>
    </Stack>
  );
}

const Empty = () => {
  const { t } = useTranslation();
  return (
    <Center h="100%">
      <Text c="dimmed" size="sm">
        {t('dashboards.noData')}
      </Text>
    </Center>
  );
};

const bucketLabel = (bucket: string, interval: TrendData['interval'], lang: string) =>
  new Date(`${bucket}T00:00:00Z`).toLocaleDateString(lang, {
    day: interval === 'month' ? undefined : 'numeric',
    month: 'short',
    year: interval === 'month' ? '2-digit' : undefined,
    timeZone: 'UTC',
  });

const domainOf = (metric: string): [number, number] | undefined =>
  metric === 'nps' ? [-100, 100] : metric === 'responses' ? undefined : [0, 100];

function Trend({ data, height }: { data: TrendData; height: number }) {
  const { t, i18n } = useTranslation();
  if (data.points.every((p) => p.n === 0)) return <Empty />;
  const points = data.points.map((p) => ({
    bucket: bucketLabel(p.bucket, data.interval, i18n.language),
    value: p.value,
  }));
  return (
    <LineChart
      h={height}
      data={points}
      dataKey="bucket"
      series={[{ name: 'value', label: t(`dashboards.metrics.${data.metric}`), color: 'indigo.6' }]}
      connectNulls
      curveType="linear"
      withDots={points.length <= 40}
      yAxisProps={{ domain: domainOf(data.metric), allowDecimals: false }}
      gridAxis="y"
    />
  );
}

const npsColor = (value: number) => (value < 0 ? 'red.6' : value < 30 ? 'yellow.6' : 'teal.6');

export function barLabel(data: BarData, bar: BarData['bars'][number], t: TFunction) {
  if (data.by === 'role') return t(`clientRoles.${bar.key}`, { defaultValue: bar.key });
  return bar.label || t('dashboards.none');
}

function Bars({ data, height }: { data: BarData; height: number }) {
  const { t } = useTranslation();
  if (data.bars.every((b) => b.n === 0)) return <Empty />;
  const rows = data.bars.map((b) => ({ label: barLabel(data, b, t), value: b.value }));
  return (
    <BarChart
      h={height}
      data={rows}
      dataKey="label"
      orientation="vertical"
      series={[{ name: 'value', label: t(`dashboards.metrics.${data.metric}`), color: 'indigo.6' }]}
      getBarColor={data.metric === 'nps' ? npsColor : undefined}
      withBarValueLabel
      valueFormatter={(value) => (data.metric === 'nps' ? signed(value) : String(value))}
      minBarSize={3}
      gridAxis="none"
      // NPS: room beyond ±100 for the value written at the end of a full bar.
      xAxisProps={
        data.metric === 'nps'
          ? { domain: [-135, 135], ticks: [-100, -50, 0, 50, 100] }
          : { domain: domainOf(data.metric), allowDecimals: false }
      }
      yAxisProps={{ width: 150 }}
    />
  );
}

function NpsDistribution({ data, height }: { data: NpsDistributionData; height: number }) {
  const { t } = useTranslation();
  if (data.n === 0) return <Empty />;
  // One series per category: each bin has its count in its category's series only.
  const rows = data.bins.map((b) => ({
    score: String(b.score),
    detractor: b.category === 'detractor' ? b.count : 0,
    passive: b.category === 'passive' ? b.count : 0,
    promoter: b.category === 'promoter' ? b.count : 0,
  }));
  return (
    <Stack gap={4}>
      <Text size="sm" c="dimmed">
        {t('dashboards.npsSummary', {
          nps: data.nps === null ? '—' : signed(data.nps),
          promoters: data.promoters,
          passives: data.passives,
          detractors: data.detractors,
        })}
      </Text>
      <BarChart
        h={height - 26}
        data={rows}
        dataKey="score"
        type="stacked"
        series={[
          { name: 'detractor', label: t('dashboards.categories.detractor'), color: 'red.6' },
          { name: 'passive', label: t('dashboards.categories.passive'), color: 'yellow.5' },
          { name: 'promoter', label: t('dashboards.categories.promoter'), color: 'teal.6' },
        ]}
        yAxisProps={{ allowDecimals: false }}
        gridAxis="y"
      />
    </Stack>
  );
}

const fixed1 = (v: number | null) => (v === null ? '—' : String(Math.round(v * 10) / 10));

function DataTable({ data, links }: { data: TableData; links: boolean }) {
  const { t, i18n } = useTranslation();
  if (data.source === 'accounts') {
    const rows = data.accounts ?? [];
    if (rows.length === 0) return <Empty />;
    return (
      <Stack gap={4}>
        <Table striped highlightOnHover fz="xs" verticalSpacing={4} data-testid="table-accounts">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('dashboards.columns.account')}</Table.Th>
              <Table.Th ta="right">{t('dashboards.columns.health')}</Table.Th>
              <Table.Th>{t('dashboards.columns.risk')}</Table.Th>
              <Table.Th ta="right">{t('dashboards.columns.nps')}</Table.Th>
              <Table.Th ta="right">{t('dashboards.columns.responses')}</Table.Th>
              <Table.Th>{t('dashboards.columns.lastFeedback')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((a) => (
              <Table.Tr key={a.accountId}>
                <Table.Td>
                  {links ? (
                    <Anchor component={Link} to={`/accounts/${a.accountId}`} size="xs">
                      {a.name}
                    </Anchor>
                  ) : (
                    a.name
                  )}
                </Table.Td>
                <Table.Td ta="right">{fixed1(a.health)}</Table.Td>
                <Table.Td>
                  {a.risk && (
                    <Badge size="xs" variant="light" color={RISK_COLORS[a.risk] ?? 'gray'}>
                      {t(`dashboards.risks.${a.risk}`, { defaultValue: a.risk })}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td ta="right">{a.nps === null ? '—' : signed(a.nps)}</Table.Td>
                <Table.Td ta="right">{a.responses}</Table.Td>
                <Table.Td>
                  {a.lastFeedbackAt ? formatDateTime(a.lastFeedbackAt, i18n.language) : '—'}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {data.total > rows.length && (
          <Text size="xs" c="dimmed">
            {t('dashboards.moreRows', { shown: rows.length, total: data.total })}
          </Text>
        )}
      </Stack>
    );
  }
  const rows = data.responses ?? [];
  if (rows.length === 0) return <Empty />;
  return (
    <Table striped fz="xs" verticalSpacing={4} data-testid="table-responses">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('dashboards.columns.date')}</Table.Th>
          <Table.Th>{t('dashboards.columns.contact')}</Table.Th>
          <Table.Th>{t('dashboards.columns.account')}</Table.Th>
          <Table.Th>{t('dashboards.columns.survey')}</Table.Th>
          <Table.Th ta="right">{t('dashboards.columns.nps')}</Table.Th>
          <Table.Th ta="right">{t('dashboards.columns.csat')}</Table.Th>
          <Table.Th>{t('dashboards.columns.comment')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={r.responseId}>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>
              {formatDateTime(r.completedAt, i18n.language)}
            </Table.Td>
            <Table.Td>
              {r.contact ?? t('dashboards.anonymous')}
              {r.role && (
                <Text span size="xs" c="dimmed">
                  {' '}
                  · {t(`clientRoles.${r.role}`, { defaultValue: r.role })}
                </Text>
              )}
            </Table.Td>
            <Table.Td>{r.account ?? '—'}</Table.Td>
            <Table.Td>{r.survey}</Table.Td>
            <Table.Td ta="right">
              {r.npsScore === null ? (
                '—'
              ) : (
                <Badge
                  size="sm"
                  color={
                    r.npsCategory === 'promoter' ? 'teal' : r.npsCategory === 'passive' ? 'yellow' : 'red'
                  }
                >
                  {r.npsScore}
                </Badge>
              )}
            </Table.Td>
            <Table.Td ta="right">{fixed1(r.csatScore)}</Table.Td>
            <Table.Td style={{ maxWidth: 320 }}>
              <Text size="xs" lineClamp={2}>
                {r.comment ?? ''}
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

// Red → yellow → teal (Mantine's red 6, yellow 5, teal 6), by where the value sits on its scale.
const STOPS = [
  [250, 82, 82],
  [252, 196, 25],
  [18, 184, 134],
] as const;
function heatColor(share: number): string {
  const x = Math.min(1, Math.max(0, share)) * 2;
  const [a, b] = x <= 1 ? [STOPS[0], STOPS[1]] : [STOPS[1], STOPS[2]];
  const f = x <= 1 ? x : x - 1;
  const c = a.map((v, i) => Math.round(v + (b[i]! - v) * f));
  return `rgb(${c.join(',')})`;
}

/** A cell's place on its colour scale: NPS −100…100, a latest score by its NPS category. */
const shareOf = (metric: HeatmapData['metric'], value: number) =>
  metric === 'nps'
    ? (value + 100) / 200
    : value <= 6
      ? (value / 6) * 0.45
      : value <= 8
        ? 0.5 + (value - 7) * 0.1
        : 0.85 + (value - 9) * 0.15;

/** Accounts × client roles as an SVG grid (drawn by us: its colours are plain values, so it exports as is). */
function Heatmap({ data }: { data: HeatmapData }) {
  const { t } = useTranslation();
  const { ref, width } = useElementSize();
  if (data.accounts.length === 0 || data.roles.length === 0) return <Empty />;
  const labelWidth = Math.min(200, Math.max(120, width * 0.28));
  const header = 64;
  const rowHeight = 28;
  const cellWidth = Math.max(44, Math.min(120, (width - labelWidth) / data.roles.length));
  // Room on the right for the last column's slanted header.
  const svgWidth = labelWidth + cellWidth * data.roles.length + 90;
  const svgHeight = header + rowHeight * data.accounts.length;
  const cells = new Map(data.cells.map((c) => [`${c.accountId}:${c.role}`, c]));
  const short = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
  return (
    <div ref={ref} style={{ width: '100%' }}>
      {width > 0 && (
        <svg
          data-chart="heatmap"
          width={svgWidth}
          height={svgHeight}
          role="img"
          aria-label={t('dashboards.titles.heatmap', { metric: t(`dashboards.metrics.${data.metric}`) })}
          style={{ fontFamily: 'system-ui, sans-serif' }}
        >
          {data.roles.map((role, c) => (
            <text
              key={role}
              x={labelWidth + c * cellWidth + cellWidth / 2}
              y={header - 8}
              fontSize={11}
              fill="#495057"
              textAnchor="start"
              transform={`rotate(-30 ${labelWidth + c * cellWidth + cellWidth / 2} ${header - 8})`}
            >
              <title>{t(`clientRoles.${role}`, { defaultValue: role })}</title>
              {short(t(`clientRoles.${role}`, { defaultValue: role }), 18)}
            </text>
          ))}
          {data.accounts.map((account, r) => (
            <g key={account.accountId} transform={`translate(0 ${header + r * rowHeight})`}>
              <text x={0} y={rowHeight / 2 + 4} fontSize={12} fill="#212529">
                <title>{account.name}</title>
                {short(account.name, Math.floor(labelWidth / 7))}
              </text>
              {data.roles.map((role, c) => {
                const cell = cells.get(`${account.accountId}:${role}`);
                const value = cell?.value ?? null;
                return (
                  <g key={role}>
                    <rect
                      x={labelWidth + c * cellWidth + 1}
                      y={1}
                      width={cellWidth - 2}
                      height={rowHeight - 2}
                      rx={3}
                      fill={value === null ? '#f1f3f5' : heatColor(shareOf(data.metric, value))}
                    >
                      <title>
                        {`${account.name} · ${t(`clientRoles.${role}`, { defaultValue: role })}: ${
                          value === null ? '—' : value
                        } (${t('dashboards.basedOn', { count: cell?.n ?? 0 })})`}
                      </title>
                    </rect>
                    {value !== null && (
                      <text
                        x={labelWidth + c * cellWidth + cellWidth / 2}
                        y={rowHeight / 2 + 4}
                        fontSize={11}
                        fontWeight={600}
                        fill="#ffffff"
                        textAnchor="middle"
                        pointerEvents="none"
                      >
                        {data.metric === 'nps' ? signed(value) : value}
                      </text>
                    )}
                  </g>
                );
              })}
            </g>
          ))}
        </svg>
      )}
    </div>
  );
}

/** The rows a widget made of text (KPI, table) writes into its PNG. */
export function pngRows(data: WidgetData, t: TFunction, lang: string): string[][] {
  switch (data.type) {
    case 'kpi':
      return [
        [t(`dashboards.kpi.${data.metric}`), formatKpi(data, data.value, lang)],
        [t('dashboards.previous'), formatKpi(data, data.previous, lang)],
        [t('dashboards.delta'), data.delta === null ? '—' : signed(data.delta)],
        ['n', String(data.n)],
      ];
    case 'table':
      if (data.source === 'accounts')
        return [
          ['account', 'health', 'risk', 'nps', 'responses'].map((c) =>
            t(`dashboards.columns.${c === 'account' ? 'account' : c}`),
          ),
          ...(data.accounts ?? []).map((a) => [
            a.name,
            fixed1(a.health),
            a.risk ? t(`dashboards.risks.${a.risk}`, { defaultValue: a.risk }) : '',
            a.nps === null ? '—' : signed(a.nps),
            String(a.responses),
          ]),
        ];
      return [
        ['date', 'contact', 'account', 'nps', 'comment'].map((c) => t(`dashboards.columns.${c}`)),
        ...(data.responses ?? []).map((r) => [
          formatDateTime(r.completedAt, lang),
          r.contact ?? t('dashboards.anonymous'),
          r.account ?? '',
          r.npsScore === null ? '' : String(r.npsScore),
          r.comment ?? '',
        ]),
      ];
    case 'bar':
      return [
        [t(`dashboards.dimensions.${data.by}`), t(`dashboards.metrics.${data.metric}`)],
        ...data.bars.map((b) => [barLabel(data, b, t), b.value === null ? '—' : String(b.value)]),
      ];
    default:
      return [];
  }
}
