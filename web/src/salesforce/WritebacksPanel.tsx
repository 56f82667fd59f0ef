import {
  Badge,
  Button,
  Card,
  Group,
  Modal,
  NumberInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, errorMessage } from '../api/client.ts';
import { useCan } from '../auth/session.ts';
import { HeadedTable } from '../common/HeadedTable.tsx';
import { ErrorState, Loading, QueryState } from '../common/states.tsx';
import { useSurveys } from '../distributions/parts.tsx';
import { formatDateTime } from '../i18n/index.ts';
import { ItemsPanel } from './ItemsPanel.tsx';
import {
  ConnectionSelect,
  FieldMapEditor,
  type FieldRow,
  fieldsOf,
  NameAndConnection,
  problemsAt,
  rowsOf,
} from './panel-parts.tsx';
import {
  WRITEBACK_OPERATIONS,
  type Writeback,
  type WritebackOperation,
  type WritebackResult,
  type WritebackRun,
} from './types.ts';

/**
 * Write-backs (the seed's response mapping): each maps a response to a Salesforce record to
 * insert, update, upsert or delete, with piped fields and a condition; its runs show, record by
 * record, what Salesforce answered.
 */
export function WritebacksPanel({ directoryId }: { directoryId: number }) {
  const { t } = useTranslation();
  const canWrite = useCan('data:write');
  const client = useQueryClient();
  const key = ['salesforce', 'writebacks', directoryId];
  const writebacks = useQuery({
    queryKey: key,
    queryFn: () => api.get<{ items: Writeback[] }>(`/directories/${directoryId}/salesforce/writebacks`),
  });
  const [editing, setEditing] = useState<Writeback | 'new' | null>(null);
  const [shown, setShown] = useState<number | null>(null);

  if (writebacks.isPending) return <Loading />;
  if (writebacks.isError)
    return <ErrorState error={writebacks.error} onRetry={() => void writebacks.refetch()} />;
  const items = writebacks.data.items;
  const selected = items.find((w) => w.id === shown) ?? null;
  return (
    <ItemsPanel
      intro={t('salesforce.writebacks.intro')}
      create={{
        label: t('salesforce.writebacks.new'),
        testId: 'writeback-new',
        onClick: () => setEditing('new'),
      }}
      canWrite={canWrite}
      items={items}
      empty={t('salesforce.writebacks.none')}
      testId="salesforce-writebacks"
      columns={[
        {
          header: t('common.name'),
          cell: (w) => <NameAndConnection name={w.name} connectionId={w.connectionId} />,
        },
        {
          header: t('salesforce.writebacks.operation'),
          cell: (w) =>
            `${t(`salesforce.writebacks.op.${w.operation}`)} ${w.object}${w.externalIdField ? ` (${w.externalIdField})` : ''}`,
        },
        {
          header: t('salesforce.writebacks.fields'),
          cell: (w) => (
            <Text size="xs" ff="monospace">
              {Object.keys(w.fields).join(', ') || '—'}
            </Text>
          ),
        },
        {
          header: t('salesforce.writebacks.condition'),
          cell: (w) => (
            <Text size="xs" ff="monospace">
              {w.condition ?? '—'}
            </Text>
          ),
        },
      ]}
      shown={shown}
      onShow={setShown}
      showLabel={t('salesforce.writebacks.runs')}
      onEdit={setEditing}
      removal={{
        path: (id) => `/salesforce/writebacks/${id}`,
        queryKey: key,
        title: (name) => t('salesforce.writebacks.deleteTitle', { name }),
        body: t('salesforce.writebacks.deleteBody'),
      }}
    >
      {selected && <RunsCard writeback={selected} directoryId={directoryId} />}
      {editing !== null && (
        <WritebackForm
          directoryId={directoryId}
          writeback={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void client.invalidateQueries({ queryKey: key });
          }}
        />
      )}
    </ItemsPanel>
  );
}

const RUN_COLORS: Record<string, string> = {
  running: 'blue',
  succeeded: 'green',
  partial: 'orange',
  failed: 'red',
};

