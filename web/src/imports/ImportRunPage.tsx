import { Alert, Anchor, Badge, Card, Group, Progress, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../api/client.ts';
import { IMPORT_OBJECTS, type ImportRun } from '../api/types.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { formatDateTime, formatNumber } from '../i18n/index.ts';
import { RunStatusBadge } from './RunStatusBadge.tsx';

const COUNTS = ['created', 'updated', 'unchanged', 'deleted', 'rejected'] as const;

interface FileProgress {
  bytesRead?: number;
  bytesTotal?: number | null;
  records?: number;
}

/** One import run: live progress while it runs, then its counts and its report. */
export function ImportRunPage() {
  const { t, i18n } = useTranslation();
  const { id } = useParams();
  const client = useQueryClient();
  const run = useQuery({
    queryKey: ['import', id],
    queryFn: () => api.get<ImportRun>(`/imports/${id}`),
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === 'queued' || status === 'running' ? 1000 : false;
    },
  });
  const finished = run.data?.status === 'succeeded' || run.data?.status === 'failed';
  // When a run ends, what the directory pages show has changed under them.
  useEffect(() => {
    if (!finished) return;
    for (const key of [
      'directory',
      'directories',
      'contacts',
      'accounts',
      'mailing-lists',
      'attributes',
      'imports',
    ])
      void client.invalidateQueries({ queryKey: [key] });
  }, [finished, client]);

  if (run.isPending) return <Loading />;
  if (run.isError) return <ErrorState error={run.error} onRetry={() => void run.refetch()} />;
  const r = run.data;
  const objects = r.objects ?? {};
  const active = r.status === 'queued' || r.status === 'running';
  const phase = r.progress.phase ?? (r.status === 'queued' ? 'queued' : undefined);
  const progress = r.progress as Record<string, unknown>;
  const seconds =
    r.startedAt && r.finishedAt ? (Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000 : null;

  return (
    <Stack>
      <Group gap="sm">
        <Title order={3}>{t('imports.run', { id: r.runId })}</Title>
        <RunStatusBadge run={r} />
        <Text size="sm" c="dimmed">
          {t('imports.by')}: {r.createdBy} · {formatDateTime(r.createdAt, i18n.language)}
          {seconds !== null && ` · ${t('imports.duration')}: ${seconds.toFixed(1)} s`}
        </Text>
      </Group>
      {active && (
        <Card withBorder data-testid="import-progress">
          <Text mb="xs">{phase ? t(`imports.phase.${phase}`, { defaultValue: phase }) : '…'}</Text>
          {IMPORT_OBJECTS.map((object) => {
            const p = progress[object] as FileProgress | undefined;
            if (!p) return null;
            const percent = p.bytesTotal
              ? Math.min(100, ((p.bytesRead ?? 0) / p.bytesTotal) * 100)
              : undefined;
            return (
              <Stack key={object} gap={2} mb="xs">
                <Text size="xs">
                  {t(`imports.object.${object}`)} · {formatNumber(p.records ?? 0, i18n.language)}
                </Text>
                <Progress value={percent ?? 100} animated={percent === undefined || phase === 'merging'} />
              </Stack>
            );
          })}
          {phase === 'merging' && <Progress value={100} animated />}
        </Card>
      )}
      {r.failure && (
        <Alert color="red" title={t('imports.statusValue.failed')}>
          {r.failure}
        </Alert>
      )}
      {r.mailingListId && (
        <Text>
          <Anchor component={Link} to={`/directory/contacts?listId=${r.mailingListId}`}>
            {t('imports.listCreated', { id: r.mailingListId })}
          </Anchor>
        </Text>
      )}
      <Table withTableBorder data-testid="import-counts">
        <Table.Thead>
          <Table.Tr>
            <Table.Th />
            {COUNTS.map((c) => (
              <Table.Th key={c}>{t(`imports.count.${c}`)}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {IMPORT_OBJECTS.filter((o) => objects[o]).map((object) => (
            <Table.Tr key={object} data-testid={`counts-${object}`}>
              <Table.Th>{t(`imports.object.${object}`)}</Table.Th>
              {COUNTS.map((c) => (
                <Table.Td key={c} data-count={c}>
                  {formatNumber(objects[object]![c], i18n.language)}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group gap="sm">
        <Badge color="red" variant="light">
          {t('imports.errors', { count: r.errorCount })}
        </Badge>
        <Badge color="yellow" variant="light">
          {t('imports.warnings', { count: r.warningCount })}
        </Badge>
        {r.errorCount + r.warningCount > 0 && (
          <Anchor href={`/api/v1/imports/${r.runId}/errors.csv`} data-testid="errors-csv">
            {t('imports.downloadReport')}
          </Anchor>
        )}
      </Group>
      {(r.issues?.length ?? 0) === 0 ? (
        !active && <Text c="dimmed">{t('imports.noIssues')}</Text>
      ) : (
        <Table striped data-testid="import-issues">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('imports.issue.severity')}</Table.Th>
              <Table.Th>{t('imports.issue.file')}</Table.Th>
              <Table.Th>{t('imports.issue.line')}</Table.Th>
              <Table.Th>{t('imports.issue.field')}</Table.Th>
              <Table.Th>{t('imports.issue.value')}</Table.Th>
              <Table.Th>{t('imports.issue.reason')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {r.issues!.map((issue) => (
              <Table.Tr key={`${issue.object}-${issue.line}-${issue.field}-${issue.reason}`}>
                <Table.Td>
                  <Text size="xs" fw={700} c={issue.severity === 'error' ? 'red' : 'orange'}>
                    {issue.severity === 'error' ? t('imports.error') : t('imports.warning')}
                  </Text>
                </Table.Td>
                <Table.Td>{issue.file.split('/').pop()}</Table.Td>
                <Table.Td>{issue.line ?? ''}</Table.Td>
                <Table.Td ff="monospace">{issue.field ?? ''}</Table.Td>
                <Table.Td ff="monospace">{issue.value ?? ''}</Table.Td>
                <Table.Td>{issue.reason}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
