import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Code,
  CopyButton,
  Group,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError, api, errorMessage } from '../api/client.ts';
import { useCan } from '../auth/session.ts';
import { HeadedTable } from '../common/HeadedTable.tsx';
import { ErrorState, Loading, QueryState } from '../common/states.tsx';
import { useSurveys } from '../distributions/parts.tsx';
import { formatDateTime } from '../i18n/index.ts';
import { ItemsPanel } from './ItemsPanel.tsx';
import { ConnectionSelect, NameAndConnection, problemsAt } from './panel-parts.tsx';
import type { OutboundNotification, OutboundTrigger } from './types.ts';

/**
 * Outbound Message triggers: each has an endpoint URL to paste into the Outbound Message of a
 * Salesforce workflow rule or flow; a notification then records an event, or also starts a survey
 * for the record's contact (a CSAT when a case closes).
 */
export function OutboundTriggersPanel({ directoryId }: { directoryId: number }) {
  const { t, i18n } = useTranslation();
  const canWrite = useCan('data:write');
  const client = useQueryClient();
  const key = ['salesforce', 'triggers', directoryId];
  const triggers = useQuery({
    queryKey: key,
    queryFn: () => api.get<{ items: OutboundTrigger[] }>(`/directories/${directoryId}/salesforce/triggers`),
  });
  const surveys = useSurveys(directoryId);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<OutboundTrigger | null>(null);
  const [shown, setShown] = useState<number | null>(null);

  if (triggers.isPending) return <Loading />;
  if (triggers.isError) return <ErrorState error={triggers.error} onRetry={() => void triggers.refetch()} />;
  const surveyName = (id: number) => surveys.data?.items.find((s) => s.id === id)?.name ?? `#${id}`;
  const items = triggers.data.items;
  return (
    <ItemsPanel
      intro={t('salesforce.triggers.intro')}
      create={{
        label: t('salesforce.triggers.new'),
        testId: 'trigger-new',
        onClick: () => setCreating(true),
      }}
      canWrite={canWrite}
      notice={
        created && (
          <Alert
            color="green"
            title={t('salesforce.triggers.createdTitle', { name: created.name })}
            withCloseButton
            onClose={() => setCreated(null)}
          >
            <Stack gap={4}>
              <Text size="sm">{t('salesforce.triggers.pasteUrl')}</Text>
              <EndpointUrl url={created.url} />
            </Stack>
          </Alert>
        )
      }
      items={items}
      empty={t('salesforce.triggers.none')}
      testId="salesforce-triggers"
      columns={[
        {
          header: t('common.name'),
          cell: (trigger) => <NameAndConnection name={trigger.name} connectionId={trigger.connectionId} />,
        },
        { header: t('salesforce.object'), cell: (trigger) => trigger.object },
        {
          header: t('salesforce.triggers.action'),
          cell: (trigger) =>
            trigger.action.kind === 'survey'
              ? t('salesforce.triggers.surveyAction', {
                  survey: surveyName(trigger.action.surveyId),
                  channel: t(`salesforce.triggers.channel.${trigger.action.channel}`),
                })
              : t('salesforce.triggers.eventAction'),
        },
        {
          header: t('salesforce.triggers.endpoint'),
          maw: 340,
          cell: (trigger) => <EndpointUrl url={trigger.url} />,
        },
        {
          header: t('salesforce.triggers.lastReceived'),
          cell: (trigger) => formatDateTime(trigger.lastReceivedAt, i18n.language),
        },
      ]}
      shown={shown}
      onShow={setShown}
      showLabel={t('salesforce.triggers.notifications')}
      removal={{
        path: (id) => `/salesforce/triggers/${id}`,
        queryKey: key,
        title: (name) => t('salesforce.triggers.deleteTitle', { name }),
        body: t('salesforce.triggers.deleteBody'),
      }}
    >
      {shown !== null && (
        <NotificationsCard triggerId={shown} name={items.find((i) => i.id === shown)?.name ?? ''} />
      )}
      <TriggerForm
        opened={creating}
        directoryId={directoryId}
        onClose={() => setCreating(false)}
        onCreated={(trigger) => {
          setCreating(false);
          setCreated(trigger);
          void client.invalidateQueries({ queryKey: key });
        }}
      />
    </ItemsPanel>
  );
}

