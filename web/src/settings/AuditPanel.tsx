import { Button, Code, Stack, Table } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { AuditEvent, Page } from '../api/types.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { formatDateTime } from '../i18n/index.ts';

export function AuditPanel() {
  const { t, i18n } = useTranslation();
  const events = useInfiniteQuery({
    queryKey: ['audit-events'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => api.get<Page<AuditEvent>>('/audit-events', { limit: 50, cursor: pageParam }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  if (events.isPending) return <Loading />;
  if (events.isError) return <ErrorState error={events.error} onRetry={() => void events.refetch()} />;
  return (
    <Stack>
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('settings.at')}</Table.Th>
            <Table.Th>{t('settings.actor')}</Table.Th>
            <Table.Th>{t('settings.action')}</Table.Th>
            <Table.Th>{t('settings.target')}</Table.Th>
            <Table.Th>{t('settings.details')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.data.pages
            .flatMap((page) => page.items)
            .map((event) => (
              <Table.Tr key={event.id}>
                <Table.Td>{formatDateTime(event.at, i18n.language)}</Table.Td>
                <Table.Td>{event.actorLabel}</Table.Td>
                <Table.Td>
                  <Code>{event.action}</Code>
                </Table.Td>
                <Table.Td>
                  {event.targetType}
                  {event.targetId ? ` #${event.targetId}` : ''}
                </Table.Td>
                <Table.Td>
                  <Code fz="xs">{JSON.stringify(event.details)}</Code>
                </Table.Td>
              </Table.Tr>
            ))}
        </Table.Tbody>
      </Table>
      {events.hasNextPage && (
        <Button
          variant="light"
          onClick={() => void events.fetchNextPage()}
          loading={events.isFetchingNextPage}
        >
          {t('settings.loadMore')}
        </Button>
      )}
    </Stack>
  );
}
