import {
  Alert,
  Anchor,
  Button,
  Card,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError, api, errorMessage } from '../api/client.ts';
import { useCan } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { formatDateTime, formatNumber } from '../i18n/index.ts';
import { useConnections } from './ConnectionsPanel.tsx';
import { type ObjectForm, SyncObjectCard } from './SyncObjectCard.tsx';
import { SyncRunsCard } from './SyncRunsCard.tsx';
import { SYNC_OBJECTS, type SyncAnswer, type SyncObject, type SyncOptions } from './types.ts';

interface FormState {
  connectionId: string | null;
  /** The built-in objects, then the other objects the sync names (set through the API). */
  objects: Record<SyncObject, ObjectForm> & Record<string, ObjectForm>;
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
      fields: config?.fields ?? answer.defaults.objects[object]?.fields ?? [],
      where: config ? config.where : (answer.defaults.objects[object]?.where ?? null),
      listView: config?.listView ?? null,
      ids: config?.ids ?? [],
    };
  }
  // Objects other than the built-in ones (Client_Contact__c …) keep what feeds them and their mapping.
  for (const [object, config] of Object.entries(sync?.objects ?? {})) {
    if (!config || (SYNC_OBJECTS as readonly string[]).includes(object)) continue;
    objects[object] = {
      enabled: true,
      fields: config.fields ?? [],
      where: config.where ?? null,
      listView: config.listView ?? null,
      ids: config.ids ?? [],
      ...(config.loadAs ? { loadAs: config.loadAs } : {}),
      mapping: config.mapping ?? null,
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

/** A directory's Salesforce sync: connection, objects, schedule, options; then its last runs. */
export function SyncEditor({ directoryId }: { directoryId: number }) {
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
          Object.entries(state.objects)
            .filter(([, o]) => o.enabled)
            .map(([name, o]) => [
              name,
              {
                fields: o.fields,
                where: o.where?.trim() || null,
                listView: o.listView,
                ids: o.ids,
                ...(o.loadAs ? { loadAs: o.loadAs, mapping: o.mapping ?? null } : {}),
              },
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
  const setObject = (object: string, patch: Partial<ObjectForm>) =>
    set({ objects: { ...form.objects, [object]: { ...form.objects[object]!, ...patch } } });
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
          {Object.keys(form.objects).map((object) => (
            <SyncObjectCard
              key={object}
              object={object}
              connectionId={form.connectionId ? Number(form.connectionId) : null}
              config={form.objects[object]!}
              onChange={(patch) => setObject(object, patch)}
              problems={problemsAt(`objects.${object}`)}
              disabled={!canWrite}
              synced={answer.data.synced[object] ?? 0}
              campaignLists={answer.data.campaignLists}
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
      {sync && <SyncRunsCard directoryId={directoryId} />}
    </Stack>
  );
}
