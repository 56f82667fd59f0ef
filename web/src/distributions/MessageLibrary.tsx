import { Button, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api/client.ts';
import { useCan } from '../auth/session.ts';
import type { Draft } from './form-model.ts';

interface Template {
  id: number;
  name: string;
  channel: 'email' | 'sms';
  subject: string | null;
  html: string | null;
  text: string;
}

/** The message library: start from a saved message, or save this one for next time. */
export function MessageLibrary({
  directoryId,
  draft,
  set,
}: {
  directoryId: number;
  draft: Draft;
  set: (patch: Partial<Draft>) => void;
}) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const canWrite = useCan('data:write');
  const [naming, setNaming] = useState<string | null>(null);
  const templates = useQuery({
    queryKey: ['message-templates', directoryId, draft.channel],
    queryFn: () =>
      api.get<{ items: Template[] }>(`/directories/${directoryId}/message-templates`, {
        channel: draft.channel,
      }),
  });
  const save = useMutation({
    mutationFn: (name: string) =>
      api.post<Template>(`/directories/${directoryId}/message-templates`, {
        name,
        channel: draft.channel,
        kind: draft.kind,
        ...(draft.channel === 'email'
          ? { subject: draft.email.subject, html: draft.email.html || undefined, text: draft.email.text }
          : { text: draft.sms.body }),
      }),
    onSuccess: (saved) => {
      setNaming(null);
      void client.invalidateQueries({ queryKey: ['message-templates', directoryId] });
      notifications.show({ color: 'green', message: t('distributions.library.saved', { name: saved.name }) });
    },
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  const use = (id: string | null) => {
    const template = templates.data?.items.find((x) => String(x.id) === id);
    if (!template) return;
    if (template.channel === 'email')
      set({
        email: {
          ...draft.email,
          subject: template.subject ?? '',
          html: template.html ?? '',
          text: template.text,
        },
      });
    else set({ sms: { ...draft.sms, body: template.text } });
  };

  return (
    <Group align="flex-end" gap="sm">
      <Select
        label={t('distributions.library.use')}
        placeholder={t('distributions.library.pick')}
        data={(templates.data?.items ?? []).map((x) => ({ value: String(x.id), label: x.name }))}
        value={null}
        onChange={use}
        searchable
        w={300}
        data-testid="message-library"
      />
      {canWrite && (
        <Button variant="default" onClick={() => setNaming('')} data-testid="message-library-save">
          {t('distributions.library.saveAs')}
        </Button>
      )}
      <Modal
        opened={naming !== null}
        onClose={() => setNaming(null)}
        title={t('distributions.library.saveAs')}
      >
        <Stack>
          <TextInput
            label={t('distributions.library.name')}
            value={naming ?? ''}
            onChange={(e) => setNaming(e.currentTarget.value)}
            data-autofocus
          />
          <Button
            onClick={() => naming && save.mutate(naming)}
            loading={save.isPending}
            disabled={!naming?.trim()}
          >
            {t('common.save')}
          </Button>
        </Stack>
      </Modal>
    </Group>
  );
}
