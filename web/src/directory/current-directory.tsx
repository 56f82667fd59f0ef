import { Button, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api/client.ts';
import type { Directory } from '../api/types.ts';
import { useCan } from '../auth/session.ts';

const STORAGE_KEY = 'rapport.directory';

export function useDirectories() {
  return useQuery({
    queryKey: ['directories'],
    queryFn: () => api.get<{ items: Directory[] }>('/directories'),
  });
}

/**
 * The directory the directory and accounts pages show: the one picked last on this browser, else
 * the first. Undefined while loading, null when there is none yet.
 */
export function useCurrentDirectory() {
  const directories = useDirectories();
  const [pickedId, setPickedId] = useState(() => Number(localStorage.getItem(STORAGE_KEY)) || null);
  const items = directories.data?.items;
  const current = items ? (items.find((d) => d.id === pickedId) ?? items[0] ?? null) : undefined;
  const pick = (id: number) => {
    localStorage.setItem(STORAGE_KEY, String(id));
    setPickedId(id);
  };
  return { directories, current, pick };
}

export function DirectoryPicker({
  current,
  items,
  onPick,
}: {
  current: Directory;
  items: Directory[];
  onPick: (id: number) => void;
}) {
  const { t } = useTranslation();
  return (
    <Group gap="xs">
      <Select
        aria-label={t('directory.pick')}
        data-testid="directory-picker"
        size="sm"
        w={220}
        allowDeselect={false}
        value={String(current.id)}
        data={items.map((d) => ({ value: String(d.id), label: d.name }))}
        onChange={(value) => value && onPick(Number(value))}
      />
      <NewDirectoryButton onCreated={onPick} />
    </Group>
  );
}

export function NewDirectoryButton({ onCreated }: { onCreated: (id: number) => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const canWrite = useCan('data:write');
  const [opened, setOpened] = useState(false);
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: () => api.post<Directory>('/directories', { name }),
    onSuccess: async (directory) => {
      await client.invalidateQueries({ queryKey: ['directories'] });
      onCreated(directory.id);
      setOpened(false);
      setName('');
    },
    onError: (error) => notifications.show({ message: errorMessage(error), color: 'red' }),
  });
  if (!canWrite) return null;
  return (
    <>
      <Button size="sm" variant="light" onClick={() => setOpened(true)}>
        {t('directory.newDirectory')}
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={t('directory.newDirectory')}>
        <Stack
          component="form"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <TextInput
            label={t('directory.directoryName')}
            value={name}
            required
            data-autofocus
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <Group justify="flex-end">
            <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
              {t('common.create')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

export function NoDirectory({ onCreated }: { onCreated: (id: number) => void }) {
  const { t } = useTranslation();
  return (
    <Stack align="flex-start">
      <Text c="dimmed">{t('directory.none')}</Text>
      <NewDirectoryButton onCreated={onCreated} />
    </Stack>
  );
}
