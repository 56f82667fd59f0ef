import { Anchor, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import type { Page } from '../api/types.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { DueDate, OwnerText, PriorityBadge, TICKETS_KEY, TicketStatusBadge } from './parts.tsx';
import { OpenTicketButton } from './TicketFormModal.tsx';
import type { Ticket, TicketPrefill } from './types.ts';

/**
 * The open tickets of an account (with its sub-accounts) or of a contact, with "Open a ticket"
 * pre-filled with that record.
 */
export function TicketsCard({ prefill, scope }: { prefill: TicketPrefill; scope: 'account' | 'contact' }) {
  const { t } = useTranslation();
  const filter =
    scope === 'account'
      ? { accountId: prefill.accountId ?? undefined, subtree: 'true' }
      : { contactId: prefill.contactId ?? undefined };
  const tickets = useQuery({
    queryKey: [TICKETS_KEY, 'card', prefill.directoryId, filter],
    queryFn: () =>
      api.get<Page<Ticket>>(`/directories/${prefill.directoryId}/tickets`, {
        ...filter,
        status: 'active',
        sort: 'due',
        limit: 10,
      }),
  });
  const allLink = `/tickets?tab=all&${new URLSearchParams(
    Object.entries({ ...filter, status: 'active' }).flatMap(([k, v]) =>
      v === undefined ? [] : [[k, String(v)]],
    ),
  ).toString()}`;
  return (
    <Card withBorder data-testid="tickets-card">
      <Group justify="space-between" mb="xs">
        <Title order={5}>{t('tickets.card')}</Title>
        <OpenTicketButton prefill={prefill} />
      </Group>
      {tickets.isPending ? (
        <Loading />
      ) : tickets.isError ? (
        <ErrorState error={tickets.error} />
      ) : tickets.data.items.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t('tickets.cardEmpty')}
        </Text>
      ) : (
        <Stack gap="xs">
          <Table>
            <Table.Tbody>
              {tickets.data.items.map((ticket) => (
                <Table.Tr key={ticket.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/tickets/${ticket.id}`} size="sm">
                      {ticket.key} · {ticket.title}
                    </Anchor>
                    {scope === 'account' && ticket.accountId !== prefill.accountId && ticket.account && (
                      <Text size="xs" c="dimmed">
                        {ticket.account.name}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <TicketStatusBadge status={ticket.status} />
                  </Table.Td>
                  <Table.Td>
                    <PriorityBadge priority={ticket.priority} />
                  </Table.Td>
                  <Table.Td>
                    <OwnerText ticket={ticket} />
                  </Table.Td>
                  <Table.Td>
                    <DueDate ticket={ticket} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {tickets.data.nextCursor && (
            <Anchor component={Link} to={allLink} size="sm">
              {t('tickets.seeAll')}
            </Anchor>
          )}
        </Stack>
      )}
    </Card>
  );
}
