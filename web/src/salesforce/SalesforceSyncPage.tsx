import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  MultiSelect,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError, api, errorMessage } from '../api/client.ts';
import { useCan } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { DirectoryPicker, NoDirectory, useCurrentDirectory } from '../directory/current-directory.tsx';
import { formatDateTime, formatNumber } from '../i18n/index.ts';
import { useConnections } from './ConnectionsPanel.tsx';
import {
  type ObjectInfo,
  REQUIRED_FIELDS,
  SYNC_OBJECTS,
  type SyncAnswer,
  type SyncObject,
  type SyncObjectConfig,
  type SyncOptions,
  type SyncRun,
} from './types.ts';

interface FormState {
  connectionId: string | null;
  objects: Record<SyncObject, SyncObjectConfig & { enabled: boolean }>;
  mailingList: string;
  cron: string;
  timeZone: string;
  enabled: boolean;
  options: SyncOptions;
}

function formFrom(answer: SyncAnswer): FormState {
  const sync = answer.sync;
  const objects = {} as FormState['objects'];
  for (const object of SYNC_OBJECTS) {
    const config = sync ? sync.objects[object] : answer.defaults.objects[object];
    objects[object] = {
      enabled: sync ? Boolean(config) : answer.defaults.enabledObjects.includes(object),
      fields: config?.fields ?? answer.defaults.objects[object].fields,
      where: config?.where ?? null,
    };
  }
  return {
    connectionId: sync?.connectionId ? String(sync.connectionId) : null,
    objects,
    mailingList: sync?.mailingList ?? '',
    cron: sync?.schedule.cron ?? answer.defaults.schedule.cron,
    timeZone: sync?.schedule.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC',
    enabled: sync?.enabled ?? true,
    options: sync?.options ?? answer.defaults.options,
  };
}

/** A directory's Salesforce sync: what to extract, when, and how the last runs went. */
export function SalesforceSyncPage() {
  const { t } = useTranslation();
  const { directories, current, pick } = useCurrentDirectory();
  if (directories.isError)
    return <ErrorState error={directories.error} onRetry={() => void directories.refetch()} />;
  if (current === undefined) return <Loading />;
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={2}>{t('salesforce.syncTitle')}</Title>
          <Text size="sm" c="dimmed">
            {t('salesforce.syncIntro')}
          </Text>
        </Stack>
        {current && <DirectoryPicker current={current} items={directories.data!.items} onPick={pick} />}
      </Group>
      {current === null ? (
        <NoDirectory onCreated={pick} />
      ) : (
        <SyncEditor key={current.id} directoryId={current.id} />
      )}
    </Stack>
  );
}

