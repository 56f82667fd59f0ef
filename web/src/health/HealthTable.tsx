import { Anchor, Group, Stack, Table, Text, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { amount, daysSince, daysUntil, formatDay, percent, relativeDays, signed } from './format.ts';
import { AgeText, HealthBadge, HealthBar, RiskBadge, TopReason } from './parts.tsx';
import type { AccountHealth, HealthModel } from './types.ts';

/** The accounts ranked by churn risk (or the chosen order), one row each. */
export function HealthTable({
  items,
  model,
  dimmed,
}: {
  items: AccountHealth[];
  model: HealthModel | undefined;
  dimmed: boolean;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const soon = model?.renewalSoonDays ?? 90;
  return (
    <Table.ScrollContainer minWidth={1200}>
      <Table
        striped
        highlightOnHover
        data-testid="health-table"
        opacity={dimmed ? 0.6 : 1}
        verticalSpacing="xs"
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('accounts.account')}</Table.Th>
            <Table.Th>{t('health.health')}</Table.Th>
            <Table.Th>{t('health.risk')}</Table.Th>
            <Table.Th>{t('health.topReason')}</Table.Th>
            <Table.Th ta="right">{t('health.nps')}</Table.Th>
            <Table.Th ta="right">{t('health.coverage')}</Table.Th>
            <Table.Th>{t('health.lastFeedback')}</Table.Th>
            <Table.Th>{t('accounts.owner')}</Table.Th>
            <Table.Th ta="right">{t('health.arr')}</Table.Th>
            <Table.Th>{t('health.renewal')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((a) => {
            const feedbackDays = daysSince(a.lastFeedbackAt);
            const renewalDays = daysUntil(a.renewalDate);
            return (
              <Table.Tr key={`${a.accountId}-${a.scope}`} data-testid={`health-row-${a.accountId}`}>
                <Table.Td maw={260}>
                  <Anchor
                    component={Link}
                    to={`/accounts/${a.accountId}`}
                    fw={500}
                    data-testid="health-row-name"
                  >
                    {a.name}
                  </Anchor>
                  <Text size="xs" c="dimmed" ff="monospace">
                    {a.externalRef}
                  </Text>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <Group gap="xs" wrap="nowrap">
                    <HealthBadge health={a.health} band={a.band} size="sm" />
                    {a.health !== null && <HealthBar health={a.health} band={a.band} w={60} />}
                  </Group>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <RiskBadge risk={a.risk} size="sm" />
                </Table.Td>
                <Table.Td maw={360} data-testid="health-row-reason">
                  <TopReason reasons={a.reasons} />
                </Table.Td>
                <Table.Td ta="right">
                  {a.nps === null ? (
                    <Text size="sm" c="dimmed">
                      —
                    </Text>
                  ) : (
                    <Tooltip
                      withArrow
                      label={t('health.npsTooltip', {
                        weighted: signed(a.weightedNps, lang),
                        count: a.npsAnswers,
                        promoters: a.promoters,
                        passives: a.passives,
                        detractors: a.detractors,
                      })}
                    >
                      <Text size="sm" fw={500} span>
                        {signed(a.nps, lang)}
                      </Text>
                    </Tooltip>
                  )}
                </Table.Td>
                <Table.Td ta="right">
                  <Tooltip
                    withArrow
                    disabled={a.silentRoles.length === 0}
                    label={t('health.silentTooltip', {
                      roles: a.silentRoles.map((r) => t(`clientRoles.${r}`, { defaultValue: r })).join(', '),
                    })}
                  >
                    <Text size="sm" span c={a.coverage === null ? 'dimmed' : undefined}>
                      {percent(a.coverage, lang)}
                    </Text>
                  </Tooltip>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <Stack gap={0}>
                    <AgeText days={feedbackDays} never={t('health.never')} />
                    {a.daysSinceLastContact !== null && (
                      <Text size="xs" c="dimmed">
                        {t('health.contacted')} <AgeText days={a.daysSinceLastContact} never="" size="xs" />
                      </Text>
                    )}
                  </Stack>
                </Table.Td>
                <Table.Td maw={190}>
                  <Text size="sm" truncate="end" title={a.owner ?? undefined}>
                    {a.owner ?? '—'}
                  </Text>
                </Table.Td>
                <Table.Td ta="right">{amount(a.arr, lang)}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <Text size="sm">{formatDay(a.renewalDate, lang)}</Text>
                  {renewalDays !== null && renewalDays >= 0 && renewalDays <= soon * 2 && (
                    <Text size="xs" c={renewalDays <= soon ? 'orange.7' : 'dimmed'}>
                      {relativeDays(renewalDays, lang)}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
