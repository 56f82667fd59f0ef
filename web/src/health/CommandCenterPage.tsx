import { Alert, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconAdjustments, IconRefresh } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, errorMessage } from '../api/client.ts';
import { useCan } from '../auth/session.ts';
import { Pager } from '../common/Pager.tsx';
import { ErrorState, Loading } from '../common/states.tsx';
import { useCursorPages } from '../common/use-cursor-pages.ts';
import { DirectoryPicker, NoDirectory, useCurrentDirectory } from '../directory/current-directory.tsx';
import { daysSince, relativeDays } from './format.ts';
import { HealthFiltersBar } from './HealthFiltersBar.tsx';
import { HealthTable } from './HealthTable.tsx';
import { InterventionsPanel } from './InterventionsPanel.tsx';
import { KpiStrip } from './KpiStrip.tsx';
import { HEALTH_KEY, useHealthModel } from './parts.tsx';
import type { AccountHealth } from './types.ts';
import { useHealthFilters, useHealthPage, useHealthQuery, useHealthSummary } from './use-health.ts';

/**
 * The Account Management Command Center: key metrics (accounts by churn risk, average health,
 * accounts without enough signal, renewals), where to intervene, and every account ranked by risk.
 */
export function CommandCenterPage() {
  const { t } = useTranslation();
  const { directories, current, pick } = useCurrentDirectory();
  if (directories.isError)
    return <ErrorState error={directories.error} onRetry={() => void directories.refetch()} />;
  if (current === undefined) return <Loading />;
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Stack gap={0}>
          <Title order={2}>{t('health.title')}</Title>
          <Text c="dimmed" size="sm">
            {t('health.subtitle')}
          </Text>
        </Stack>
        <Group>
          {current && <RecomputeButton directoryId={current.id} />}
          <Button
            variant="default"
            component={Link}
            to="/settings/health-model"
            leftSection={<IconAdjustments size={16} />}
            data-testid="open-health-model"
          >
            {t('health.model.title')}
          </Button>
          {current && <DirectoryPicker current={current} items={directories.data!.items} onPick={pick} />}
        </Group>
      </Group>
      {current === null ? (
        <NoDirectory onCreated={pick} />
      ) : (
        <CommandCenter key={current.id} directoryId={current.id} />
      )}
    </Stack>
  );
}

function RecomputeButton({ directoryId }: { directoryId: number }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const canWrite = useCan('data:write');
  const recompute = useMutation({
    mutationFn: () =>
      api.post<{ jobId: string | null }>(`/directories/${directoryId}/account-health/recompute`),
    onSuccess: () => {
      notifications.show({ message: t('health.recomputeStarted') });
      // The job takes seconds: look again a little later.
      setTimeout(() => void client.invalidateQueries({ queryKey: [HEALTH_KEY] }), 3000);
    },
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  if (!canWrite) return null;
  return (
    <Button
      variant="default"
      leftSection={<IconRefresh size={16} />}
      loading={recompute.isPending}
      onClick={() => recompute.mutate()}
      data-testid="recompute-health"
    >
      {t('health.recompute')}
    </Button>
  );
}

function CommandCenter({ directoryId }: { directoryId: number }) {
  const { t, i18n } = useTranslation();
  const state = useHealthFilters();
  const { filters, set } = state;
  // Typed filters wait for a pause before the list and the figures are asked for again.
  const [q] = useDebouncedValue(filters.q, 300);
  const [owner] = useDebouncedValue(filters.owner, 400);
  const [attribute] = useDebouncedValue(filters.attribute, 400);
  const query = useHealthQuery({ ...filters, q, owner, attribute });
  const pages = useCursorPages(JSON.stringify([directoryId, query]));
  const offset = Number(pages.cursor ?? 0);
  const list = useHealthPage(directoryId, query, offset);
  const summary = useHealthSummary(directoryId, query.population);
  const model = useHealthModel(directoryId);

  const owners = useOwnersSeen(list.data?.items);
  // Every account is recomputed at once: the latest computation of the page dates them all.
  const computedAt = (list.data?.items ?? []).reduce<string | null>(
    (latest, a) => (a.computedAt && (!latest || a.computedAt > latest) ? a.computedAt : latest),
    null,
  );
  const computedDays = daysSince(computedAt);
  const toggleRisk = (risk: string) =>
    set({
      risk:
        (filters.risk.includes(risk) ? filters.risk.filter((r) => r !== risk) : [...filters.risk, risk]).join(
          ',',
        ) || null,
    });

  return (
    <Stack gap="lg">
      {summary.isError ? (
        <ErrorState error={summary.error} onRetry={() => void summary.refetch()} />
      ) : summary.isPending ? (
        <Loading />
      ) : (
        <>
          {summary.data.accounts === 0 && !state.active && (
            <Alert color="indigo" title={t('health.notComputedTitle')} data-testid="health-empty">
              {t('health.notComputed')}
            </Alert>
          )}
          <KpiStrip
            summary={summary.data}
            model={model.data}
            selectedRisks={filters.risk}
            onToggleRisk={toggleRisk}
            onInsufficient={() => set({ band: 'insufficient', risk: null })}
            onRenewals={() => set({ sort: 'renewal' })}
          />
        </>
      )}
      <InterventionsPanel directoryId={directoryId} />
      <Stack gap="xs">
        <Group justify="space-between" align="baseline">
          <Title order={4}>{t('health.ranked')}</Title>
          {computedDays !== null && (
            <Text size="xs" c="dimmed" data-testid="health-computed">
              {t('health.computedAt', { when: relativeDays(-computedDays, i18n.language) })}
            </Text>
          )}
        </Group>
        <HealthFiltersBar
          directoryId={directoryId}
          state={state}
          owners={owners}
          q={filters.q}
          onQ={(q) => set({ q: q || null })}
        />
        {list.isPending ? (
          <Loading />
        ) : list.isError ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <>
            <HealthTable items={list.data.items} model={model.data} dimmed={list.isPlaceholderData} />
            {list.data.items.length === 0 && (
              <Text c="dimmed" ta="center" data-testid="health-no-match">
                {t('health.noMatch')}
              </Text>
            )}
            <Pager
              pageNumber={pages.pageNumber}
              nextCursor={list.data.nextOffset === null ? null : String(list.data.nextOffset)}
              onNext={pages.next}
              onPrevious={pages.previous}
            />
          </>
        )}
      </Stack>
    </Stack>
  );
}

/**
 * The account owners met in the pages of the list read so far, for the owner filter's suggestions
 * (the API has no list of owners; any email can be typed).
 */
function useOwnersSeen(items: AccountHealth[] | undefined) {
  const [owners, setOwners] = useState<string[]>([]);
  useEffect(() => {
    const seen = (items ?? []).flatMap((a) => (a.owner ? [a.owner] : []));
    setOwners((prev) => {
      const next = new Set([...prev, ...seen]);
      return next.size === prev.length ? prev : [...next].sort();
    });
  }, [items]);
  return owners;
}
