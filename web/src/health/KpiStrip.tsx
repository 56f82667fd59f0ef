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
import { amount, percent, score } from './format.ts';
import { BAND_COLORS, type HealthModel, type HealthSummary, RISK_COLORS, RISKS } from './types.ts';

/** The band an average health falls in, by the model's thresholds. */
function bandOf(health: number | null, model: HealthModel | undefined) {
  const bands = model?.bands ?? { red: 40, yellow: 70 };
  return health === null
    ? 'insufficient'
    : health < bands.red
      ? 'red'
      : health < bands.yellow
        ? 'yellow'
        : 'green';
}

/**
 * Accounts by risk, average health, accounts with too little signal, renewals coming up: the
 * server's summary of the population. Each figure filters the list below when clicked.
 */
export function KpiStrip({
  summary: s,
  model,
  selectedRisks,
  onToggleRisk,
  onInsufficient,
  onRenewals,
}: {
  summary: HealthSummary;
  model: HealthModel | undefined;
  selectedRisks: string[];
  onToggleRisk: (risk: string) => void;
  onInsufficient: () => void;
  onRenewals: () => void;
}) {
  const { t, i18n } = useTranslation();
  const n = (v: number) => formatNumber(v, i18n.language);
  const risk = (r: string) => s.byRisk[r as keyof typeof s.byRisk] ?? 0;
  const share = (v: number) => (s.accounts ? (v / s.accounts) * 100 : 0);
  const insufficient = s.byBand.insufficient ?? 0;
  const scored = s.accounts - insufficient;
  const averageBand = bandOf(s.averageHealth, model);
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} data-testid="kpi-strip">
      <Card withBorder data-testid="kpi-risk">
        <Group justify="space-between" align="flex-start">
          <Text size="sm" c="dimmed">
            {t('health.kpi.byRisk')}
          </Text>
          <Text size="sm" c="dimmed" data-testid="kpi-accounts">
            {t('health.kpi.accounts', { count: s.accounts, formatted: n(s.accounts) })}
          </Text>
        </Group>
        <Group gap="xs" mt={6} mb="xs">
          {RISKS.map((r) => (
            <UnstyledButton
              key={r}
              onClick={() => onToggleRisk(r)}
              aria-pressed={selectedRisks.includes(r)}
              data-testid={`kpi-risk-${r}`}
            >
              <Stack gap={0} align="center">
                <Text fz={26} fw={700} c={r === 'high' && risk('high') ? 'red.7' : undefined}>
                  {n(risk(r))}
                </Text>
                <Badge
                  size="sm"
                  color={RISK_COLORS[r]}
                  variant={selectedRisks.includes(r) ? 'filled' : 'light'}
                >
                  {t(`health.risks.${r}`)}
                </Badge>
              </Stack>
            </UnstyledButton>
          ))}
        </Group>
        <Progress.Root size="md" aria-label={t('health.kpi.byRisk')}>
          {RISKS.map((r) => (
            <Tooltip key={r} label={`${t(`health.risks.${r}`)}: ${n(risk(r))}`}>
              <Progress.Section value={share(risk(r))} color={RISK_COLORS[r]} />
            </Tooltip>
          ))}
        </Progress.Root>
        {(s.arrAtHighRisk ?? 0) > 0 && (
          <Text size="xs" c="dimmed" mt={6}>
            {t('health.kpi.arrAtRisk', { arr: amount(s.arrAtHighRisk, i18n.language) })}
          </Text>
        )}
      </Card>
      <Card withBorder data-testid="kpi-average">
        <Text size="sm" c="dimmed">
          {t('health.kpi.average')}
        </Text>
        <Group gap="sm" mt={6}>
          <Text fz={32} fw={700} data-testid="kpi-average-value">
            {score(s.averageHealth, i18n.language)}
          </Text>
          {s.averageHealth !== null && (
            <Badge color={BAND_COLORS[averageBand]} variant="light">
              {t(`health.bands.${averageBand}`)}
            </Badge>
          )}
        </Group>
        <Text size="sm" c="dimmed">
          {t('health.kpi.averageOf', { count: scored, formatted: n(scored) })}
        </Text>
      </Card>
      <UnstyledButton onClick={onInsufficient} data-testid="kpi-insufficient">
        <Card withBorder h="100%">
          <Text size="sm" c="dimmed">
            {t('health.kpi.insufficient')}
          </Text>
          <Text fz={32} fw={700} mt={6} data-testid="kpi-insufficient-value">
            {n(insufficient)}
          </Text>
          <Text size="sm" c="dimmed">
            {t('health.kpi.insufficientShare', {
              share: percent(s.accounts ? insufficient / s.accounts : 0, i18n.language),
              count: model?.minResponses ?? 1,
              days: model?.windowDays ?? 365,
            })}
          </Text>
        </Card>
      </UnstyledButton>
      <UnstyledButton onClick={onRenewals} data-testid="kpi-renewals">
        <Card withBorder h="100%">
          <Text size="sm" c="dimmed">
            {t('health.kpi.renewals', { days: s.renewalSoonDays })}
          </Text>
          <Text fz={32} fw={700} mt={6} data-testid="kpi-renewals-value">
            {n(s.renewalsSoon)}
          </Text>
        </Card>
      </UnstyledButton>
    </SimpleGrid>
  );
}
