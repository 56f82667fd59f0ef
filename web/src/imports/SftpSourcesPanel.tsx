import {
  Alert,
  Button,
  Card,
  Code,
  Group,
  NumberInput,
  PasswordInput,
  SegmentedControl,
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
import { useNavigate } from 'react-router';
import { api, errorMessage } from '../api/client.ts';
import { IMPORT_OBJECTS, type ImportObject, type ImportRun, type SftpSource } from '../api/types.ts';
import { ErrorState, Loading } from '../common/states.tsx';

interface TestResult {
  hostKeyFingerprint: string;
  files: { path: string; bytes: number }[];
}

/** Saved SFTP sources: secrets go to the server once and are stored encrypted, never shown again. */
export function SftpSourcesPanel({ directoryId }: { directoryId: number }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [adding, setAdding] = useState(false);
  const [tested, setTested] = useState<Record<number, TestResult>>({});
  const sources = useQuery({
    queryKey: ['sftp-sources', directoryId],
    queryFn: () => api.get<{ items: SftpSource[] }>(`/directories/${directoryId}/sftp-sources`),
  });
  const fail = (error: unknown) =>
    notifications.show({ message: errorMessage(error), color: 'red', autoClose: false });
  const test = useMutation({
    mutationFn: (id: number) => api.post<TestResult>(`/sftp-sources/${id}/test`),
    onSuccess: (result, id) => {
      setTested((prev) => ({ ...prev, [id]: result }));
      void client.invalidateQueries({ queryKey: ['sftp-sources', directoryId] });
    },
    onError: fail,
  });
  const importNow = useMutation({
    mutationFn: (id: number) =>
      api.post<ImportRun>(`/directories/${directoryId}/imports`, { sftpSourceId: id }),
    onSuccess: (run) => navigate(`/directory/imports/${run.runId}`),
    onError: fail,
  });
  const remove = useMutation({
    mutationFn: (id: number) => api.delete(`/sftp-sources/${id}`),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['sftp-sources', directoryId] }),
    onError: fail,
  });

  return (
    <Card withBorder>
      <Stack>
        <Group justify="space-between">
          <Title order={5}>{t('imports.fromSftp')}</Title>
          {!adding && (
            <Button size="xs" variant="light" onClick={() => setAdding(true)}>
              {t('imports.addSource')}
            </Button>
          )}
        </Group>
        {adding && <SourceForm directoryId={directoryId} onDone={() => setAdding(false)} />}
        {sources.isPending ? (
          <Loading />
        ) : sources.isError ? (
          <ErrorState error={sources.error} />
        ) : sources.data.items.length === 0 ? (
          !adding && <Text c="dimmed">{t('imports.noSources')}</Text>
        ) : (
          <Table>
            <Table.Tbody>
              {sources.data.items.map((source) => (
                <Table.Tr key={source.id}>
                  <Table.Td>
                    <Text fw={600}>{source.name}</Text>
                    <Text size="xs" c="dimmed">
                      {source.username}@{source.host}:{source.port}
                    </Text>
                    {IMPORT_OBJECTS.filter((o) => source.paths[o]).map((o) => (
                      <Text size="xs" key={o}>
                        {t(`imports.object.${o}`)}: <Code>{source.paths[o]}</Code>
                      </Text>
                    ))}
                    {source.hostKeyFingerprint && (
                      <Text size="xs" c="dimmed">
                        {t('imports.hostKey')}: <Code>{source.hostKeyFingerprint}</Code>
                      </Text>
                    )}
                    {tested[source.id] && (
                      <Text size="xs" c="green">
                        {t('imports.testOk', {
                          fingerprint: tested[source.id]!.hostKeyFingerprint,
                          files: tested[source.id]!.files.map((f) => `${f.path} (${f.bytes} B)`).join(', '),
                        })}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} justify="flex-end">
                      <Button
                        size="xs"
                        variant="default"
                        onClick={() => test.mutate(source.id)}
                        loading={test.isPending}
                      >
                        {t('imports.test')}
                      </Button>
                      <Button
                        size="xs"
                        onClick={() => importNow.mutate(source.id)}
                        loading={importNow.isPending}
                      >
                        {t('imports.importNow')}
                      </Button>
                      <Button size="xs" variant="subtle" color="red" onClick={() => remove.mutate(source.id)}>
                        {t('common.delete')}
                      </Button>
                    </Group>
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

function SourceForm({ directoryId, onDone }: { directoryId: number; onDone: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [form, setForm] = useState({
    name: '',
    host: '',
    port: 22 as number | string,
    username: '',
    auth: 'password' as 'password' | 'private_key',
    password: '',
    privateKey: '',
    passphrase: '',
    archiveDir: '',
  });
  const [paths, setPaths] = useState<Partial<Record<ImportObject, string>>>({});
  const set = (key: keyof typeof form) => (value: string | number) =>
    setForm((prev) => ({ ...prev, [key]: value }));
  const create = useMutation({
    mutationFn: () =>
      api.post<SftpSource>(`/directories/${directoryId}/sftp-sources`, {
        name: form.name,
        host: form.host,
        port: Number(form.port) || 22,
        username: form.username,
        ...(form.auth === 'password'
          ? { password: form.password }
          : { privateKey: form.privateKey, ...(form.passphrase ? { passphrase: form.passphrase } : {}) }),
        paths: Object.fromEntries(Object.entries(paths).filter(([, v]) => v?.trim())),
        archiveDir: form.archiveDir.trim() || null,
      }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['sftp-sources', directoryId] });
      onDone();
    },
  });

  return (
    <Stack
      component="form"
      gap="xs"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      {create.isError && <Alert color="red">{errorMessage(create.error)}</Alert>}
      <TextInput
        label={t('common.name')}
        required
        value={form.name}
        onChange={(e) => set('name')(e.currentTarget.value)}
      />
      <Group grow>
        <TextInput
          label={t('imports.host')}
          required
          value={form.host}
          onChange={(e) => set('host')(e.currentTarget.value)}
        />
        <NumberInput label={t('imports.port')} min={1} max={65535} value={form.port} onChange={set('port')} />
      </Group>
      <TextInput
        label={t('imports.username')}
        required
        value={form.username}
        onChange={(e) => set('username')(e.currentTarget.value)}
      />
      <SegmentedControl
        aria-label={t('imports.authMethod')}
        value={form.auth}
        onChange={(value) => set('auth')(value)}
        data={[
          { value: 'password', label: t('imports.password') },
          { value: 'private_key', label: t('imports.privateKey') },
        ]}
      />
      {form.auth === 'password' ? (
        <PasswordInput
          label={t('imports.password')}
          required
          autoComplete="off"
          value={form.password}
          onChange={(e) => set('password')(e.currentTarget.value)}
        />
      ) : (
        <>
          <Textarea
            label={t('imports.privateKey')}
            required
            autosize
            minRows={3}
            ff="monospace"
            value={form.privateKey}
            onChange={(e) => set('privateKey')(e.currentTarget.value)}
          />
          <PasswordInput
            label={t('imports.passphrase')}
            autoComplete="off"
            value={form.passphrase}
            onChange={(e) => set('passphrase')(e.currentTarget.value)}
          />
        </>
      )}
      {IMPORT_OBJECTS.map((object) => (
        <TextInput
          key={object}
          label={t('imports.remotePath', { object: t(`imports.object.${object}`) })}
          placeholder={`/exports/${object === 'teamMembers' ? 'AccountTeamMember' : object === 'accounts' ? 'Account' : 'Contact'}.csv`}
          value={paths[object] ?? ''}
          onChange={(e) => {
            const value = e.currentTarget.value;
            setPaths((prev) => ({ ...prev, [object]: value }));
          }}
        />
      ))}
      <TextInput
        label={t('imports.archiveDir')}
        value={form.archiveDir}
        onChange={(e) => set('archiveDir')(e.currentTarget.value)}
      />
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          {t('common.cancel')}
        </Button>
        <Button type="submit" loading={create.isPending}>
          {t('common.save')}
        </Button>
      </Group>
    </Stack>
  );
}
