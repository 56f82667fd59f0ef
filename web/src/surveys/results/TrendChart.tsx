import { CompositeChart } from '@mantine/charts';
import { Card, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { SurveyResults } from './types.ts';

/** NPS over time (line) over the number of responses (bars), bucketed by day, week or month. */
export function TrendChart({ trend }: { trend: SurveyResults['trend'] }) {
  const { t, i18n } = useTranslation();
  const data = trend.points.map((p) => ({
    bucket: new Date(`${p.bucket}T00:00:00Z`).toLocaleDateString(i18n.language, {
      day: trend.unit === 'month' ? undefined : 'numeric',
      month: 'short',
      year: trend.unit === 'month' ? 'numeric' : undefined,
      timeZone: 'UTC',
    }),
    responses: p.responses,
    nps: p.nps?.score ?? null,
  }));
  return (
    <Card withBorder>
      <Title order={5} mb="xs">
        {t('results.trend', { unit: t(`results.units.${trend.unit}`) })}
      </Title>
      {data.length === 0 ? (
        <Text c="dimmed">{t('results.noResponses')}</Text>
      ) : (
        <CompositeChart
          h={240}
          data={data}
          dataKey="bucket"
          withLegend
          withRightYAxis
          rightYAxisProps={{ domain: [-100, 100] }}
          yAxisProps={{ allowDecimals: false }}
          series={[
            { name: 'responses', label: t('results.responses'), color: 'gray.4', type: 'bar' },
            { name: 'nps', label: t('results.nps'), color: 'indigo.6', type: 'line', yAxisId: 'right' },
          ]}
          connectNulls
        />
      )}
    </Card>
  );
}
