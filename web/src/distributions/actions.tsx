import { Button, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, errorMessage } from '../api/client.ts';
import { useCurrentUser } from '../auth/session.ts';
import { useSearchOptions } from './parts.tsx';
import type { Distribution, Problem } from './types.ts';

/** Pause, resume and delete, with the lists and the detail refreshed after each. */
export function useDistributionActions() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const refresh = async (id: number) => {
    await client.invalidateQueries({ queryKey: ['distributions'] });
    await client.invalidateQueries({ queryKey: ['distribution', id] });
  };
  const onError = (e: unknown) => notifications.show({ color: 'red', message: errorMessage(e) });
  const setPaused = useMutation({
    mutationFn: ({ id, paused }: { id: number; paused: boolean }) =>
      api.post<Distribution>(`/distributions/${id}/${paused ? 'pause' : 'resume'}`),
    onSuccess: (d) => refresh(d.id),
    onError,
  });
  const remove = useMutation({
    mutationFn: (id: number) => api.delete(`/distributions/${id}`),
    onSuccess: async (_result, id) => {
      notifications.show({ color: 'green', message: t('distributions.deletedOne') });
      await client.invalidateQueries({ queryKey: ['distributions'] });
      client.removeQueries({ queryKey: ['distribution', id] });
    },
    onError,
  });
  return { setPaused, remove };
}

export function DeleteModal({
  distribution,
  onClose,
  onDeleted,
}: {
  distribution: Distribution | null;
  onClose: () => void;
  onDeleted?: () => void;
}) {
  const { t } = useTranslation();
  const { remove } = useDistributionActions();
  return (
    <Modal opened={!!distribution} onClose={onClose} title={t('distributions.deleteTitle')}>
      <Stack>
        <Text>{t('distributions.deleteConfirm', { name: distribution?.name ?? '' })}</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button
            color="red"
            loading={remove.isPending}
            data-testid="confirm-delete"
            onClick={() =>
              distribution &&
              remove.mutate(distribution.id, {
                onSuccess: () => {
                  onClose();
                  onDeleted?.();
                },
              })
            }
          >
            {t('common.delete')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Sends the message once to an address or number, rendered for a contact (or the sample one). */
export function SendTestModal({
  distribution,
  onClose,
}: {
  distribution: Distribution | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const email = distribution?.channel !== 'sms';
  const [to, setTo] = useState('');
  const [contactId, setContactId] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const contacts = useSearchOptions('contacts', distribution?.directoryId);
  const send = useMutation({
    mutationFn: () =>
      api.post<{ to: string; providerMessageId: string }>(`/distributions/${distribution!.id}/test`, {
        to: (to || (email ? user.email : '')).trim(),
        ...(contactId ? { contactId: Number(contactId) } : {}),
      }),
    onSuccess: (sent) => {
      notifications.show({ color: 'green', message: t('distributions.testSent', { to: sent.to }) });
      setProblems([]);
      onClose();
    },
    onError: (e) => {
      setProblems(e instanceof ApiError && Array.isArray(e.details) ? (e.details as Problem[]) : []);
      if (!(e instanceof ApiError && Array.isArray(e.details)))
        notifications.show({ color: 'red', message: errorMessage(e) });
    },
  });
  return (
    <Modal opened={!!distribution} onClose={onClose} title={t('distributions.sendTest')}>
      <Stack>
        <Text size="sm" c="dimmed">
          {t('distributions.testHelp')}
        </Text>
        <TextInput
          label={email ? t('distributions.testEmail') : t('distributions.testPhone')}
          placeholder={email ? user.email : '+33612345678'}
          value={to}
          onChange={(e) => setTo(e.currentTarget.value)}
          error={problems.find((p) => p.path === 'to')?.message}
          data-testid="test-to"
        />
        <Select
          label={t('distributions.testAs')}
          placeholder={t('distributions.sampleContact')}
          searchable
          clearable
          searchValue={contacts.search}
          onSearchChange={contacts.setSearch}
          filter={({ options }) => options}
          value={contactId}
          onChange={(v) => {
            if (v) contacts.remember([v]);
            setContactId(v);
          }}
          data={contacts.options(contactId ? [contactId] : [])}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button
            onClick={() => send.mutate()}
            loading={send.isPending}
            disabled={!email && !to.trim()}
            data-testid="send-test"
          >
            {t('distributions.sendTestButton')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
