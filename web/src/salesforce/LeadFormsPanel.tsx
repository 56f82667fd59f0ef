import {
  Badge,
  Button,
  Card,
  Group,
  Modal,
  NumberInput,
  Progress,
  SegmentedControl,
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
import { formatDateTime } from '../i18n/index.ts';
import { ItemsPanel } from './ItemsPanel.tsx';
import { ConnectionSelect, FieldMapEditor, type FieldRow, fieldsOf, problemsAt } from './panel-parts.tsx';
import { type LeadForm, type LeadSubmission, WEB_TO_LEAD_DAILY_LIMIT } from './types.ts';

/**
 * Web-to-Lead forms: a lead from each response, by sObject create or by the org's own Web-to-Lead
 * form. Form posts count against the org's 500 a day: each form shows where it and its org stand.
 */
export function LeadFormsPanel({ directoryId }: { directoryId: number }) {
  const { t } = useTranslation();
  const canWrite = useCan('data:write');
  const client = useQueryClient();
  const key = ['salesforce', 'lead-forms', directoryId];
  const forms = useQuery({
    queryKey: key,
    queryFn: () => api.get<{ items: LeadForm[] }>(`/directories/${directoryId}/salesforce/lead-forms`),
    refetchInterval: 30_000,
  });
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<number | null>(null);

  if (forms.isPending) return <Loading />;
  if (forms.isError) return <ErrorState error={forms.error} onRetry={() => void forms.refetch()} />;
  const items = forms.data.items;
  return (
    <ItemsPanel
      intro={t('salesforce.leadForms.intro', { limit: WEB_TO_LEAD_DAILY_LIMIT })}
      create={{
        label: t('salesforce.leadForms.new'),
        testId: 'lead-form-new',
        onClick: () => setCreating(true),
      }}
      canWrite={canWrite}
      items={items}
      empty={t('salesforce.leadForms.none')}
      testId="salesforce-lead-forms"
      columns={[
        {
          header: t('common.name'),
          cell: (form) => (
            <>
              <Text fw={500}>{form.name}</Text>
              {form.condition && (
                <Text size="xs" c="dimmed" ff="monospace">
                  {t('salesforce.leadForms.when', { condition: form.condition })}
                </Text>
              )}
            </>
          ),
        },
        {
          header: t('salesforce.leadForms.mode'),
          cell: (form) => <Badge variant="light">{t(`salesforce.leadForms.modes.${form.mode}`)}</Badge>,
        },
        {
          header: t('salesforce.writebacks.fields'),
          cell: (form) => (
            <Text size="xs" ff="monospace">
              {Object.keys(form.fields).join(', ')}
            </Text>
          ),
        },
        {
          header: t('salesforce.leadForms.today'),
          miw: 200,
          cell: (form) =>
            form.mode === 'form' ? (
              <DailyUse form={form} />
            ) : (
              <Text size="xs">{t('salesforce.leadForms.noLimit')}</Text>
            ),
        },
      ]}
      shown={shown}
      onShow={setShown}
      showLabel={t('salesforce.leadForms.sent')}
      removal={{
        path: (id) => `/salesforce/lead-forms/${id}`,
        queryKey: key,
        title: (name) => t('salesforce.leadForms.deleteTitle', { name }),
        body: t('salesforce.leadForms.deleteBody'),
      }}
    >
      {shown !== null && (
        <SubmissionsCard formId={shown} name={items.find((f) => f.id === shown)?.name ?? ''} />
      )}
      {creating && (
        <LeadFormForm
          directoryId={directoryId}
          onClose={() => setCreating(false)}
          onCreated={() => {
            setCreating(false);
            void client.invalidateQueries({ queryKey: key });
          }}
        />
      )}
    </ItemsPanel>
  );
}

/** Today's form posts against the limit: the form's own, and the org's (which is what counts). */
function DailyUse({ form }: { form: LeadForm }) {
  const { t } = useTranslation();
  const percent = Math.min(100, (form.orgSentLast24Hours / WEB_TO_LEAD_DAILY_LIMIT) * 100);
  return (
    <Stack gap={2} data-testid={`lead-form-usage-${form.id}`}>
      <Text size="xs">
        {t('salesforce.leadForms.usage', {
          org: form.orgSentLast24Hours,
          limit: WEB_TO_LEAD_DAILY_LIMIT,
          form: form.sentLast24Hours,
        })}
      </Text>
      <Progress value={percent} color={percent >= 90 ? 'red' : percent >= 70 ? 'orange' : 'blue'} size="sm" />
      {form.dailyLimit < WEB_TO_LEAD_DAILY_LIMIT && (
        <Text size="xs" c="dimmed">
          {t('salesforce.leadForms.ownLimit', { limit: form.dailyLimit })}
        </Text>
      )}
    </Stack>
  );
}

const SUBMISSION_COLORS: Record<string, string> = {
  sent: 'green',
  created: 'green',
  sending: 'blue',
  failed: 'red',
};

function SubmissionsCard({ formId, name }: { formId: number; name: string }) {
  const { t, i18n } = useTranslation();
  const submissions = useQuery({
    queryKey: ['salesforce', 'lead-submissions', formId],
    queryFn: () => api.get<{ items: LeadSubmission[] }>(`/salesforce/lead-forms/${formId}/submissions`),
  });
  return (
    <Card withBorder>
      <Stack>
        <Title order={5}>{t('salesforce.leadForms.sentBy', { name })}</Title>
        <QueryState query={submissions} empty={t('salesforce.leadForms.noneSent')}>
          {(data) => (
            <HeadedTable
              testId="lead-submissions"
              headers={[
                t('salesforce.triggers.received'),
                t('salesforce.writebacks.sourceRecord'),
                t('salesforce.status'),
                t('salesforce.leadForms.lead'),
              ]}
            >
              {data.items.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>{formatDateTime(s.createdAt, i18n.language)}</Table.Td>
                  <Table.Td>{s.sourceKey}</Table.Td>
                  <Table.Td>
                    <Badge color={SUBMISSION_COLORS[s.status] ?? 'gray'} size="sm">
                      {t(`salesforce.leadForms.status.${s.status}`, s.status)}
                    </Badge>
                    {s.message && (
                      <Text size="xs" c="dimmed">
                        {s.message}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace">
                      {s.leadId ?? '—'}
                    </Text>
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

const API_FIELDS: FieldRow[] = [
  { name: 'LastName', value: '{{ contact.lastName }}' },
  { name: 'Company', value: '{{ account.name }}' },
  { name: 'Email', value: '{{ contact.email }}' },
];
const FORM_FIELDS: FieldRow[] = [
  { name: 'last_name', value: '{{ contact.lastName }}' },
  { name: 'company', value: '{{ account.name }}' },
  { name: 'email', value: '{{ contact.email }}' },
];

function LeadFormForm({
  directoryId,
  onClose,
  onCreated,
}: {
  directoryId: number;
  onClose: () => void;
  onCreated: () => void;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [connectionId, setConnectionId] = useState<string | null>(null);
  const [mode, setMode] = useState<'api' | 'form'>('api');
  const [formUrl, setFormUrl] = useState('');
  const [rows, setRows] = useState<FieldRow[]>(API_FIELDS);
  const [condition, setCondition] = useState('');
  const [dailyLimit, setDailyLimit] = useState(WEB_TO_LEAD_DAILY_LIMIT);
  const [problems, setProblems] = useState<{ path: string; message: string }[]>([]);
  const create = useMutation({
    mutationFn: () =>
      api.post(`/directories/${directoryId}/salesforce/lead-forms`, {
        name,
        connectionId: Number(connectionId),
        mode,
        formUrl: mode === 'form' && formUrl.trim() ? formUrl.trim() : null,
        fields: fieldsOf(rows),
        condition: condition.trim() || null,
        dailyLimit,
      }),
    onSuccess: () => {
      notifications.show({ message: t('common.saved'), color: 'green' });
      onCreated();
    },
    onError: (error) => {
      if (error instanceof ApiError && Array.isArray(error.details))
        setProblems(error.details as typeof problems);
      notifications.show({ message: errorMessage(error), color: 'red' });
    },
  });
  const at = (path: string) => problemsAt(problems, path);
  return (
    <Modal opened onClose={onClose} title={t('salesforce.leadForms.new')} size="xl">
      <Stack>
        <TextInput
          label={t('common.name')}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={at('name')}
          required
        />
        <Group grow align="flex-start">
          <ConnectionSelect value={connectionId} onChange={setConnectionId} error={at('connectionId')} />
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              {t('salesforce.leadForms.mode')}
            </Text>
            <SegmentedControl
              value={mode}
              onChange={(value) => {
                setMode(value as 'api' | 'form');
                setRows(value === 'form' ? FORM_FIELDS : API_FIELDS);
              }}
              data={[
                { value: 'api', label: t('salesforce.leadForms.modes.api') },
                { value: 'form', label: t('salesforce.leadForms.modes.form') },
              ]}
            />
          </Stack>
        </Group>
        <Text size="xs" c="dimmed">
          {t(`salesforce.leadForms.modeHelp.${mode}`, { limit: WEB_TO_LEAD_DAILY_LIMIT })}
        </Text>
        {mode === 'form' && (
          <Group grow align="flex-start">
            <TextInput
              label={t('salesforce.leadForms.formUrl')}
              description={t('salesforce.leadForms.formUrlHelp')}
              placeholder="https://webto.salesforce.com/servlet/servlet.WebToLead?encoding=UTF-8"
              value={formUrl}
              onChange={(e) => setFormUrl(e.currentTarget.value)}
              error={at('formUrl')}
            />
            <NumberInput
              label={t('salesforce.leadForms.dailyLimit')}
              min={1}
              max={WEB_TO_LEAD_DAILY_LIMIT}
              value={dailyLimit}
              onChange={(v) => setDailyLimit(Math.min(WEB_TO_LEAD_DAILY_LIMIT, Math.max(1, Number(v) || 1)))}
              error={at('dailyLimit')}
            />
          </Group>
        )}
        <FieldMapEditor
          rows={rows}
          onChange={setRows}
          namePlaceholder={mode === 'form' ? 'lead_source' : 'LeadSource'}
          valuePlaceholder="{{ response.answers.interest }}"
          error={at('fields')}
        />
        <TextInput
          label={t('salesforce.writebacks.condition')}
          description={t('salesforce.writebacks.conditionHelp')}
          placeholder="response.answers.nps >= 9"
          value={condition}
          onChange={(e) => setCondition(e.currentTarget.value)}
          error={at('condition')}
          styles={{ input: { fontFamily: 'monospace' } }}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button
            onClick={() => create.mutate()}
            loading={create.isPending}
            disabled={!name.trim() || !connectionId}
            data-testid="lead-form-create"
          >
            {t('common.create')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
