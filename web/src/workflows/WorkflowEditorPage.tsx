import {
  Alert,
  Anchor,
  Breadcrumbs,
  Button,
  Card,
  Group,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconPlus } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, api, errorMessage } from '../api/client.ts';
import { useCan } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { useCurrentDirectory } from '../directory/current-directory.tsx';
import { ConditionsEditor } from './ConditionsEditor.tsx';
import { useResources } from './resources.ts';
import { PaletteModal, TaskCard } from './TaskCard.tsx';
import { TriggerEditor } from './TriggerEditor.tsx';
import type { Definition, Problem, RunDetail, Scope, TaskEntry, TaskType, Workflow } from './types.ts';

/** A new workflow (/workflows/new, in the current directory) or an existing one (/workflows/:id). */
export function WorkflowEditorPage() {
  const { id } = useParams();
  const isNew = id === undefined || id === 'new';
  const { current } = useCurrentDirectory();
  const workflow = useQuery({
    queryKey: ['workflow', id],
    queryFn: () => api.get<Workflow>(`/workflows/${id}`),
    enabled: !isNew,
  });
  const types = useQuery({
    queryKey: ['workflow-task-types'],
    queryFn: () => api.get<{ items: TaskType[] }>('/workflow-task-types'),
    staleTime: Number.POSITIVE_INFINITY,
  });
  if (types.isError) return <ErrorState error={types.error} />;
  if (!isNew) {
    if (workflow.isError)
      return <ErrorState error={workflow.error} onRetry={() => void workflow.refetch()} />;
    if (!workflow.data || !types.data) return <Loading />;
    return (
      <Editor
        key={workflow.data.id}
        directoryId={workflow.data.directoryId}
        workflow={workflow.data}
        types={types.data.items}
      />
    );
  }
  if (current === undefined || !types.data) return <Loading />;
  if (current === null) return <ErrorState error={new Error('No directory yet')} />;
  return (
    <Editor key={`new-${current.id}`} directoryId={current.id} workflow={null} types={types.data.items} />
  );
}

const blank = (): Definition => ({
  name: '',
  description: '',
  enabled: false,
  trigger: { type: 'manual' },
  conditions: null,
  tasks: [],
});

/** A key for a new task: its type's verb, numbered when taken (load, load2 …). */
function newKey(type: string, taken: string[]) {
  const base = (type.split('.').at(-1) ?? 'task')
    .replace(/_(\w)/g, (_, c: string) => c.toUpperCase())
    .replace(/[^A-Za-z0-9_]/g, '');
  let key = /^[a-z]/.test(base) ? base : `task${base}`;
  for (let n = 2; taken.includes(key); n++) key = `${base}${n}`;
  return key;
}