function SyncEditor({ directoryId }: { directoryId: number }) {
  const { t, i18n } = useTranslation();
  const canWrite = useCan('data:write');
  const client = useQueryClient();
  const connections = useConnections();
  const answer = useQuery({
    queryKey: ['salesforce', 'sync', directoryId],
    queryFn: () => api.get<SyncAnswer>(`/directories/${directoryId}/salesforce/sync`),
  });
  const [form, setForm] = useState<FormState | null>(null);
  const [problems, setProblems] = useState<{ path: string; message: string }[]>([]);
  useEffect(() => {
    if (answer.data && !form) setForm(formFrom(answer.data));
  }, [answer.data, form]);

  const save = useMutation({
    mutationFn: (state: FormState) =>
      api.put(`/directories/${directoryId}/salesforce/sync`, {
        connectionId: Number(state.connectionId),
        objects: Object.fromEntries(
          SYNC_OBJECTS.filter((o) => state.objects[o].enabled).map((o) => [
            o,
            { fields: state.objects[o].fields, where: state.objects[o].where?.trim() || null },
          ]),
        ),
        mapping: answer.data?.sync?.mapping ?? null,
        mailingList: state.mailingList.trim() || null,
        schedule: { cron: state.cron, timeZone: state.timeZone },
        enabled: state.enabled,
        options: state.options,
      }),
    onSuccess: () => {
      setProblems([]);
      notifications.show({ message: t('common.saved'), color: 'green' });
      void client.invalidateQueries({ queryKey: ['salesforce', 'sync', directoryId] });
    },
    onError: (error) => {
      if (error instanceof ApiError && Array.isArray(error.details))
        setProblems(error.details as typeof problems);
      notifications.show({ message: errorMessage(error), color: 'red' });
    },
  });

  if (answer.isPending || connections.isPending || !form) return <Loading />;
  if (answer.isError) return <ErrorState error={answer.error} onRetry={() => void answer.refetch()} />;
  const sync = answer.data.sync;
  const connectionItems = (connections.data?.items ?? []).filter((c) => c.status !== 'pending');
  const connection = connectionItems.find((c) => String(c.id) === form.connectionId) ?? null;
  const set = (patch: Partial<FormState>) => setForm({ ...form, ...patch });
  const setObject = (object: SyncObject, patch: Partial<FormState['objects'][SyncObject]>) =>
    set({ objects: { ...form.objects, [object]: { ...form.objects[object], ...patch } } });
  const setOption = (key: keyof SyncOptions, value: number | null) =>
    set({ options: { ...form.options, [key]: value } });
  const problemsAt = (prefix: string) =>
    problems.filter((p) => p.path.startsWith(prefix)).map((p) => p.message);

  return (
    <Stack>
      {sync && !sync.connectionId && (
        <Alert color="orange" title={t('salesforce.disconnectedSync')}>
          {t('salesforce.disconnectedSyncHelp')}
        </Alert>
      )}
      {connectionItems.length === 0 && (
        <Alert color="blue">
          {t('salesforce.needConnection')}{' '}
          <Anchor component={Link} to="/settings/connections">
            {t('salesforce.connectionsLink')}
          </Anchor>
        </Alert>
      )}
      <Card withBorder>
        <Stack>
          <Group align="flex-end">
            <Select
              label={t('salesforce.connection')}
              w={320}
              data={connectionItems.map((c) => ({
                value: String(c.id),
                label: `${c.name}${c.username ? ` (${c.username})` : ''}`,
              }))}
              value={form.connectionId}
              onChange={(value) => set({ connectionId: value })}
              disabled={!canWrite}
            />
            {connection?.apiUsage && (
              <Text size="sm" c="dimmed" data-testid="api-usage">
                {t('salesforce.usageLine', {
                  used: formatNumber(connection.apiUsage.used, i18n.language),
                  max: formatNumber(connection.apiUsage.max, i18n.language),
                  percent: form.options.apiBudgetPercent,
                })}
              </Text>
            )}
          </Group>
          {SYNC_OBJECTS.map((object) => (
            <ObjectCard
              key={object}
              object={object}
              connectionId={form.connectionId ? Number(form.connectionId) : null}
              config={form.objects[object]}
              onChange={(patch) => setObject(object, patch)}
              problems={problemsAt(`objects.${object}`)}
              disabled={!canWrite}
              synced={answer.data.synced[object] ?? 0}
            />
          ))}
          <Text size="sm">
            {t('salesforce.mappingHelp')}{' '}
            <Anchor component={Link} to="/directory/mapping">
              {t('salesforce.mappingLink')}
            </Anchor>
          </Text>
          <SimpleGrid cols={{ base: 1, md: 3 }}>
            <TextInput
              label={t('salesforce.schedule')}
              description={t('salesforce.scheduleHelp')}
              value={form.cron}
              onChange={(e) => set({ cron: e.currentTarget.value })}
              error={problemsAt('schedule')[0]}
              disabled={!canWrite}
            />
            <TextInput
              label={t('salesforce.timeZone')}
              value={form.timeZone}
              onChange={(e) => set({ timeZone: e.currentTarget.value })}
              disabled={!canWrite}
            />
            <TextInput
              label={t('salesforce.mailingList')}
              description={t('salesforce.mailingListHelp')}
              placeholder="Salesforce {{date}}"
              value={form.mailingList}
              onChange={(e) => set({ mailingList: e.currentTarget.value })}
              disabled={!canWrite}
            />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 2, md: 5 }}>
            <NumberInput
              label={t('salesforce.opt.bulkThreshold')}
              min={0}
              value={form.options.bulkThreshold}
              onChange={(v) => setOption('bulkThreshold', Number(v) || 0)}
              disabled={!canWrite}
            />
            <NumberInput
              label={t('salesforce.opt.apiBudgetPercent')}
              min={1}
              max={100}
              suffix=" %"
              value={form.options.apiBudgetPercent}
              onChange={(v) => setOption('apiBudgetPercent', Number(v) || 1)}
              disabled={!canWrite}
            />
            <NumberInput
              label={t('salesforce.opt.overlapMinutes')}
              min={0}
              value={form.options.overlapMinutes}
              onChange={(v) => setOption('overlapMinutes', Number(v) || 0)}
              disabled={!canWrite}
            />
            <NumberInput
              label={t('salesforce.opt.reconcileEveryDays')}
              min={0}
              value={form.options.reconcileEveryDays}
              onChange={(v) => setOption('reconcileEveryDays', Number(v) || 0)}
              disabled={!canWrite}
            />
            <NumberInput
              label={t('salesforce.opt.bulkPageSize')}
              min={1}
              placeholder={t('salesforce.opt.auto')}
              value={form.options.bulkPageSize ?? ''}
              onChange={(v) => setOption('bulkPageSize', typeof v === 'number' ? v : null)}
              disabled={!canWrite}
            />
          </SimpleGrid>
          <Group justify="space-between">
            <Switch
              label={t('salesforce.enabled')}
              checked={form.enabled}
              onChange={(e) => set({ enabled: e.currentTarget.checked })}
              disabled={!canWrite}
            />
            <Text size="sm" c="dimmed">
              {sync?.nextRunAt
                ? t('salesforce.nextRun', { when: formatDateTime(sync.nextRunAt, i18n.language) })
                : ''}
            </Text>
          </Group>
          {problems
            .filter((p) => !p.path.startsWith('objects.') && p.path !== 'schedule')
            .map((p) => (
              <Text key={p.path + p.message} c="red" size="sm">
                {p.path}: {p.message}
              </Text>
            ))}
          {canWrite && (
            <Group>
              <Button
                onClick={() => save.mutate(form)}
                loading={save.isPending}
                disabled={!form.connectionId}
              >
                {t('common.save')}
              </Button>
            </Group>
          )}
        </Stack>
      </Card>
      {sync && <RunsCard directoryId={directoryId} />}
    </Stack>
  );
}

