import { Anchor, Button, Group, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api, errorMessage } from '../api/client.ts';
import { useCan } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { DirectoryPicker, NoDirectory, useCurrentDirectory } from '../directory/current-directory.tsx';
import { formatDateTime } from '../i18n/index.ts';
import { StatusBadge, useTriggerText } from './parts.tsx';
import { TemplatesModal } from './TemplatesModal.tsx';
import type { RunDetail, Workflow } from './types.ts';

/** The current directory's workflows: trigger, on/off, last and next runs; new, from a template, run now. */
export function WorkflowsPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const { directories, current, pick } = useCurrentDirectory();
  const canWrite = useCan('data:write');
  const triggerText = useTriggerText();
  const [templatesOpen, setTemplatesOpen] = useState(false);
  const workflows = useQuery({
    queryKey: ['workflows', current?.id],
    queryFn: () => api.get<{ items: Workflow[] }>(`/directories/${current!.id}/workflows`),
    enabled: !!current,
  });
  const toggle = useMutation({
    mutationFn: ({ id, enabled }: { id: number; enabled: boolean }) =>
      api.post<Workflow>(`/workflows/${id}/enabled`, { enabled }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['workflows'] }),
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error) }),
  });
  const runNow = useMutation({
    mutationFn: (id: number) => api.post<RunDetail>(`/workflows/${id}/runs`, {}),
    onSuccess: (run) => navigate(`/workflows/${run.workflowId}/runs/${run.id}`),
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error) }),
  });

  if (directories.isError) return <ErrorState error={directories.error} />;
  if (current === undefined) return <Loading />;
  return (
    <Stack>
      <Group justify="space-between">
        <Stack gap={2}>
          <Title order={2}>{t('workflows.title')}</Title>
          <Text size="sm" c="dimmed">
            {t('workflows.intro')}
          </Text>
        </Stack>
        <Group>
          {current && canWrite && (
            <>
              <Button variant="light" onClick={() => setTemplatesOpen(true)} data-testid="workflow-templates">
                {t('workflows.fromTemplate')}
              </Button>
              <Button component={Link} to="/workflows/new" data-testid="new-workflow">
                {t('workflows.new')}
              </Button>
            </>
          )}
          {current && <DirectoryPicker current={current} items={directories.data!.items} onPick={pick} />}
        </Group>
      </Group>
      {current === null ? (
        <NoDirectory onCreated={pick} />
      ) : workflows.isPending ? (
        <Loading />
      ) : workflows.isError ? (
        <ErrorState error={workflows.error} onRetry={() => void workflows.refetch()} />
      ) : workflows.data.items.length === 0 ? (
        <Text c="dimmed">{t('workflows.empty')}</Text>
      ) : (
        <Table striped highlightOnHover data-testid="workflows-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('common.name')}</Table.Th>
              <Table.Th>{t('workflows.trigger.title')}</Table.Th>
              <Table.Th>{t('workflows.tasks')}</Table.Th>
              <Table.Th>{t('workflows.enabled')}</Table.Th>
              <Table.Th>{t('workflows.lastRun')}</Table.Th>
              <Table.Th>{t('workflows.nextRun')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {workflows.data.items.map((w) => (
              <Table.Tr key={w.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/workflows/${w.id}`}>
                    {w.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>{triggerText(w.trigger)}</Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {w.tasks.map((task) => task.key).join(' → ')}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Switch
                    checked={w.enabled}
                    disabled={!canWrite}
                    aria-label={t('workflows.enabled')}
                    onChange={(e) => toggle.mutate({ id: w.id, enabled: e.currentTarget.checked })}
                  />
                </Table.Td>
                <Table.Td>
                  {w.lastRun ? (
                    <Anchor component={Link} to={`/workflows/${w.id}/runs/${w.lastRun.id}`}>
                      <Group gap={6}>
                        <StatusBadge status={w.lastRun.status} />
                        <Text size="xs">{formatDateTime(w.lastRun.createdAt, i18n.language)}</Text>
                      </Group>
                    </Anchor>
                  ) : (
                    <Text size="sm" c="dimmed">
                      {t('common.never')}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{w.nextRuns[0] ? formatDateTime(w.nextRuns[0], i18n.language) : '—'}</Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end" wrap="nowrap">
                    <Button size="xs" variant="subtle" component={Link} to={`/workflows/${w.id}/runs`}>
                      {t('workflows.runs')}
                    </Button>
                    {canWrite && (
                      <Button
                        size="xs"
                        variant="light"
                        loading={runNow.isPending && runNow.variables === w.id}
                        onClick={() => runNow.mutate(w.id)}
                      >
                        {t('workflows.runNow')}
                      </Button>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {current && (
        <TemplatesModal
          directoryId={current.id}
          opened={templatesOpen}
          onClose={() => setTemplatesOpen(false)}
        />
      )}
    </Stack>
  );
}
