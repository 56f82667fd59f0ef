import {
  Badge,
  Card,
  Group,
  Progress,
  SimpleGrid,
  Stack,
  Text,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../i18n/index.ts';
import { amount, daysUntil, percent, score } from './format.ts';
import { type AccountHealth, BAND_COLORS, type HealthModel, RISK_COLORS, RISKS } from './types.ts';

export function summarize(items: AccountHealth[], model: HealthModel | undefined) {
  const byRisk = Object.fromEntries(RISKS.map((r) => [r, 0])) as Record<string, number>;
  for (const a of items) byRisk[a.risk] = (byRisk[a.risk] ?? 0) + 1;
  const scored = items.filter((a) => a.health !== null);
  const average = scored.length ? scored.reduce((s, a) => s + a.health!, 0) / scored.length : null;
  const withArr = scored.filter((a) => (a.arr ?? 0) > 0);
  const arrTotal = withArr.reduce((s, a) => s + a.arr!, 0);
  const arrWeighted = arrTotal > 0 ? withArr.reduce((s, a) => s + a.health! * a.arr!, 0) / arrTotal : null;
  const soonDays = model?.renewalSoonDays ?? 90;
  const renewals = items.filter((a) => {
    const days = daysUntil(a.renewalDate);
    return days !== null && days >= 0 && days <= soonDays;
  });
  const bands = model?.bands ?? { red: 40, yellow: 70 };
  const bandOf = (h: number | null) =>
    h === null ? 'insufficient' : h < bands.red ? 'red' : h < bands.yellow ? 'yellow' : 'green';
  return {
    total: items.length,
    byRisk,
    average,
    averageBand: bandOf(average),
    arrWeighted,
    scored: scored.length,
    insufficient: items.filter((a) => a.band === 'insufficient').length,
    soonDays,
    renewals: renewals.length,
    renewalsAtRisk: renewals.filter((a) => a.risk === 'high' || a.risk === 'medium').length,
    renewalsArr: renewals.reduce((s, a) => s + (a.arr ?? 0), 0),
    arrAtRisk: items.filter((a) => a.risk === 'high').reduce((s, a) => s + (a.arr ?? 0), 0),
  };
}

/** Accounts by risk, average health, accounts with too little signal, renewals coming up. */
export function KpiStrip({
  items,
  truncated,
  model,
  selectedRisks,
  onToggleRisk,
  onInsufficient,
  onRenewals,
}: {
  items: AccountHealth[];
  truncated: boolean;
  model: HealthModel | undefined;
  selectedRisks: string[];
  onToggleRisk: (risk: string) => void;
  onInsufficient: () => void;
  onRenewals: () => void;
}) {
  const { t, i18n } = useTranslation();
  const s = summarize(items, model);
  const n = (v: number) => `${formatNumber(v, i18n.language)}${truncated ? '+' : ''}`;
  const share = (v: number) => (s.total ? (v / s.total) * 100 : 0);
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} data-testid="kpi-strip">
      <Card withBorder data-testid="kpi-risk">
        <Group justify="space-between" align="flex-start">
          <Text size="sm" c="dimmed">
            {t('health.kpi.byRisk')}
          </Text>
          <Text size="sm" c="dimmed">
            {t('health.kpi.accounts', { count: s.total, formatted: n(s.total) })}
          </Text>
        </Group>
        <Group gap="xs" mt={6} mb="xs">
          {RISKS.map((risk) => (
            <UnstyledButton
              key={risk}
              onClick={() => onToggleRisk(risk)}
              aria-pressed={selectedRisks.includes(risk)}
              data-testid={`kpi-risk-${risk}`}
            >
              <Stack gap={0} align="center">
                <Text fz={26} fw={700} c={risk === 'high' && s.byRisk.high ? 'red.7' : undefined}>
                  {formatNumber(s.byRisk[risk] ?? 0, i18n.language)}
                </Text>
                <Badge
                  size="sm"
                  color={RISK_COLORS[risk]}
                  variant={selectedRisks.includes(risk) ? 'filled' : 'light'}
                >
                  {t(`health.risks.${risk}`)}
                </Badge>
              </Stack>
            </UnstyledButton>
          ))}
        </Group>
        <Progress.Root size="md" aria-label={t('health.kpi.byRisk')}>
          {RISKS.map((risk) => (
            <Tooltip key={risk} label={`${t(`health.risks.${risk}`)}: ${s.byRisk[risk] ?? 0}`}>
              <Progress.Section value={share(s.byRisk[risk] ?? 0)} color={RISK_COLORS[risk]} />
            </Tooltip>
          ))}
        </Progress.Root>
        {s.arrAtRisk > 0 && (
          <Text size="xs" c="dimmed" mt={6}>
            {t('health.kpi.arrAtRisk', { arr: amount(s.arrAtRisk, i18n.language) })}
          </Text>
        )}
      </Card>
      <Card withBorder data-testid="kpi-average">
        <Text size="sm" c="dimmed">
          {t('health.kpi.average')}
        </Text>
        <Group gap="sm" mt={6}>
          <Text fz={32} fw={700} data-testid="kpi-average-value">
            {score(s.average === null ? null : Math.round(s.average * 10) / 10, i18n.language)}
          </Text>
          {s.average !== null && (
            <Badge color={BAND_COLORS[s.averageBand]} variant="light">
              {t(`health.bands.${s.averageBand}`)}
            </Badge>
          )}
        </Group>
        <Text size="sm" c="dimmed">
          {t('health.kpi.averageOf', { count: s.scored, formatted: n(s.scored) })}
        </Text>
        {s.arrWeighted !== null && (
          <Text size="xs" c="dimmed">
            {t('health.kpi.arrWeighted', {
              value: score(Math.round(s.arrWeighted * 10) / 10, i18n.language),
            })}
          </Text>
        )}
      </Card>
      <UnstyledButton onClick={onInsufficient} data-testid="kpi-insufficient">
        <Card withBorder h="100%">
          <Text size="sm" c="dimmed">
            {t('health.kpi.insufficient')}
          </Text>
          <Text fz={32} fw={700} mt={6}>
            {n(s.insufficient)}
          </Text>
          <Text size="sm" c="dimmed">
            {t('health.kpi.insufficientShare', {
              share: percent(s.total ? s.insufficient / s.total : 0, i18n.language),
              count: model?.minResponses ?? 1,
              days: model?.windowDays ?? 365,
            })}
          </Text>
        </Card>
      </UnstyledButton>
      <UnstyledButton onClick={onRenewals} data-testid="kpi-renewals">
        <Card withBorder h="100%">
          <Text size="sm" c="dimmed">
            {t('health.kpi.renewals', { days: s.soonDays })}
          </Text>
          <Text fz={32} fw={700} mt={6}>
            {n(s.renewals)}
          </Text>
          {s.renewals > 0 && (
            <Text size="sm" c={s.renewalsAtRisk ? 'red.7' : 'dimmed'}>
              {t('health.kpi.renewalsAtRisk', { count: s.renewalsAtRisk })}
            </Text>
          )}
          {s.renewalsArr > 0 && (
            <Text size="xs" c="dimmed">
              {t('health.kpi.renewalsArr', { arr: amount(s.renewalsArr, i18n.language) })}
            </Text>
          )}
        </Card>
      </UnstyledButton>
    </SimpleGrid>
  );
}