function ObjectCard({
  object,
  connectionId,
  config,
  onChange,
  problems,
  disabled,
  synced,
}: {
  object: SyncObject;
  connectionId: number | null;
  config: FormState['objects'][SyncObject];
  onChange: (patch: Partial<FormState['objects'][SyncObject]>) => void;
  problems: string[];
  disabled: boolean;
  synced: number;
}) {
  const { t, i18n } = useTranslation();
  const describe = useQuery({
    queryKey: ['salesforce', 'describe', connectionId, object],
    queryFn: () => api.get<ObjectInfo>(`/salesforce/connections/${connectionId}/describe/${object}`),
    enabled: connectionId !== null && config.enabled,
    staleTime: 5 * 60_000,
  });
  const required = REQUIRED_FIELDS[object];
  // Compound fields are listed but cannot be chosen: the seed's warning says why.
  const options = useMemo(
    () =>
      (describe.data?.fields ?? [])
        .filter((f) => !required.some((r) => r.toLowerCase() === f.name.toLowerCase()))
        .map((f) => ({
          value: f.name,
          label: `${f.label} (${f.name})${f.custom ? ' ★' : ''}`,
          disabled: f.compound !== null,
        })),
    [describe.data, required],
  );
  const compound = (describe.data?.fields ?? []).filter((f) => f.compound);
  return (
    <Card withBorder padding="sm" data-testid={`sync-object-${object}`}>
      <Stack gap="xs">
        <Group justify="space-between">
          <Checkbox
            label={
              <Text fw={600}>
                {object}
                {object === 'Lead' && (
                  <Text span size="xs" c="dimmed" fw={400}>
                    {' '}
                    {t('salesforce.leadsNote')}
                  </Text>
                )}
              </Text>
            }
            checked={config.enabled}
            onChange={(e) => onChange({ enabled: e.currentTarget.checked })}
            disabled={disabled}
          />
          <Text size="xs" c="dimmed">
            {t('salesforce.syncedCount', { count: synced, n: formatNumber(synced, i18n.language) })}
          </Text>
        </Group>
        {config.enabled && (
          <>
            <Group gap={4}>
              <Text size="xs" c="dimmed">
                {t('salesforce.requiredFields')}
              </Text>
              {required.map((f) => (
                <Badge key={f} size="sm" variant="light">
                  {f}
                </Badge>
              ))}
            </Group>
            <MultiSelect
              label={t('salesforce.fields')}
              description={t('salesforce.fieldsHelp')}
              searchable
              clearable
              data={options}
              value={config.fields}
              onChange={(fields) => onChange({ fields })}
              disabled={disabled || connectionId === null}
              error={problems.find((p) => p) && problems.join(' · ')}
              nothingFoundMessage={describe.isPending ? t('common.loading') : t('common.none')}
            />
            {compound.length > 0 && (
              <Tooltip label={compound[0]!.compound} multiline w={420}>
                <Text size="xs" c="dimmed">
                  {t('salesforce.compoundNote', { fields: compound.map((f) => f.name).join(', ') })}
                </Text>
              </Tooltip>
            )}
            <Textarea
              label={t('salesforce.filter')}
              description={t('salesforce.filterHelp')}
              placeholder="Type = 'Customer - Direct'"
              autosize
              minRows={1}
              value={config.where ?? ''}
              onChange={(e) => onChange({ where: e.currentTarget.value })}
              disabled={disabled}
              styles={{ input: { fontFamily: 'monospace' } }}
            />
          </>
        )}
      </Stack>
    </Card>
  );
}

const RUN_COLORS = { queued: 'gray', running: 'blue', succeeded: 'green', failed: 'red' } as const;

function RunsCard({ directoryId }: { directoryId: number }) {
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
        {runs.isPending ? (
          <Loading />
        ) : runs.isError ? (
          <ErrorState error={runs.error} />
        ) : runs.data.items.length === 0 ? (
          <Text c="dimmed">{t('salesforce.noRuns')}</Text>
        ) : (
          <Table striped data-testid="sync-runs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('salesforce.started')}</Table.Th>
                <Table.Th>{t('salesforce.status')}</Table.Th>
                <Table.Th>{t('salesforce.extracted')}</Table.Th>
                <Table.Th>{t('salesforce.apiCalls')}</Table.Th>
                <Table.Th>{t('salesforce.report')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {runs.data.items.map((run) => (
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
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  );
}
