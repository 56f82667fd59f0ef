import { Anchor, Badge, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, errorMessage } from '../api/client.ts';
import type { ConsolidationResult, ContactMerge, Page } from '../api/types.ts';
import { useCan } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { formatDateTime } from '../i18n/index.ts';
import { useDirectoryContext } from './DirectoryLayout.tsx';

/** Find contacts duplicated by the directory's keys, merge them (reversibly), and the merge log. */
export function DuplicatesPage() {
  const { t, i18n } = useTranslation();
  const { directory } = useDirectoryContext();
  const client = useQueryClient();
  const canWrite = useCan('data:write');
  const preview = useQuery({
    queryKey: ['duplicates', directory.id],
    queryFn: () =>
      api.post<ConsolidationResult>(`/directories/${directory.id}/consolidations`, { dryRun: true }),
    enabled: canWrite,
  });
  const merges = useQuery({
    queryKey: ['contact-merges', directory.id],
    queryFn: () => api.get<Page<ContactMerge>>(`/directories/${directory.id}/contact-merges`, { limit: 100 }),
  });
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ['duplicates'] });
    void client.invalidateQueries({ queryKey: ['contact-merges'] });
    void client.invalidateQueries({ queryKey: ['contacts'] });
    void client.invalidateQueries({ queryKey: ['directory'] });
  };
  const merge = useMutation({
    mutationFn: () =>
      api.post<ConsolidationResult & { merged: number }>(`/directories/${directory.id}/consolidations`, {
        dryRun: false,
      }),
    onSuccess: (result) => {
      notifications.show({ message: t('directory.mergedCount', { count: result.merged }), color: 'green' });
      refresh();
    },
    onError: (error) => notifications.show({ message: errorMessage(error), color: 'red' }),
  });
  const revert = useMutation({
    mutationFn: (id: number) => api.post(`/contact-merges/${id}/revert`),
    onSuccess: refresh,
    onError: (error) => notifications.show({ message: errorMessage(error), color: 'red' }),
  });
  const contactLink = (id: number) => (
    <Anchor component={Link} to={`/directory/contacts/${id}`}>
      #{id}
    </Anchor>
  );

  return (
    <Stack>
      {canWrite && (
        <Card withBorder>
          <Title order={5} mb="xs">
            {t('directory.duplicates')}
          </Title>
          {preview.isPending ? (
            <Loading />
          ) : preview.isError ? (
            <ErrorState error={preview.error} onRetry={() => void preview.refetch()} />
          ) : preview.data.groups.length === 0 ? (
            <Text c="dimmed">{t('directory.noDuplicates', { keys: directory.dedupKeys.join(', ') })}</Text>
          ) : (
            <Stack gap="xs">
              {preview.data.groups.slice(0, 200).map((g) => (
                <Text size="sm" key={`${g.matchedOn}-${g.key}`}>
                  <Badge size="xs" mr={6}>
                    {g.matchedOn}
                  </Badge>
                  {g.key}: {contactLink(g.survivorId)} ←{' '}
                  {g.mergedIds.map((id, i) => (
                    <span key={id}>
                      {i > 0 && ', '}
                      {contactLink(id)}
                    </span>
                  ))}
                </Text>
              ))}
              <Group>
                <Button
                  onClick={() => merge.mutate()}
                  loading={merge.isPending}
                  data-testid="merge-duplicates"
                >
                  {t('directory.mergeDuplicates', { count: preview.data.groups.length })}
                </Button>
              </Group>
            </Stack>
          )}
        </Card>
      )}
      <Title order={5}>{t('directory.mergeLog')}</Title>
      {merges.isPending ? (
        <Loading />
      ) : merges.isError ? (
        <ErrorState error={merges.error} />
      ) : merges.data.items.length === 0 ? (
        <Text c="dimmed">{t('common.none')}</Text>
      ) : (
        <Table striped>
          <Table.Tbody>
            {merges.data.items.map((m) => (
              <Table.Tr key={m.id}>
                <Table.Td>{formatDateTime(m.mergedAt, i18n.language)}</Table.Td>
                <Table.Td>
                  {contactLink(m.mergedId)} → {contactLink(m.survivorId)} ({m.matchedOn})
                </Table.Td>
                <Table.Td>
                  {m.revertedAt ? (
                    <Badge color="gray">{t('directory.reverted')}</Badge>
                  ) : (
                    canWrite && (
                      <Button size="xs" variant="subtle" onClick={() => revert.mutate(m.id)}>
                        {t('directory.revert')}
                      </Button>
                    )
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
