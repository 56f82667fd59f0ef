import { Anchor, Badge, Group, Select, Stack, Table, Text, Tooltip } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import type { Page } from '../api/types.ts';
import { Pager } from '../common/Pager.tsx';
import { ErrorState, Loading } from '../common/states.tsx';
import { useCursorPages } from '../common/use-cursor-pages.ts';
import { formatDateTime } from '../i18n/index.ts';
import { RecipientStatusBadge } from './parts.tsx';
import { RECIPIENT_STATUSES, type Recipient } from './types.ts';

/** What happened to each recipient, filtered by status, paged by the API's cursor. */
export function RecipientsTable({ distributionId, moving }: { distributionId: number; moving: boolean }) {
  const { t, i18n } = useTranslation();
  const [status, setStatus] = useState<string | null>(null);
  const pages = useCursorPages(`${distributionId}-${status}`);
  const list = useQuery({
    queryKey: ['distribution-recipients', distributionId, status, pages.cursor],
    queryFn: () =>
      api.get<Page<Recipient>>(`/distributions/${distributionId}/recipients`, {
        status,
        limit: 50,
        cursor: pages.cursor,
      }),
    placeholderData: keepPreviousData,
    refetchInterval: moving ? 3000 : false,
  });
  const when = (value: string | null) => formatDateTime(value, i18n.language);

  return (
    <Stack gap="sm">
      <Select
        label={t('distributions.filterStatus')}
        placeholder={t('distributions.allStatuses')}
        clearable
        w={240}
        value={status}
        onChange={setStatus}
        data={RECIPIENT_STATUSES.map((value) => ({
          value,
          label: t(`distributions.recipientStatuses.${value}`),
        }))}
        data-testid="recipients-status"
      />
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <>
          <Table.ScrollContainer minWidth={800}>
            <Table striped data-testid="recipients-table" opacity={list.isPlaceholderData ? 0.6 : 1}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('directory.contact')}</Table.Th>
                  <Table.Th>{t('common.status')}</Table.Th>
                  <Table.Th>{t('distributions.sentAt')}</Table.Th>
                  <Table.Th>{t('distributions.stats.opened')}</Table.Th>
                  <Table.Th>{t('distributions.response')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.items.map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/directory/contacts/${r.contactId}`} size="sm">
                        {r.address ?? `#${r.contactId}`}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={6}>
                        <RecipientStatusBadge status={r.status} />
                        {r.reason && (
                          <Text size="xs" c="dimmed">
                            {r.reason.startsWith('rule:')
                              ? r.reason.slice(5)
                              : t(`distributions.reasons.${r.reason}`, { defaultValue: r.reason })}
                          </Text>
                        )}
                        {r.lastError && (
                          <Tooltip label={r.lastError} multiline w={320}>
                            <Badge color="red" variant="outline" size="xs">
                              {t('distributions.error')}
                            </Badge>
                          </Tooltip>
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{when(r.sentAt)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{when(r.openedAt)}</Text>
                    </Table.Td>
                    <Table.Td>
                      {r.response ? (
                        <Badge
                          color={r.response === 'complete' ? 'teal' : 'yellow'}
                          variant="light"
                          size="sm"
                        >
                          {t(`distributions.responseStatuses.${r.response}`, { defaultValue: r.response })}
                        </Badge>
                      ) : (
                        <Text size="sm" c="dimmed">
                          —
                        </Text>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {list.data.items.length === 0 && <Text c="dimmed">{t('common.none')}</Text>}
          <Pager
            pageNumber={pages.pageNumber}
            nextCursor={list.data.nextCursor}
            onNext={pages.next}
            onPrevious={pages.previous}
          />
        </>
      )}
    </Stack>
  );
}
