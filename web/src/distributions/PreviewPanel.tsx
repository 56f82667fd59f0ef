import {
  Alert,
  Badge,
  Box,
  Card,
  Group,
  List,
  Loader,
  Paper,
  Select,
  Stack,
  Tabs,
  Text,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, errorMessage } from '../api/client.ts';
import type { Contact, Page } from '../api/types.ts';
import { type Draft, embeddedOf, messageOf } from './form-model.ts';
import { contactLabel } from './parts.tsx';
import type { Preview, Problem, Recipient } from './types.ts';

/** The message rendered by the server for a real contact, a moment after each change. */
export function usePreview(draft: Draft, directoryId: number, contactId: string | null | undefined) {
  const body = {
    surveyId: Number(draft.surveyId),
    channel: draft.channel,
    message: messageOf(draft),
    embedded: embeddedOf(draft, true),
    ...(contactId ? { contactId: Number(contactId) } : {}),
  };
  const [debounced] = useDebouncedValue(JSON.stringify(body), 400);
  return useQuery({
    queryKey: ['distribution-preview', directoryId, debounced],
    queryFn: () =>
      api.post<Preview>(`/directories/${directoryId}/distributions/preview`, JSON.parse(debounced)),
    enabled: !!draft.surveyId && JSON.parse(debounced).surveyId > 0,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 60_000,
  });
}

/** Contacts to preview for: some of the recipients the distribution names (or would name). */
export function usePreviewContacts(
  draft: Draft,
  directoryId: number,
  pickedLabels: Record<string, string>,
): { value: string; label: string }[] {
  const kind = draft.kind === 'invitation' ? draft.audienceType : 'parent';
  const query = useQuery({
    queryKey: [
      'preview-contacts',
      directoryId,
      kind,
      draft.mailingListId,
      draft.roles[0],
      draft.accountIds.length === 1 ? draft.accountIds[0] : null,
      draft.parentId,
    ],
    queryFn: async () => {
      if (kind === 'parent') {
        const page = await api.get<Page<Recipient>>(`/distributions/${draft.parentId}/recipients`, {
          limit: 20,
        });
        return page.items.map((r) => ({ value: String(r.contactId), label: r.address ?? `#${r.contactId}` }));
      }
      const page = await api.get<Page<Contact>>(`/directories/${directoryId}/contacts`, {
        limit: 20,
        ...(kind === 'mailingList' ? { listId: draft.mailingListId } : {}),
        ...(kind === 'accountRoles'
          ? {
              role: draft.roles[0],
              accountId: draft.accountIds.length === 1 ? draft.accountIds[0] : undefined,
            }
          : {}),
      });
      return page.items.map((c) => ({ value: String(c.id), label: contactLabel(c) }));
    },
    enabled:
      (kind === 'mailingList' && !!draft.mailingListId) ||
      (kind === 'accountRoles' && draft.roles.length > 0) ||
      (kind === 'parent' && !!draft.parentId),
  });
  if (kind === 'contacts')
    return draft.contactIds.map((id) => ({ value: id, label: pickedLabels[id] ?? `#${id}` }));
  return query.data ?? [];
}

