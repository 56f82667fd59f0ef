import { Badge, Card, Group, Progress, SimpleGrid, Stack, Text, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../i18n/index.ts';
import { LOW_SAMPLE, type SurveyResults } from './types.ts';

/** The headline figures: how many answered, NPS and CSAT, each with its 95% interval. */
export function MetricCards({ results }: { results: SurveyResults }) {
  const { t, i18n } = useTranslation();
  const { counts, nps, csat } = results;
  const share = (n: number) => (nps?.n ? (n / nps.n) * 100 : 0);
  return (
    <SimpleGrid cols={{ base: 1, sm: 3 }}>
      <Card withBorder data-testid="kpi-responses">
        <Text size="sm" c="dimmed">
          {t('results.responses')}
        </Text>
        <Text fz={32} fw={700}>
          {formatNumber(counts.complete, i18n.language)}
        </Text>
        <Text size="sm" c="dimmed">
          {t('results.partialAndRate', {
            partial: formatNumber(counts.partial, i18n.language),
            rate: counts.completionRate ?? '—',
          })}
        </Text>
      </Card>
      <Card withBorder data-testid="kpi-nps">
        <Group justify="space-between">
          <Text size="sm" c="dimmed">
            {t('results.nps')}
          </Text>
          {nps && nps.n < LOW_SAMPLE && (
            <Tooltip label={t('results.lowSampleHint', { n: LOW_SAMPLE })}>
              <Badge color="yellow" variant="light">
                {t('results.lowSample')}
              </Badge>
            </Tooltip>
          )}
        </Group>
        {nps ? (
          <Stack gap={4}>
            <Text fz={32} fw={700} data-testid="nps-score">
              {nps.score > 0 ? `+${nps.score}` : nps.score}{' '}
              <Text span size="md" c="dimmed">
                ± {nps.margin}
              </Text>
            </Text>
            <Text size="sm" c="dimmed">
              {t('results.interval', { low: nps.low, high: nps.high, n: nps.n })}
            </Text>
            <Progress.Root size="lg" aria-label={t('results.npsSplit')}>
              <Progress.Section value={share(nps.detractors)} color="red">
                <Progress.Label>{nps.detractors}</Progress.Label>
              </Progress.Section>
              <Progress.Section value={share(nps.passives)} color="yellow">
                <Progress.Label>{nps.passives}</Progress.Label>
              </Progress.Section>
              <Progress.Section value={share(nps.promoters)} color="teal">
                <Progress.Label>{nps.promoters}</Progress.Label>
              </Progress.Section>
            </Progress.Root>
          </Stack>
        ) : (
          <Text c="dimmed">{t('results.noScore')}</Text>
        )}
      </Card>
      <Card withBorder data-testid="kpi-csat">
        <Text size="sm" c="dimmed">
          {t('results.csat')}
        </Text>
        {csat?.satisfied ? (
          <Stack gap={4}>
            <Text fz={32} fw={700}>
              {csat.satisfied.percent} %
            </Text>
            <Text size="sm" c="dimmed">
              {t('results.interval', { low: csat.satisfied.low, high: csat.satisfied.high, n: csat.n })}
            </Text>
            {csat.score && (
              <Text size="sm" c="dimmed">
                {t('results.csatMean', { mean: csat.score.mean })}
              </Text>
            )}
          </Stack>
        ) : (
          <Text c="dimmed">{t('results.noScore')}</Text>
        )}
      </Card>
    </SimpleGrid>
  );
}
