import { Anchor, Badge, Button, Card, Checkbox, Group, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, errorMessage } from '../api/client.ts';
import { useCan } from '../auth/session.ts';
import { HeadedTable } from '../common/HeadedTable.tsx';
import { QueryState } from '../common/states.tsx';
import { formatDateTime, formatNumber } from '../i18n/index.ts';
import type { SyncRun } from './types.ts';

const RUN_COLORS = { queued: 'gray', running: 'blue', succeeded: 'green', failed: 'red' } as const;

/** The sync's last runs: what each extracted, its API cost and its import report. */
export function SyncRunsCard({ directoryId }: { directoryId: number }) {
  const { t, i18n } = useTranslation();
  const canWrite = useCan('data:write');
  const client = useQueryClient();
  const [full, setFull] = useState(false);
  const runs = useQuery({
    queryKey: ['salesforce', 'runs', directoryId],
    queryFn: () =>
      api.get<{ items: SyncRun[] }>(`/directories/${directoryId}/salesforce/sync/runs`, { limit: 20 }),
    refetchInterval: (query) =>
      query.state.data?.items.some((r) => r.status === 'queued' || r.status === 'running') ? 1500 : false,
  });
  // A run that ends changes what the sync keeps in step: read it again.
  const lastFinished = runs.data?.items.find((r) => r.finishedAt)?.finishedAt ?? null;
  useEffect(() => {
    if (lastFinished) void client.invalidateQueries({ queryKey: ['salesforce', 'sync', directoryId] });
  }, [lastFinished, client, directoryId]);
  const runNow = useMutation({
    mutationFn: () => api.post(`/directories/${directoryId}/salesforce/sync/runs`, { full }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['salesforce', 'runs', directoryId] }),
    onError: (error) => notifications.show({ message: errorMessage(error), color: 'red' }),
  });
  const seconds = (run: SyncRun) =>
    run.timings.totalMs ? `${(run.timings.totalMs / 1000).toFixed(1)} s` : '';
  return (
    <Card withBorder>
      <Stack>
        <Group justify="space-between">
          <Title order={4}>{t('salesforce.lastRuns')}</Title>
          {canWrite && (
            <Group>
              <Checkbox
                label={t('salesforce.fullSync')}
                checked={full}
                onChange={(e) => setFull(e.currentTarget.checked)}
              />
              <Button onClick={() => runNow.mutate()} loading={runNow.isPending} data-testid="sync-run-now">
                {t('salesforce.runNow')}
              </Button>
            </Group>
          )}
        </Group>
        <QueryState query={runs} empty={t('salesforce.noRuns')}>
          {(data) => (
            <HeadedTable
              testId="sync-runs"
              headers={[
                t('salesforce.started'),
                t('salesforce.status'),
                t('salesforce.extracted'),
                t('salesforce.apiCalls'),
                t('salesforce.report'),
              ]}
            >
              {data.items.map((run) => (
                <Table.Tr key={run.id}>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(run.startedAt ?? run.createdAt, i18n.language)}</Text>
                    <Text size="xs" c="dimmed">
                      {t(`salesforce.mode.${run.mode}`)}
                      {run.reconciled && run.mode === 'delta' ? ` · ${t('salesforce.reconciled')}` : ''} ·{' '}
                      {t(`salesforce.trigger.${run.trigger}`, run.trigger)} {seconds(run)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={RUN_COLORS[run.status]}>{t(`salesforce.runStatus.${run.status}`)}</Badge>
                    {run.error && (
                      <Text size="xs" c="red" maw={360}>
                        {run.error}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {Object.entries(run.extracted).map(([object, e]) => (
                      <Text size="xs" key={object}>
                        {object}:{' '}
                        {t('salesforce.extractedLine', {
                          rows: formatNumber(e?.rows ?? 0, i18n.language),
                          deleted: formatNumber((e?.deleted ?? 0) + (e?.gone ?? 0), i18n.language),
                          method: e?.method === 'bulk' ? `Bulk API 2.0, ${e.pages} p.` : 'REST',
                        })}
                        {e?.listView ? ` · ${t('salesforce.listViewShort', { name: e.listView })}` : ''}
                        {e?.lists
                          ? ` · ${t('salesforce.campaignListsLine', {
                              count: e.lists.lists,
                              added: e.lists.added,
                              removed: e.lists.removed,
                            })}`
                          : ''}
                      </Text>
                    ))}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{run.apiCalls}</Text>
                    {run.apiUsage?.max ? (
                      <Text size="xs" c="dimmed">
                        {formatNumber(run.apiUsage.after ?? 0, i18n.language)} /{' '}
                        {formatNumber(run.apiUsage.max, i18n.language)}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    {run.importRunId ? (
                      <Anchor component={Link} to={`/directory/imports/${run.importRunId}`} size="sm">
                        {t('salesforce.importReport', { id: run.importRunId })}
                      </Anchor>
                    ) : run.status === 'succeeded' ? (
                      <Text size="xs" c="dimmed">
                        {t('salesforce.nothingChanged')}
                      </Text>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </HeadedTable>
          )}
        </QueryState>
      </Stack>
    </Card>
  );
}
