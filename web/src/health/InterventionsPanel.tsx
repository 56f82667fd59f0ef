import { Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconCalendarDue, IconMoodSad, IconTrendingDown, IconUserOff } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { formatNumber } from '../i18n/index.ts';
import { score } from './format.ts';
import { HEALTH_KEY, HealthBadge, ReasonLine } from './parts.tsx';
import type { AccountHealth, Interventions } from './types.ts';

/** Items shown per list before "show more". */
const SHOWN = 5;

const LISTS = [
  { key: 'detractorDecisionMakers', code: 'detractor_key_role', icon: IconMoodSad, color: 'red' },
  { key: 'healthDropped', code: null, icon: IconTrendingDown, color: 'orange' },
  { key: 'silentKeyRoles', code: 'silent_roles', icon: IconUserOff, color: 'grape' },
  { key: 'renewalsAtRisk', code: 'renewal_soon', icon: IconCalendarDue, color: 'indigo' },
] as const;

/**
 * Where to intervene: the four lists of the API, each account with the reason it is there, and
 * how many accounts each list has in all.
 */
export function InterventionsPanel({ directoryId }: { directoryId: number }) {
  const { t, i18n } = useTranslation();
  const [expanded, setExpanded] = useState<Record<string, boolean>>({});
  const data = useQuery({
    queryKey: [HEALTH_KEY, 'interventions', directoryId],
    queryFn: () => api.get<Interventions>(`/directories/${directoryId}/interventions`),
  });
  return (
    <Stack gap="xs" data-testid="interventions">
      <Title order={4}>{t('health.intervene.title')}</Title>
      {data.isPending ? (
        <Loading />
      ) : data.isError ? (
        <ErrorState error={data.error} onRetry={() => void data.refetch()} />
      ) : (
        <SimpleGrid cols={{ base: 1, md: 2, xl: 4 }}>
          {LISTS.map(({ key, code, icon: Icon, color }) => {
            const items = data.data[key];
            // Each list holds the first few accounts; the total counts them all.
            const total = Math.max(data.data.totals?.[key] ?? 0, items.length);
            return (
              <Card withBorder key={key} data-testid={`intervene-${key}`} padding="sm">
                <Group gap="xs" mb="xs" wrap="nowrap" align="flex-start">
                  <ThemeIcon variant="light" color={color}>
                    <Icon size={18} />
                  </ThemeIcon>
                  <Stack gap={0} style={{ flex: 1 }}>
                    <Group gap={6} wrap="nowrap">
                      <Text fw={600} size="sm">
                        {t(`health.intervene.${key}`)}
                      </Text>
                      {total > 0 && (
                        <Badge
                          size="sm"
                          circle={total < 10}
                          color={color}
                          style={{ flexShrink: 0 }}
                          data-testid="intervene-count"
                        >
                          {formatNumber(total, i18n.language)}
                        </Badge>
                      )}
                    </Group>
                    <Text size="xs" c="dimmed">
                      {t(`health.intervene.${key}Hint`)}
                    </Text>
                  </Stack>
                </Group>
                {items.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    {t('health.intervene.none')}
                  </Text>
                ) : (
                  <Stack gap="xs">
                    {(expanded[key] ? items : items.slice(0, SHOWN)).map((a) => (
                      <Item key={a.accountId} account={a}>
                        {code === null ? (
                          <DroppedLine account={a as AccountHealth & { healthBefore: number | null }} />
                        ) : (
                          a.reasons
                            .filter((r) => r.code === code)
                            .map((r) => <ReasonLine key={JSON.stringify(r)} reason={r} size="xs" />)
                        )}
                      </Item>
                    ))}
                    {items.length > SHOWN && (
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        onClick={() => setExpanded({ ...expanded, [key]: !expanded[key] })}
                      >
                        {expanded[key]
                          ? t('health.intervene.showLess')
                          : t('health.intervene.showMore', { count: items.length - SHOWN })}
                      </Button>
                    )}
                    {total > items.length && (expanded[key] || items.length <= SHOWN) && (
                      <Text size="xs" c="dimmed" data-testid="intervene-more">
                        {t('health.intervene.listed', {
                          shown: items.length,
                          total: formatNumber(total, i18n.language),
                        })}
                      </Text>
                    )}
                  </Stack>
                )}
              </Card>
            );
          })}
        </SimpleGrid>
      )}
    </Stack>
  );
}

function Item({ account, children }: { account: AccountHealth; children: ReactNode }) {
  return (
    <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs" data-testid="intervention">
      <Stack gap={2} style={{ minWidth: 0 }}>
        <Anchor component={Link} to={`/accounts/${account.accountId}`} size="sm" fw={500} lineClamp={1}>
          {account.name}
        </Anchor>
        {children}
      </Stack>
      <HealthBadge health={account.health} band={account.band} size="sm" />
    </Group>
  );
}

function DroppedLine({ account }: { account: AccountHealth & { healthBefore: number | null } }) {
  const { t, i18n } = useTranslation();
  return (
    <Text size="xs">
      {t('health.intervene.dropped', {
        before: score(account.healthBefore, i18n.language),
        now: score(account.health, i18n.language),
      })}
    </Text>
  );
}
