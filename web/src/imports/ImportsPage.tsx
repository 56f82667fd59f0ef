import {
  Anchor,
  Badge,
  Button,
  Card,
  FileInput,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconUpload } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api, errorMessage } from '../api/client.ts';
import { IMPORT_OBJECTS, type ImportObject, type ImportRun, type Page } from '../api/types.ts';
import { useCan } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { useDirectoryContext } from '../directory/DirectoryLayout.tsx';
import { formatDateTime } from '../i18n/index.ts';
import { RunStatusBadge } from './RunStatusBadge.tsx';
import { SftpSourcesPanel } from './SftpSourcesPanel.tsx';

const FILE_LABEL = {
  accounts: 'imports.accountsFile',
  contacts: 'imports.contactsFile',
  teamMembers: 'imports.teamFile',
} as const;

/** Start an import (upload the three files, or from a saved SFTP source) and see past runs. */
export function ImportsPage() {
  const { t } = useTranslation();
  const { directory } = useDirectoryContext();
  const canWrite = useCan('data:write');
  return (
    <Stack>
      {canWrite && (
        <SimpleGrid cols={{ base: 1, lg: 2 }}>
          <UploadCard directoryId={directory.id} />
          <SftpSourcesPanel directoryId={directory.id} />
        </SimpleGrid>
      )}
      <Title order={4}>{t('imports.history')}</Title>
      <RunsTable directoryId={directory.id} />
    </Stack>
  );
}

function UploadCard({ directoryId }: { directoryId: number }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [files, setFiles] = useState<Partial<Record<ImportObject, File | null>>>({});
  const [listName, setListName] = useState('');
  const start = useMutation({
    mutationFn: () => {
      const form = new FormData();
      if (listName.trim()) form.append('options', JSON.stringify({ mailingList: listName.trim() }));
      for (const object of IMPORT_OBJECTS) {
        const file = files[object];
        if (file) form.append(object, file, file.name);
      }
      return api.post<ImportRun>(`/directories/${directoryId}/imports`, form);
    },
    onSuccess: (run) => {
      void client.invalidateQueries({ queryKey: ['imports', directoryId] });
      navigate(`/directory/imports/${run.runId}`);
    },
    onError: (error) => notifications.show({ message: errorMessage(error), color: 'red', autoClose: false }),
  });
  const chosen = IMPORT_OBJECTS.some((object) => files[object]);

  return (
    <Card withBorder>
      <Stack>
        <Title order={5}>{t('imports.upload')}</Title>
        {IMPORT_OBJECTS.map((object) => (
          <FileInput
            key={object}
            label={t(FILE_LABEL[object])}
            placeholder={t('imports.pickFile')}
            accept=".csv,text/csv"
            clearable
            leftSection={<IconUpload size={16} />}
            value={files[object] ?? null}
            onChange={(file) => setFiles((prev) => ({ ...prev, [object]: file }))}
            data-testid={`upload-${object}`}
          />
        ))}
        <TextInput
          label={t('imports.mailingList')}
          description={t('imports.mailingListHint')}
          placeholder="Import {{date}}"
          value={listName}
          onChange={(e) => setListName(e.currentTarget.value)}
        />
        <Group>
          <Button
            onClick={() => start.mutate()}
            loading={start.isPending}
            disabled={!chosen}
            data-testid="start-import"
          >
            {t('imports.start')}
          </Button>
          {!chosen && (
            <Text size="sm" c="dimmed">
              {t('imports.needFile')}
            </Text>
          )}
        </Group>
      </Stack>
    </Card>
  );
}

function RunsTable({ directoryId }: { directoryId: number }) {
  const { t, i18n } = useTranslation();
  const runs = useQuery({
    queryKey: ['imports', directoryId],
    queryFn: () => api.get<Page<ImportRun>>(`/directories/${directoryId}/imports`, { limit: 50 }),
    // Keep the list live while something runs.
    refetchInterval: (query) =>
      query.state.data?.items.some((r) => r.status === 'queued' || r.status === 'running') ? 2000 : false,
  });
  if (runs.isPending) return <Loading />;
  if (runs.isError) return <ErrorState error={runs.error} onRetry={() => void runs.refetch()} />;
  if (runs.data.items.length === 0) return <Text c="dimmed">{t('imports.noRuns')}</Text>;
  return (
    <Table striped highlightOnHover data-testid="import-runs">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>#</Table.Th>
          <Table.Th>{t('common.status')}</Table.Th>
          {IMPORT_OBJECTS.map((object) => (
            <Table.Th key={object}>{t(`imports.object.${object}`)}</Table.Th>
          ))}
          <Table.Th>{t('imports.by')}</Table.Th>
          <Table.Th>{t('common.created')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {runs.data.items.map((run) => (
          <Table.Tr key={run.runId}>
            <Table.Td>
              <Anchor component={Link} to={`/directory/imports/${run.runId}`}>
                {t('imports.run', { id: run.runId })}
              </Anchor>
            </Table.Td>
            <Table.Td>
              <Group gap={4}>
                <RunStatusBadge run={run} />
                {run.errorCount > 0 && (
                  <Badge size="xs" color="red" variant="light">
                    {t('imports.errors', { count: run.errorCount })}
                  </Badge>
                )}
                {run.warningCount > 0 && (
                  <Badge size="xs" color="yellow" variant="light">
                    {t('imports.warnings', { count: run.warningCount })}
                  </Badge>
                )}
              </Group>
            </Table.Td>
            {IMPORT_OBJECTS.map((object) => {
              const c = run.objects?.[object];
              return (
                <Table.Td key={object}>
                  {c ? (
                    <Text size="xs">
                      +{c.created} ~{c.updated} ={c.unchanged} −{c.deleted} ✕{c.rejected}
                    </Text>
                  ) : (
                    '—'
                  )}
                </Table.Td>
              );
            })}
            <Table.Td>{run.createdBy}</Table.Td>
            <Table.Td>{formatDateTime(run.createdAt, i18n.language)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
