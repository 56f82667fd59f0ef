import { Badge, Code, Table } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { QueueSummary } from '../api/types.ts';
import { ErrorState, Loading } from '../common/states.tsx';

export function JobsPanel() {
  const { t } = useTranslation();
  const queues = useQuery({
    queryKey: ['jobs', 'queues'],
    queryFn: () => api.get<{ items: QueueSummary[] }>('/jobs/queues'),
    refetchInterval: 5000,
  });
  if (queues.isPending) return <Loading />;
  if (queues.isError) return <ErrorState error={queues.error} onRetry={() => void queues.refetch()} />;
  return (
    <Table striped>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('settings.queue')}</Table.Th>
          <Table.Th>{t('settings.queued')}</Table.Th>
          <Table.Th>{t('settings.active')}</Table.Th>
          <Table.Th>{t('settings.completed')}</Table.Th>
          <Table.Th>{t('settings.failed')}</Table.Th>
          <Table.Th>{t('settings.schedule')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {queues.data.items.map((queue) => (
          <Table.Tr key={queue.name}>
            <Table.Td>
              <Code>{queue.name}</Code>
            </Table.Td>
            <Table.Td>{queue.queued}</Table.Td>
            <Table.Td>{queue.active}</Table.Td>
            <Table.Td>{queue.completed}</Table.Td>
            <Table.Td>{queue.failed > 0 ? <Badge color="red">{queue.failed}</Badge> : 0}</Table.Td>
            <Table.Td>
              {queue.schedule ? (
                <Code>
                  {queue.schedule.cron} ({queue.schedule.tz})
                </Code>
              ) : (
                '—'
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
