import {
  Alert,
  Anchor,
  Badge,
  Card,
  Divider,
  Group,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { ComponentsBreakdown } from './ComponentsBreakdown.tsx';
import { amount, daysSince, daysUntil, formatDay, percent, relativeDays, score, signed } from './format.ts';
import { HealthTrendChart } from './HealthTrendChart.tsx';
import { AgeText, HEALTH_KEY, HealthBar, ReasonList, RiskBadge, useHealthModel } from './parts.tsx';
import { type AccountHealthDetail, BAND_COLORS, type Scope } from './types.ts';

export function useAccountHealth(accountId: number | string | undefined) {
  return useQuery({
    queryKey: [HEALTH_KEY, 'account', String(accountId)],
    queryFn: () => api.get<AccountHealthDetail>(`/accounts/${accountId}/health`),
    enabled: accountId !== undefined,
  });
}

/**
 * The top of an account's page: its health and band, churn risk with every reason, the components
 * and their weights (so the score explains itself), the trend — for the account alone or with its
 * child accounts.
 */
export function AccountHealthSection({
  accountId,
  directoryId,
  hasChildren,
  scope,
  onScope,
}: {
  accountId: number;
  directoryId: number;
  hasChildren: boolean;
  scope: Scope;
  onScope: (scope: Scope) => void;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const detail = useAccountHealth(accountId);
  const model = useHealthModel(directoryId);
  if (detail.isPending || model.isPending) return <Loading />;
  if (detail.isError) return <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />;
  if (model.isError) return <ErrorState error={model.error} onRetry={() => void model.refetch()} />;
  const effective: Scope = hasChildren ? scope : 'own';
  const h = effective === 'subtree' ? (detail.data.subtree ?? detail.data.own) : detail.data.own;

  const header = (
    <Group justify="space-between" mb="sm">
      <Group gap="xs">
        <Title order={4}>{t('health.accountHealth')}</Title>
        {h?.computedAt && (
          <Text size="xs" c="dimmed">
            {t('health.computedAt', { when: relativeDays(-(daysSince(h.computedAt) ?? 0), lang) })}
          </Text>
        )}
      </Group>
      {hasChildren && (
        <SegmentedControl
          size="xs"
          value={effective}
          onChange={(v) => onScope(v as Scope)}
          data={[
            { value: 'own', label: t('health.scopeOwn') },
            { value: 'subtree', label: t('health.scopeSubtree') },
          ]}
          data-testid="health-scope"
        />
      )}
    </Group>
  );

  if (!h)
    return (
      <Card withBorder data-testid="account-health">
        {header}
        <Alert color="gray" title={t('health.notScoredTitle')}>
          {t('health.notScored')}
        </Alert>
      </Card>
    );

  const feedbackDays = daysSince(h.lastFeedbackAt);
  const renewalDays = daysUntil(h.renewalDate);
  const facts: [string, ReactNode][] = [
    [
      t('health.nps'),
      <Tooltip
        key="nps"
        label={t('health.npsTooltip', {
          weighted: signed(h.weightedNps, lang),
          count: h.npsAnswers,
          promoters: h.promoters,
          passives: h.passives,
          detractors: h.detractors,
        })}
      >
        <Text size="sm" span>
          {signed(h.nps, lang)}
          {h.weightedNps !== null && (
            <Text span size="xs" c="dimmed">
              {' '}
              ({t('health.weighted')} {signed(h.weightedNps, lang)})
            </Text>
          )}
        </Text>
      </Tooltip>,
    ],
    [
      t('health.answers'),
      t('health.answersValue', { promoters: h.promoters, passives: h.passives, detractors: h.detractors }),
    ],
    [t('health.coverage'), percent(h.coverage, lang)],
    [t('health.lastFeedback'), <AgeText key="fb" days={feedbackDays} never={t('health.never')} />],
    [
      t('health.lastContact'),
      <AgeText key="lc" days={h.daysSinceLastContact} never={t('health.neverContacted')} />,
    ],
    [t('health.arr'), amount(h.arr, lang)],
    [
      t('health.renewal'),
      h.renewalDate
        ? `${formatDay(h.renewalDate, lang)}${renewalDays !== null && renewalDays >= 0 ? ` (${relativeDays(renewalDays, lang)})` : ''}`
        : '—',
    ],
  ];
  if (h.openTickets > 0) facts.push([t('health.openTickets'), String(h.openTickets)]);
  if (h.responseRate !== null) facts.push([t('health.responseRate'), percent(h.responseRate, lang)]);

  return (
    <Card withBorder data-testid="account-health" data-scope={effective}>
      {header}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xl">
        <Group align="flex-start" gap="xl">
          <Stack gap={4} miw={150} align="flex-start">
            <Text
              fz={48}
              fw={700}
              lh={1}
              c={h.health === null ? 'dimmed' : `${BAND_COLORS[h.band] ?? 'gray'}.7`}
              data-testid="health-score"
            >
              {h.health === null ? '—' : score(h.health, lang)}
            </Text>
            <Text size="xs" c="dimmed">
              {t('health.outOf100')}
            </Text>
            <Badge color={BAND_COLORS[h.band] ?? 'gray'} variant="light" data-testid="health-band">
              {t(`health.bands.${h.band}`, { defaultValue: h.band })}
            </Badge>
            {h.health !== null && <HealthBar health={h.health} band={h.band} w={140} />}
          </Stack>
          <Table
            variant="vertical"
            withRowBorders={false}
            verticalSpacing={2}
            fz="sm"
            w="auto"
            style={{ flex: 1, minWidth: 260 }}
          >
            <Table.Tbody>
              {facts.map(([label, value]) => (
                <Table.Tr key={label}>
                  <Table.Th w={150} fw={400} c="dimmed" bg="transparent">
                    {label}
                  </Table.Th>
                  <Table.Td>{value}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Group>
        <Stack gap="xs" data-testid="account-risk">
          <Group gap="xs">
            <Text size="sm" fw={600}>
              {t('health.churnRisk')}
            </Text>
            <RiskBadge risk={h.risk} />
          </Group>
          <ReasonList reasons={h.reasons} />
          {h.risk === 'unknown' && (
            <Text size="xs" c="dimmed">
              {t('health.unknownHint')}
            </Text>
          )}
        </Stack>
      </SimpleGrid>
      <Divider my="md" />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="xl">
        <Stack gap={0}>
          <Group justify="space-between">
            <Text size="sm" fw={600}>
              {t('health.breakdown')}
            </Text>
            <Anchor component={Link} to="/settings/health-model" size="xs">
              {t('health.model.title')}
            </Anchor>
          </Group>
          <ComponentsBreakdown health={h} model={model.data} />
        </Stack>
        <Stack gap={0}>
          <Text size="sm" fw={600} mb="xs">
            {t('health.trend')}
          </Text>
          <HealthTrendChart trend={detail.data.trend} scope={effective} />
        </Stack>
      </SimpleGrid>
    </Card>
  );
}
