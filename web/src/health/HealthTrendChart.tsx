import { LineChart } from '@mantine/charts';
import { Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { AccountHealthDetail, Scope } from './types.ts';

/** Health (0–100, left) and NPS (−100 to +100, right) from the daily snapshots of one scope. */
export function HealthTrendChart({ trend, scope }: { trend: AccountHealthDetail['trend']; scope: Scope }) {
  const { t, i18n } = useTranslation();
  const data = trend
    .filter((p) => p.scope === scope)
    .map((p) => ({
      day: new Date(`${p.day}T00:00:00Z`).toLocaleDateString(i18n.language, {
        day: 'numeric',
        month: 'short',
        timeZone: 'UTC',
      }),
      health: p.health,
      nps: p.nps,
    }));
  if (data.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {t('health.noTrend')}
      </Text>
    );
  return (
    <>
      <LineChart
        h={220}
        data={data}
        dataKey="day"
        withLegend
        withRightYAxis
        connectNulls
        yAxisProps={{ domain: [0, 100] }}
        rightYAxisProps={{ domain: [-100, 100] }}
        series={[
          { name: 'health', label: t('health.health'), color: 'indigo.6' },
          { name: 'nps', label: t('health.nps'), color: 'teal.6', yAxisId: 'right' },
        ]}
        data-testid="health-trend"
      />
      {data.length < 2 && (
        <Text size="xs" c="dimmed">
          {t('health.trendBuilding')}
        </Text>
      )}
    </>
  );
}