function EndpointUrl({ url }: { url: string }) {
  const { t } = useTranslation();
  return (
    <Group gap={6} wrap="nowrap">
      <Code style={{ overflowWrap: 'anywhere' }} data-testid="trigger-url">
        {url}
      </Code>
      <CopyButton value={url}>
        {({ copied, copy }) => (
          // Never squeezed by a long URL in a narrow column.
          <Button size="compact-xs" variant="light" onClick={copy} style={{ flexShrink: 0 }}>
            {copied ? t('common.copied') : t('common.copy')}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}

const OUTCOME_COLORS: Record<string, string> = {
  event: 'blue',
  survey_started: 'green',
  no_contact: 'orange',
  failed: 'red',
};

function NotificationsCard({ triggerId, name }: { triggerId: number; name: string }) {
  const { t, i18n } = useTranslation();
  const items = useQuery({
    queryKey: ['salesforce', 'trigger-notifications', triggerId],
    queryFn: () =>
      api.get<{ items: OutboundNotification[] }>(`/salesforce/triggers/${triggerId}/notifications`, {
        limit: 50,
      }),
    refetchInterval: 10_000,
  });
  return (
    <Card withBorder>
      <Stack>
        <Title order={5}>{t('salesforce.triggers.recent', { name })}</Title>
        <QueryState query={items} empty={t('salesforce.triggers.noNotifications')}>
          {(data) => (
            <HeadedTable
              testId="trigger-notifications"
              headers={[
                t('salesforce.triggers.received'),
                t('salesforce.triggers.record'),
                t('salesforce.triggers.deliveries'),
                t('salesforce.triggers.outcome'),
              ]}
            >
              {data.items.map((n) => (
                <Table.Tr key={n.id}>
                  <Table.Td>{formatDateTime(n.receivedAt, i18n.language)}</Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      {n.object} {n.recordId}
                    </Text>
                  </Table.Td>
                  <Table.Td>{n.deliveries}</Table.Td>
                  <Table.Td>
                    <Badge color={OUTCOME_COLORS[n.outcome] ?? 'gray'}>
                      {t(`salesforce.triggers.outcomes.${n.outcome}`, n.outcome)}
                    </Badge>
                    {n.distributionId && (
                      <Anchor component={Link} to={`/distributions/${n.distributionId}`} size="xs" ml="xs">
                        {t('salesforce.triggers.distribution', { id: n.distributionId })}
                      </Anchor>
                    )}
                    {n.detail && (
                      <Text size="xs" c="dimmed">
                        {n.detail}
                      </Text>
                    )}
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

const BODY_HELP = { link: '{{ link }}', example: '{{ contact.firstName }}' };

interface TriggerFormState {
  name: string;
  connectionId: string | null;
  object: string;
  kind: 'event' | 'survey';
  surveyId: string | null;
  contactField: string;
  channel: 'email' | 'sms';
  fromName: string;
  subject: string;
  text: string;
  smsBody: string;
}

const EMPTY: TriggerFormState = {
  name: '',
  connectionId: null,
  object: 'Case',
  kind: 'survey',
  surveyId: null,
  contactField: 'ContactId',
  channel: 'email',
  fromName: '',
  subject: '',
  text: '',
  smsBody: '',
};

function TriggerForm({
  opened,
  directoryId,
  onClose,
  onCreated,
}: {
  opened: boolean;
  directoryId: number;
  onClose: () => void;
  onCreated: (trigger: OutboundTrigger) => void;
}) {
  const { t } = useTranslation();
  const surveys = useSurveys(directoryId);
  const [form, setForm] = useState<TriggerFormState>(EMPTY);
  const [problems, setProblems] = useState<{ path: string; message: string }[]>([]);
  const set = (patch: Partial<TriggerFormState>) => setForm({ ...form, ...patch });
  const create = useMutation({
    mutationFn: () =>
      api.post<OutboundTrigger>(`/directories/${directoryId}/salesforce/triggers`, {
        name: form.name,
        connectionId: Number(form.connectionId),
        object: form.object,
        action:
          form.kind === 'event'
            ? { kind: 'event' }
            : {
                kind: 'survey',
                surveyId: Number(form.surveyId),
                contactField: form.contactField,
                channel: form.channel,
                message:
                  form.channel === 'email'
                    ? { fromName: form.fromName, subject: form.subject, text: form.text }
                    : { body: form.smsBody },
              },
      }),
    onSuccess: (trigger) => {
      setForm(EMPTY);
      setProblems([]);
      onCreated(trigger);
    },
    onError: (error) => {
      if (error instanceof ApiError && Array.isArray(error.details))
        setProblems(error.details as typeof problems);
      notifications.show({ message: errorMessage(error), color: 'red' });
    },
  });
  const at = (path: string) => problemsAt(problems, path);
  return (
    <Modal opened={opened} onClose={onClose} title={t('salesforce.triggers.new')} size="lg">
      <Stack>
        <TextInput
          label={t('common.name')}
          placeholder={t('salesforce.triggers.namePlaceholder')}
          value={form.name}
          onChange={(e) => set({ name: e.currentTarget.value })}
          error={at('name')}
          required
        />
        <Group grow>
          <ConnectionSelect
            value={form.connectionId}
            onChange={(connectionId) => set({ connectionId })}
            error={at('connectionId')}
          />
          <TextInput
            label={t('salesforce.object')}
            description={t('salesforce.triggers.objectHelp')}
            value={form.object}
            onChange={(e) => set({ object: e.currentTarget.value })}
            error={at('object')}
          />
        </Group>
        <SegmentedControl
          value={form.kind}
          onChange={(kind) => set({ kind: kind as TriggerFormState['kind'] })}
          data={[
            { value: 'survey', label: t('salesforce.triggers.kindSurvey') },
            { value: 'event', label: t('salesforce.triggers.kindEvent') },
          ]}
        />
        {form.kind === 'survey' && (
          <>
            <Group grow>
              <Select
                label={t('salesforce.triggers.survey')}
                data={(surveys.data?.items ?? []).map((s) => ({ value: String(s.id), label: s.name }))}
                value={form.surveyId}
                onChange={(surveyId) => set({ surveyId })}
                error={at('action.surveyId')}
                required
              />
              <TextInput
                label={t('salesforce.triggers.contactField')}
                description={t('salesforce.triggers.contactFieldHelp')}
                value={form.contactField}
                onChange={(e) => set({ contactField: e.currentTarget.value })}
              />
            </Group>
            <SegmentedControl
              value={form.channel}
              onChange={(channel) => set({ channel: channel as TriggerFormState['channel'] })}
              data={[
                { value: 'email', label: t('salesforce.triggers.channel.email') },
                { value: 'sms', label: t('salesforce.triggers.channel.sms') },
              ]}
            />
            {form.channel === 'email' ? (
              <>
                <Group grow>
                  <TextInput
                    label={t('salesforce.triggers.fromName')}
                    value={form.fromName}
                    onChange={(e) => set({ fromName: e.currentTarget.value })}
                    error={at('action.message.fromName')}
                  />
                  <TextInput
                    label={t('salesforce.triggers.subject')}
                    value={form.subject}
                    onChange={(e) => set({ subject: e.currentTarget.value })}
                    error={at('action.message.subject')}
                  />
                </Group>
                <Textarea
                  label={t('salesforce.triggers.body')}
                  description={t('salesforce.triggers.bodyHelp', BODY_HELP)}
                  autosize
                  minRows={3}
                  value={form.text}
                  placeholder={'Hello {{ contact.firstName }}, how did we do? {{ link }}'}
                  onChange={(e) => set({ text: e.currentTarget.value })}
                  error={at('action.message.text')}
                />
              </>
            ) : (
              <Textarea
                label={t('salesforce.triggers.smsBody')}
                description={t('salesforce.triggers.bodyHelp', BODY_HELP)}
                autosize
                minRows={2}
                value={form.smsBody}
                placeholder={'How did we do? {{ link }}'}
                onChange={(e) => set({ smsBody: e.currentTarget.value })}
                error={at('action.message.body')}
              />
            )}
          </>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button
            onClick={() => create.mutate()}
            loading={create.isPending}
            disabled={!form.name.trim() || !form.connectionId || (form.kind === 'survey' && !form.surveyId)}
            data-testid="trigger-create"
          >
            {t('common.create')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
