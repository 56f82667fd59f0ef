import { Alert, Button, Code, CopyButton, Group, Select, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api/client.ts';
import type { Contact, Page } from '../api/types.ts';
import { useCan } from '../auth/session.ts';
import type { SurveyDetail, SurveyLink } from './types.ts';

type Kind = SurveyLink['kind'];

/** Hands out links: personal (for a contact), anonymous, or call-script (for an agent in the CRM). */
export function LinksPanel({ survey }: { survey: SurveyDetail }) {
  const { t } = useTranslation();
  const canWrite = useCan('data:write');
  const [kind, setKind] = useState<Kind>('anonymous');
  const [contactQuery, setContactQuery] = useState('');
  const [contactId, setContactId] = useState<string | null>(null);
  const [created, setCreated] = useState<SurveyLink | null>(null);
  const contacts = useQuery({
    queryKey: ['contacts-pick', survey.directoryId, contactQuery],
    queryFn: () =>
      api.get<Page<Contact>>(`/directories/${survey.directoryId}/contacts`, { q: contactQuery, limit: 20 }),
    enabled: kind === 'personal',
  });
  const create = useMutation({
    mutationFn: () =>
      api.post<SurveyLink>(`/surveys/${survey.id}/links`, {
        kind,
        ...(kind === 'personal' && contactId ? { contactId: Number(contactId) } : {}),
      }),
    onSuccess: setCreated,
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  const url = (path: string) => `${window.location.origin}${path}`;
  return (
    <Stack maw={720}>
      {survey.status !== 'active' && <Alert color="yellow">{t('surveys.linksInactive')}</Alert>}
      {canWrite && (
        <Group align="flex-end">
          <Select
            label={t('surveys.linkKind')}
            allowDeselect={false}
            value={kind}
            onChange={(v) => setKind((v as Kind) ?? 'anonymous')}
            data={(['anonymous', 'personal', 'callScript'] as const).map((value) => ({
              value,
              label: t(`surveys.linkKinds.${value}`),
            }))}
            data-testid="link-kind"
          />
          {kind === 'personal' && (
            <Select
              label={t('surveys.contact')}
              searchable
              w={300}
              searchValue={contactQuery}
              onSearchChange={setContactQuery}
              value={contactId}
              onChange={setContactId}
              filter={({ options }) => options}
              data={(contacts.data?.items ?? []).map((c) => ({
                value: String(c.id),
                label: [c.firstName, c.lastName].filter(Boolean).join(' ') + (c.email ? ` <${c.email}>` : ''),
              }))}
            />
          )}
          <Button
            onClick={() => create.mutate()}
            loading={create.isPending}
            disabled={kind === 'personal' && !contactId}
            data-testid="create-link"
          >
            {t('surveys.createLink')}
          </Button>
        </Group>
      )}
      <Text size="sm" c="dimmed">
        {t(`surveys.linkHelp.${kind}`)}
      </Text>
      {created && (
        <Stack gap="xs" data-testid="created-link">
          <Group gap="xs">
            <Code>{url(created.path)}</Code>
            <CopyButton value={url(created.path)}>
              {({ copied, copy }) => (
                <Button size="xs" variant="light" onClick={copy}>
                  {copied ? t('surveys.copied') : t('surveys.copy')}
                </Button>
              )}
            </CopyButton>
          </Group>
          {created.template && (
            <>
              <Text size="sm">{t('surveys.callScriptTemplate')}</Text>
              <Code block>{url(created.template)}</Code>
            </>
          )}
        </Stack>
      )}
    </Stack>
  );
}
