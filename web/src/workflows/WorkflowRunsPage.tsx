import {
  Accordion,
  Anchor,
  Breadcrumbs,
  Button,
  Code,
  Group,
  Select,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api, errorMessage } from '../api/client.ts';
import { useCan } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { formatDateTime } from '../i18n/index.ts';
import { durationText, StatusBadge } from './parts.tsx';
import type { Run, RunDetail, Workflow } from './types.ts';

/** A workflow's run history, newest first (/workflows/:id/runs). */
export function WorkflowRunsPage() {
  const { id } = useParams();
  const { t, i18n } = useTranslation();
  const [status, setStatus] = useState<string | null>(null);
  const [cursors, setCursors] = useState<string[]>([]);
  const workflow = useQuery({
    queryKey: ['workflow', id],
    queryFn: () => api.get<Workflow>(`/workflows/${id}`),
  });
  const runs = useQuery({
    queryKey: ['workflow-runs', id, status, cursors.at(-1) ?? null],
    queryFn: () =>
      api.get<{ items: Run[]; nextCursor: string | null }>(`/workflows/${id}/runs`, {
        limit: 50,
        status,
        cursor: cursors.at(-1),
      }),
    refetchInterval: (q) =>
      q.state.data?.items.some((r) => r.status === 'queued' || r.status === 'running') ? 2000 : false,
  });
  if (workflow.isError) return <ErrorState error={workflow.error} />;
  if (!workflow.data) return <Loading />;
  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/workflows">
          {t('workflows.title')}
        </Anchor>
        <Anchor component={Link} to={`/workflows/${id}`}>
          {workflow.data.name}
        </Anchor>
        <Text>{t('workflows.runs')}</Text>
      </Breadcrumbs>
      <Group justify="space-between">
        <Title order={2}>{t('workflows.runHistory')}</Title>
        <Select
          w={200}
          clearable
          placeholder={t('workflows.allStatuses')}
          data={['queued', 'running', 'succeeded', 'failed'].map((s) => ({
            value: s,
            label: t(`workflows.status.${s}`),
          }))}
          value={status}
          onChange={(s) => {
            setStatus(s);
            setCursors([]);
          }}
        />
      </Group>
      {runs.isPending ? (
        <Loading />
      ) : runs.isError ? (
        <ErrorState error={runs.error} onRetry={() => void runs.refetch()} />
      ) : runs.data.items.length === 0 ? (
        <Text c="dimmed">{t('workflows.noRuns')}</Text>
      ) : (
        <>
          <Table striped highlightOnHover data-testid="runs-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>#</Table.Th>
                <Table.Th>{t('common.status')}</Table.Th>
                <Table.Th>{t('workflows.startedBy')}</Table.Th>
                <Table.Th>{t('common.created')}</Table.Th>
                <Table.Th>{t('workflows.duration')}</Table.Th>
                <Table.Th>{t('workflows.error')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {runs.data.items.map((run) => (
                <Table.Tr key={run.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/workflows/${id}/runs/${run.id}`}>
                      {run.id}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={run.status} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      {t(`workflows.kinds.${run.trigger.kind}`, { defaultValue: run.trigger.kind })}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {run.trigger.eventType ??
                        (run.trigger.slot ? formatDateTime(run.trigger.slot, i18n.language) : run.createdBy)}
                    </Text>
                  </Table.Td>
                  <Table.Td>{formatDateTime(run.createdAt, i18n.language)}</Table.Td>
                  <Table.Td>{durationText(run.durationMs)}</Table.Td>
                  <Table.Td>
                    <Text size="sm" c="red" lineClamp={2}>
                      {run.error ?? ''}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group>
            <Button
              size="xs"
              variant="subtle"
              disabled={cursors.length === 0}
              onClick={() => setCursors((c) => c.slice(0, -1))}
            >
              {t('common.previous')}
            </Button>
            <Button
              size="xs"
              variant="subtle"
              disabled={!runs.data.nextCursor}
              onClick={() => setCursors((c) => [...c, runs.data.nextCursor!])}
            >
              {t('common.next')}
            </Button>
          </Group>
        </>
      )}
    </Stack>
  );
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** One run: what started it, and each task's input, output, attempts, duration and error. */
export function RunDetailPage() {
  const { id, runId } = useParams();
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const canWrite = useCan('data:write');
  const run = useQuery({
    queryKey: ['workflow-run', runId],
    queryFn: () => api.get<RunDetail>(`/workflow-runs/${runId}`),
    refetchInterval: (q) =>
      q.state.data && ['queued', 'running'].includes(q.state.data.status) ? 1000 : false,
  });
  const cancel = useMutation({
    mutationFn: () => api.post<RunDetail>(`/workflow-runs/${runId}/cancel`),
    onSuccess: () => void run.refetch(),
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error) }),
  });
  const rerun = useMutation({
    mutationFn: (mode: 'all' | 'from_failure') =>
      api.post<RunDetail>(`/workflow-runs/${runId}/rerun`, { mode }),
    onSuccess: (next) => navigate(`/workflows/${next.workflowId}/runs/${next.id}`),
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error) }),
  });
  if (run.isError) return <ErrorState error={run.error} onRetry={() => void run.refetch()} />;
  if (!run.data) return <Loading />;
  const r = run.data;
  const finished = !['queued', 'running'].includes(r.status);
  return (
    <Stack maw={1100}>
      <Breadcrumbs>
        <Anchor component={Link} to="/workflows">
          {t('workflows.title')}
        </Anchor>
        <Anchor component={Link} to={`/workflows/${id}`}>
          {r.workflowName}
        </Anchor>
        <Anchor component={Link} to={`/workflows/${id}/runs`}>
          {t('workflows.runs')}
        </Anchor>
        <Text>#{r.id}</Text>
      </Breadcrumbs>
      <Group justify="space-between">
        <Group>
          <Title order={2}>{t('workflows.runTitle', { id: r.id })}</Title>
          <StatusBadge status={r.status} />
        </Group>
        {canWrite && !finished && (
          <Button
            color="red"
            variant="subtle"
            loading={cancel.isPending}
            onClick={() => cancel.mutate()}
            data-testid="cancel-run"
          >
            {t('workflows.cancelRun')}
          </Button>
        )}
        {canWrite && finished && (
          <Group>
            {r.status === 'failed' && (
              <Button
                variant="light"
                loading={rerun.isPending}
                onClick={() => rerun.mutate('from_failure')}
                data-testid="rerun-failure"
              >
                {t('workflows.rerunFromFailure')}
              </Button>
            )}
            <Button
              variant="subtle"
              loading={rerun.isPending}
              onClick={() => rerun.mutate('all')}
              data-testid="rerun-all"
            >
              {t('workflows.rerunAll')}
            </Button>
          </Group>
        )}
      </Group>
      <Text size="sm">
        {t(`workflows.kinds.${r.trigger.kind}`, { defaultValue: r.trigger.kind })} ·{' '}
        {r.trigger.eventType ?? r.trigger.key} · {formatDateTime(r.createdAt, i18n.language)} ·{' '}
        {durationText(r.durationMs)}
        {r.rerunOf && (
          <>
            {' · '}
            <Anchor component={Link} to={`/workflows/${id}/runs/${r.rerunOf}`}>
              {t('workflows.rerunOf', { id: r.rerunOf })}
            </Anchor>
          </>
        )}
      </Text>
      {r.error && (
        <Text c="red" size="sm" data-testid="run-error">
          {r.error}
        </Text>
      )}
      <Accordion
        multiple
        variant="separated"
        defaultValue={r.tasks.filter((task) => task.status === 'failed').map((task) => task.key)}
      >
        <Accordion.Item value="__trigger">
          <Accordion.Control>{t('workflows.triggerData', { example: '{{ event.… }}' })}</Accordion.Control>
          <Accordion.Panel>
            <Code block>{json(r.triggerData)}</Code>
          </Accordion.Panel>
        </Accordion.Item>
        {r.tasks.map((task) => (
          <Accordion.Item key={task.key} value={task.key} data-testid={`run-task-${task.key}`}>
            <Accordion.Control>
              <Group gap="sm">
                <StatusBadge status={task.status} />
                <Text fw={600}>{task.name ?? task.key}</Text>
                <Text size="xs" c="dimmed" ff="monospace">
                  {task.type}
                </Text>
                <Text size="xs" c="dimmed">
                  {t('workflows.attempts', { count: task.attempts })} · {durationText(task.durationMs)}
                </Text>
              </Group>
            </Accordion.Control>
            <Accordion.Panel>
              <Stack gap="xs">
                {task.error && (
                  <Text c="red" size="sm">
                    {task.error}
                  </Text>
                )}
                {task.nextAttemptAt && task.status === 'pending' && (
                  <Text size="sm">
                    {t('workflows.nextAttempt', { at: formatDateTime(task.nextAttemptAt, i18n.language) })}
                  </Text>
                )}
                <Text size="sm" fw={600}>
                  {t('workflows.input')}
                </Text>
                <Code block>{json(task.input)}</Code>
                <Text size="sm" fw={600}>
                  {t('workflows.output')}
                </Text>
                <Code block>{json(task.output)}</Code>
              </Stack>
            </Accordion.Panel>
          </Accordion.Item>
        ))}
      </Accordion>
    </Stack>
  );
}