function Editor({
  directoryId,
  workflow,
  types,
}: {
  directoryId: number;
  workflow: Workflow | null;
  types: TaskType[];
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const canWrite = useCan('data:write');
  const resources = useResources(directoryId);
  const [draft, setDraft] = useState<Definition>(() =>
    workflow
      ? {
          name: workflow.name,
          description: workflow.description,
          enabled: workflow.enabled,
          ownerEmail: workflow.ownerEmail,
          trigger: workflow.trigger,
          conditions: workflow.conditions,
          tasks: workflow.tasks,
        }
      : blank(),
  );
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [saveProblems, setSaveProblems] = useState<Problem[] | null>(null);
  const set = (patch: Partial<Definition>) => {
    setSaveProblems(null);
    setDraft((d) => ({ ...d, ...patch }));
  };
  const [debounced] = useDebouncedValue(draft, 400);
  const check = useQuery({
    queryKey: ['workflow-check', directoryId, workflow?.id ?? null, debounced],
    queryFn: () =>
      api.post<{ problems: Problem[]; variables: Scope[]; nextRuns: string[] }>(
        `/directories/${directoryId}/workflows/check`,
        {
          workflowId: workflow?.id ?? null,
          definition: { ...debounced, name: debounced.name || '…' },
        },
      ),
    placeholderData: keepPreviousData,
  });
  const problems = saveProblems ?? check.data?.problems ?? [];
  const error = (path: string) =>
    problems
      .filter((p) => p.path === path)
      .map((p) => p.message)
      .join('; ') || undefined;
  const variables = check.data?.variables ?? [];

  const save = useMutation({
    mutationFn: () =>
      workflow
        ? api.put<Workflow>(`/workflows/${workflow.id}`, draft)
        : api.post<Workflow>(`/directories/${directoryId}/workflows`, draft),
    onSuccess: (saved) => {
      notifications.show({ color: 'green', message: t('common.saved') });
      void client.invalidateQueries({ queryKey: ['workflows'] });
      client.setQueryData(['workflow', String(saved.id)], saved);
      if (!workflow) navigate(`/workflows/${saved.id}`, { replace: true });
    },
    onError: (err) => {
      if (err instanceof ApiError && Array.isArray(err.details)) setSaveProblems(err.details as Problem[]);
      notifications.show({ color: 'red', message: errorMessage(err) });
    },
  });
  const runNow = useMutation({
    mutationFn: () => api.post<RunDetail>(`/workflows/${workflow!.id}/runs`, {}),
    onSuccess: (run) => navigate(`/workflows/${run.workflowId}/runs/${run.id}`),
    onError: (err) => notifications.show({ color: 'red', message: errorMessage(err) }),
  });
  const remove = useMutation({
    mutationFn: () => api.delete(`/workflows/${workflow!.id}`),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['workflows'] });
      navigate('/workflows');
    },
    onError: (err) => notifications.show({ color: 'red', message: errorMessage(err) }),
  });

  const setTask = (i: number, entry: TaskEntry) =>
    set({ tasks: draft.tasks.map((task, j) => (j === i ? entry : task)) });
  const moveTask = (i: number, delta: -1 | 1) => {
    const tasks = [...draft.tasks];
    const [moved] = tasks.splice(i, 1);
    tasks.splice(i + delta, 0, moved!);
    set({ tasks });
  };
  const conditionFields = variables[0]?.event ?? [];
  const general = problems.filter(
    (p) => !p.path.startsWith('tasks[') && !p.path.startsWith('conditions') && !p.path.startsWith('trigger'),
  );

  return (
    <Stack maw={1100}>
      <Breadcrumbs>
        <Anchor component={Link} to="/workflows">
          {t('workflows.title')}
        </Anchor>
        <Text>{workflow ? workflow.name : t('workflows.new')}</Text>
      </Breadcrumbs>
      <Group justify="space-between">
        <Title order={2}>{workflow ? workflow.name : t('workflows.new')}</Title>
        <Group>
          {workflow && (
            <Button variant="subtle" component={Link} to={`/workflows/${workflow.id}/runs`}>
              {t('workflows.runs')}
            </Button>
          )}
          {workflow && canWrite && (
            <Button
              variant="light"
              loading={runNow.isPending}
              onClick={() => runNow.mutate()}
              data-testid="run-now"
            >
              {t('workflows.runNow')}
            </Button>
          )}
          {canWrite && (
            <Button loading={save.isPending} onClick={() => save.mutate()} data-testid="save-workflow">
              {t('common.save')}
            </Button>
          )}
        </Group>
      </Group>

      <Card withBorder>
        <Stack gap="sm">
          <Group grow align="flex-start">
            <TextInput
              label={t('common.name')}
              required
              value={draft.name}
              error={error('name')}
              onChange={(e) => set({ name: e.currentTarget.value })}
              data-testid="workflow-name"
            />
            <TextInput
              label={t('workflows.owner')}
              description={t('workflows.ownerHelp')}
              value={draft.ownerEmail ?? ''}
              error={error('ownerEmail')}
              onChange={(e) => set({ ownerEmail: e.currentTarget.value || undefined })}
            />
          </Group>
          <Textarea
            label={t('workflows.description')}
            autosize
            minRows={1}
            value={draft.description}
            onChange={(e) => set({ description: e.currentTarget.value })}
          />
          <Switch
            label={t('workflows.enabled')}
            checked={draft.enabled}
            onChange={(e) => set({ enabled: e.currentTarget.checked })}
            data-testid="workflow-enabled"
          />
        </Stack>
      </Card>

      <Card withBorder>
        <Stack gap="sm">
          <Title order={4}>{t('workflows.trigger.title')}</Title>
          <TriggerEditor
            trigger={draft.trigger}
            onChange={(trigger) => set({ trigger })}
            resources={resources}
            nextRuns={check.data?.nextRuns ?? []}
            error={error}
          />
        </Stack>
      </Card>

      <Card withBorder>
        <Stack gap="sm">
          <Group justify="space-between">
            <Title order={4}>{t('workflows.conditions.title')}</Title>
            {!draft.conditions && (
              <Button
                size="xs"
                variant="light"
                onClick={() =>
                  set({ conditions: { match: 'all', rules: [{ field: '', op: 'eq', value: '' }] } })
                }
                data-testid="add-conditions"
              >
                {t('workflows.conditions.add')}
              </Button>
            )}
          </Group>
          {draft.conditions ? (
            <ConditionsEditor
              group={draft.conditions}
              fields={conditionFields}
              error={error}
              onChange={(conditions) => set({ conditions })}
            />
          ) : (
            <Text size="sm" c="dimmed">
              {t('workflows.conditions.none')}
            </Text>
          )}
        </Stack>
      </Card>

      <Stack gap="sm">
        <Title order={4}>{t('workflows.tasks')}</Title>
        {draft.tasks.length === 0 && (
          <Text size="sm" c="dimmed">
            {t('workflows.noTasks')}
          </Text>
        )}
        {draft.tasks.map((entry, i) => (
          <TaskCard
            // biome-ignore lint/suspicious/noArrayIndexKey: a task's key can be edited: its position identifies the card
            key={i}
            entry={entry}
            position={i}
            count={draft.tasks.length}
            type={types.find((type) => type.type === entry.type)}
            scope={variables[i]}
            resources={resources}
            problems={problems}
            onChange={(next) => setTask(i, next)}
            onMove={(delta) => moveTask(i, delta)}
            onRemove={() => set({ tasks: draft.tasks.filter((_, j) => j !== i) })}
          />
        ))}
        <Button
          variant="light"
          leftSection={<IconPlus size={16} />}
          style={{ alignSelf: 'flex-start' }}
          onClick={() => setPaletteOpen(true)}
          data-testid="add-task"
        >
          {t('workflows.addTask')}
        </Button>
      </Stack>

      {problems.length > 0 && (
        <Alert color="red" title={t('workflows.problems')} data-testid="workflow-problems">
          <Stack gap={2}>
            {(general.length ? general : problems).map((p) => (
              <Text key={`${p.path}:${p.message}`} size="sm">
                <Text span ff="monospace" size="xs">
                  {p.path}
                </Text>{' '}
                {p.message}
              </Text>
            ))}
          </Stack>
        </Alert>
      )}

      {workflow && canWrite && (
        <Group justify="flex-end">
          <Button
            color="red"
            variant="subtle"
            loading={remove.isPending}
            onClick={() => {
              if (window.confirm(t('workflows.deleteConfirm', { name: workflow.name }))) remove.mutate();
            }}
          >
            {t('common.delete')}
          </Button>
        </Group>
      )}

      <PaletteModal
        opened={paletteOpen}
        onClose={() => setPaletteOpen(false)}
        types={types}
        onPick={(type) => {
          setPaletteOpen(false);
          set({
            tasks: [
              ...draft.tasks,
              {
                key: newKey(
                  type.type,
                  draft.tasks.map((x) => x.key),
                ),
                type: type.type,
                input: {},
              },
            ],
          });
        }}
      />
    </Stack>
  );
}