function RunsCard({ writeback, directoryId }: { writeback: Writeback; directoryId: number }) {
  const { t, i18n } = useTranslation();
  const canWrite = useCan('data:write');
  const client = useQueryClient();
  const surveys = useSurveys(directoryId);
  const [surveyId, setSurveyId] = useState<string | null>(null);
  const [runId, setRunId] = useState<number | null>(null);
  const key = ['salesforce', 'writeback-runs', writeback.id];
  const runs = useQuery({
    queryKey: key,
    queryFn: () =>
      api.get<{ items: WritebackRun[] }>(`/salesforce/writebacks/${writeback.id}/runs`, { limit: 20 }),
    refetchInterval: (query) => (query.state.data?.items.some((r) => !r.finishedAt) ? 1500 : 10_000),
  });
  const start = useMutation({
    mutationFn: () => api.post(`/salesforce/writebacks/${writeback.id}/runs`, { surveyId: Number(surveyId) }),
    onSuccess: () => {
      notifications.show({ message: t('salesforce.writebacks.queued'), color: 'green' });
      void client.invalidateQueries({ queryKey: key });
    },
    onError: (error) => notifications.show({ message: errorMessage(error), color: 'red' }),
  });
  return (
    <Card withBorder>
      <Stack>
        <Group justify="space-between" align="flex-end">
          <Title order={5}>{t('salesforce.writebacks.lastRuns', { name: writeback.name })}</Title>
          {canWrite && (
            <Group align="flex-end">
              <Select
                label={t('salesforce.writebacks.runOverSurvey')}
                data={(surveys.data?.items ?? []).map((s) => ({ value: String(s.id), label: s.name }))}
                value={surveyId}
                onChange={setSurveyId}
                w={260}
              />
              <Button onClick={() => start.mutate()} loading={start.isPending} disabled={!surveyId}>
                {t('salesforce.runNow')}
              </Button>
            </Group>
          )}
        </Group>
        <QueryState query={runs} empty={t('salesforce.noRuns')}>
          {(data) => (
            <HeadedTable
              testId="writeback-runs"
              headers={[
                t('salesforce.started'),
                t('salesforce.writebacks.source'),
                t('salesforce.status'),
                t('salesforce.writebacks.outcomes'),
                '',
              ]}
            >
              {data.items.map((run) => (
                <Table.Tr key={run.id}>
                  <Table.Td>{formatDateTime(run.startedAt, i18n.language)}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{run.source}</Text>
                    <Text size="xs" c="dimmed">
                      {run.method ?? ''}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={RUN_COLORS[run.status] ?? 'gray'}>
                      {t(`salesforce.writebacks.status.${run.status}`, run.status)}
                    </Badge>
                    {run.error && (
                      <Text size="xs" c="red" maw={360}>
                        {run.error}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">
                      {Object.entries(run.counts)
                        .map(
                          ([outcome, n]) => `${t(`salesforce.writebacks.outcome.${outcome}`, outcome)}: ${n}`,
                        )
                        .join(' · ') || '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant={runId === run.id ? 'filled' : 'subtle'}
                      onClick={() => setRunId(runId === run.id ? null : run.id)}
                    >
                      {t('salesforce.writebacks.perRecord')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </HeadedTable>
          )}
        </QueryState>
        {runId !== null && <ResultsTable runId={runId} />}
      </Stack>
    </Card>
  );
}

function ResultsTable({ runId }: { runId: number }) {
  const { t } = useTranslation();
  const results = useQuery({
    queryKey: ['salesforce', 'writeback-results', runId],
    queryFn: () =>
      api.get<{ items: WritebackResult[]; nextCursor: string | null }>(
        `/salesforce/writeback-runs/${runId}/results`,
        {
          limit: 200,
        },
      ),
  });
  if (results.isPending) return <Loading />;
  if (results.isError) return <ErrorState error={results.error} />;
  return (
    <Stack gap={4}>
      <Table striped withTableBorder data-testid="writeback-results">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('salesforce.writebacks.sourceRecord')}</Table.Th>
            <Table.Th>{t('salesforce.triggers.outcome')}</Table.Th>
            <Table.Th>{t('salesforce.writebacks.sfRecord')}</Table.Th>
            <Table.Th>{t('salesforce.writebacks.error')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {results.data.items.map((r) => (
            <Table.Tr key={r.id}>
              <Table.Td>{r.sourceKey}</Table.Td>
              <Table.Td>
                <Badge
                  color={r.outcome === 'failed' ? 'red' : r.outcome === 'skipped' ? 'gray' : 'green'}
                  size="sm"
                >
                  {t(`salesforce.writebacks.outcome.${r.outcome}`, r.outcome)}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Text size="xs" ff="monospace">
                  {r.sfId ?? '—'}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="xs" c={r.errorCode ? 'red' : undefined}>
                  {[r.errorCode, r.message].filter(Boolean).join(': ') || '—'}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {results.data.nextCursor && (
        <Text size="xs" c="dimmed">
          {t('salesforce.writebacks.firstResults', { count: results.data.items.length })}
        </Text>
      )}
    </Stack>
  );
}

interface WritebackFormState {
  name: string;
  connectionId: string | null;
  object: string;
  operation: WritebackOperation;
  externalIdField: string;
  recordId: string;
  rows: FieldRow[];
  condition: string;
  bulkThreshold: number;
}

function formOf(w: Writeback | null): WritebackFormState {
  return {
    name: w?.name ?? '',
    connectionId: w?.connectionId ? String(w.connectionId) : null,
    object: w?.object ?? '',
    operation: w?.operation ?? 'insert',
    externalIdField: w?.externalIdField ?? '',
    recordId: w?.recordId ?? '',
    rows: w ? rowsOf(w.fields) : [{ name: '', value: '' }],
    condition: w?.condition ?? '',
    bulkThreshold: w?.bulkThreshold ?? 2000,
  };
}

function WritebackForm({
  directoryId,
  writeback,
  onClose,
  onSaved,
}: {
  directoryId: number;
  writeback: Writeback | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const [form, setForm] = useState<WritebackFormState>(() => formOf(writeback));
  const [problems, setProblems] = useState<{ path: string; message: string }[]>([]);
  const set = (patch: Partial<WritebackFormState>) => setForm({ ...form, ...patch });
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: form.name,
        connectionId: Number(form.connectionId),
        object: form.object.trim(),
        operation: form.operation,
        externalIdField: form.externalIdField.trim() || null,
        recordId: form.recordId.trim() || null,
        fields: fieldsOf(form.rows),
        condition: form.condition.trim() || null,
        bulkThreshold: form.bulkThreshold,
      };
      return writeback
        ? api.put(`/salesforce/writebacks/${writeback.id}`, body)
        : api.post(`/directories/${directoryId}/salesforce/writebacks`, body);
    },
    onSuccess: () => {
      notifications.show({ message: t('common.saved'), color: 'green' });
      onSaved();
    },
    onError: (error) => {
      if (error instanceof ApiError && Array.isArray(error.details))
        setProblems(error.details as typeof problems);
      notifications.show({ message: errorMessage(error), color: 'red' });
    },
  });
  const at = (path: string) => problemsAt(problems, path);
  const needsRecordId = form.operation === 'update' || form.operation === 'delete';
  return (
    <Modal
      opened
      onClose={onClose}
      title={
        writeback
          ? t('salesforce.writebacks.editTitle', { name: writeback.name })
          : t('salesforce.writebacks.new')
      }
      size="xl"
    >
      <Stack>
        <TextInput
          label={t('common.name')}
          value={form.name}
          onChange={(e) => set({ name: e.currentTarget.value })}
          error={at('name')}
          required
        />
        <Group grow align="flex-start">
          <ConnectionSelect
            value={form.connectionId}
            onChange={(connectionId) => set({ connectionId })}
            error={at('connectionId')}
          />
          <TextInput
            label={t('salesforce.object')}
            placeholder="Survey_Response__c"
            value={form.object}
            onChange={(e) => set({ object: e.currentTarget.value })}
            error={at('object')}
            required
          />
          <Select
            label={t('salesforce.writebacks.operation')}
            data={WRITEBACK_OPERATIONS.map((op) => ({
              value: op,
              label: t(`salesforce.writebacks.op.${op}`),
            }))}
            value={form.operation}
            onChange={(op) => op && set({ operation: op as WritebackOperation })}
            allowDeselect={false}
          />
        </Group>
        {(form.operation === 'upsert' || form.operation === 'insert') && (
          <TextInput
            label={t('salesforce.writebacks.externalIdField')}
            description={t(`salesforce.writebacks.externalIdHelp.${form.operation}`)}
            placeholder="Survey_Response_Id__c"
            value={form.externalIdField}
            onChange={(e) => set({ externalIdField: e.currentTarget.value })}
            error={at('externalIdField')}
          />
        )}
        {needsRecordId && (
          <TextInput
            label={t('salesforce.writebacks.recordId')}
            placeholder="{{ embedded.sfContactId }}"
            value={form.recordId}
            onChange={(e) => set({ recordId: e.currentTarget.value })}
            error={at('recordId')}
            styles={{ input: { fontFamily: 'monospace' } }}
          />
        )}
        {form.operation !== 'delete' && (
          <FieldMapEditor
            rows={form.rows}
            onChange={(rows) => set({ rows })}
            namePlaceholder="NPS_Score__c"
            valuePlaceholder="{{ response.answers.nps }}"
            error={at('fields')}
          />
        )}
        <Group grow align="flex-start">
          <TextInput
            label={t('salesforce.writebacks.condition')}
            description={t('salesforce.writebacks.conditionHelp')}
            placeholder="response.answers.nps <= 6"
            value={form.condition}
            onChange={(e) => set({ condition: e.currentTarget.value })}
            error={at('condition')}
            styles={{ input: { fontFamily: 'monospace' } }}
          />
          <NumberInput
            label={t('salesforce.writebacks.bulkThreshold')}
            min={1}
            value={form.bulkThreshold}
            onChange={(v) => set({ bulkThreshold: Number(v) || 1 })}
          />
        </Group>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button
            onClick={() => save.mutate()}
            loading={save.isPending}
            disabled={!form.name.trim() || !form.connectionId || !form.object.trim()}
            data-testid="writeback-save"
          >
            {writeback ? t('common.save') : t('common.create')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