export function PreviewPanel({
  draft,
  preview,
  contacts,
  contactId,
  onContact,
}: {
  draft: Draft;
  preview: ReturnType<typeof usePreview>;
  contacts: { value: string; label: string }[];
  /** undefined: not chosen yet (the first recipient is taken); null: the sample contact. */
  contactId: string | null | undefined;
  onContact: (id: string | null) => void;
}) {
  const { t } = useTranslation();
  // The first recipient by default, and again when the recipients change; the sample contact when
  // there is none, or when asked for (cleared).
  const first = contacts[0]?.value;
  const known = contacts.some((c) => c.value === contactId);
  useEffect(() => {
    if (first && (contactId === undefined || (contactId !== null && !known))) onContact(first);
  }, [first, known, contactId, onContact]);

  const problems =
    preview.error instanceof ApiError && Array.isArray(preview.error.details)
      ? (preview.error.details as Problem[])
      : [];
  const p = preview.data;
  return (
    <Card withBorder data-testid="preview-panel">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={4}>{t('distributions.preview')}</Title>
          {preview.isFetching && <Loader size="xs" />}
        </Group>
        <Select
          label={t('distributions.previewFor')}
          placeholder={t('distributions.sampleContact')}
          data={contacts}
          value={contacts.some((c) => c.value === contactId) ? contactId : null}
          onChange={onContact}
          searchable
          clearable
          allowDeselect={false}
          nothingFoundMessage={t('common.none')}
          data-testid="preview-contact"
        />
        {!draft.surveyId ? (
          <Text c="dimmed" size="sm">
            {t('distributions.previewNeedsSurvey')}
          </Text>
        ) : preview.isError ? (
          <Alert color="yellow" title={t('distributions.previewUnavailable')}>
            {problems.length ? (
              <List size="sm">
                {problems.map((problem) => (
                  <List.Item key={`${problem.path}-${problem.message}`}>
                    <Text span ff="monospace" size="xs">
                      {problem.path}
                    </Text>
                    : {problem.message}
                  </List.Item>
                ))}
              </List>
            ) : (
              <Text size="sm">{errorMessage(preview.error)}</Text>
            )}
          </Alert>
        ) : !p ? (
          <Loader size="sm" />
        ) : draft.channel === 'sms' ? (
          <SmsBubble preview={p} />
        ) : (
          <EmailPreview preview={p} />
        )}
      </Stack>
    </Card>
  );
}

function EmailPreview({ preview }: { preview: Preview }) {
  const { t } = useTranslation();
  return (
    <Stack gap="xs">
      <Text size="sm">
        <Text span c="dimmed">
          {t('distributions.to')}:{' '}
        </Text>
        <span data-testid="preview-to">{preview.to ?? t('distributions.noAddress')}</span>
      </Text>
      <Text size="sm" fw={600} data-testid="preview-subject">
        {preview.subject}
      </Text>
      <Tabs defaultValue={preview.html ? 'html' : 'text'} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="html" disabled={!preview.html}>
            {t('distributions.htmlVersion')}
          </Tabs.Tab>
          <Tabs.Tab value="text">{t('distributions.textVersion')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="html" pt="xs">
          <MessageFrame html={preview.html ?? ''} title={t('distributions.preview')} />
        </Tabs.Panel>
        <Tabs.Panel value="text" pt="xs">
          <PlainText text={preview.text} testId="preview-text" />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

/** An email's HTML, isolated: no script, no form, no navigation of this page (sandbox=""). */
export function MessageFrame({
  html,
  title,
  height = 360,
}: {
  html: string;
  title: string;
  height?: number;
}) {
  return (
    <Box
      component="iframe"
      title={title}
      sandbox=""
      srcDoc={`<!doctype html><meta charset="utf-8"><base target="_blank"><style>body{font-family:system-ui,sans-serif;font-size:14px;margin:12px;color:#222;background:#fff}</style>${html}`}
      style={{
        width: '100%',
        height,
        border: '1px solid var(--mantine-color-default-border)',
        borderRadius: 6,
        background: '#fff',
      }}
      data-testid="message-frame"
    />
  );
}

export function PlainText({ text, testId }: { text: string; testId?: string }) {
  return (
    <Paper withBorder p="sm" bg="var(--mantine-color-default-hover)">
      <Text
        size="sm"
        style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}
        ff="monospace"
        data-testid={testId}
      >
        {text}
      </Text>
    </Paper>
  );
}

function SmsBubble({ preview }: { preview: Preview }) {
  const { t } = useTranslation();
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Text size="sm">
          <Text span c="dimmed">
            {t('distributions.to')}:{' '}
          </Text>
          {preview.to ?? t('distributions.noPhone')}
        </Text>
        {preview.segments !== null && (
          <Badge variant="light" color={preview.segments > 2 ? 'orange' : 'gray'}>
            {t('distributions.segments', { count: preview.segments })}
          </Badge>
        )}
      </Group>
      <Paper
        p="sm"
        radius="lg"
        bg="var(--mantine-color-grape-light)"
        maw={320}
        style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}
        data-testid="preview-text"
      >
        <Text size="sm">{preview.text}</Text>
      </Paper>
    </Stack>
  );
}
