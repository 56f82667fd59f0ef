import {
  Anchor,
  Badge,
  Card,
  Group,
  MultiSelect,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import type { Account, Page } from '../api/types.ts';
import { Pager } from '../common/Pager.tsx';
import { ErrorState, Loading } from '../common/states.tsx';
import { useCursorPages } from '../common/use-cursor-pages.ts';
import { DirectoryPicker, NoDirectory, useCurrentDirectory } from '../directory/current-directory.tsx';
import { formatDateTime } from '../i18n/index.ts';
import { DueDate, OwnerText, PriorityBadge, TICKETS_KEY, TicketStatusBadge } from './parts.tsx';
import { SlaSettingsButton } from './SlaSettings.tsx';
import { OpenTicketButton, RecordPicker } from './TicketFormModal.tsx';
import { TICKET_PRIORITIES, TICKET_STATUSES, type Ticket, type TicketSummary } from './types.ts';

const TABS = ['mine', 'all', 'overdue'] as const;
type Tab = (typeof TABS)[number];
const PAGE_SIZE = 25;

/** The tickets of the current directory: mine, all or overdue, filtered and sorted, filters in the URL. */
export function TicketsPage() {
  const { t } = useTranslation();
  const { directories, current, pick } = useCurrentDirectory();
  if (directories.isError)
    return <ErrorState error={directories.error} onRetry={() => void directories.refetch()} />;
  if (current === undefined) return <Loading />;
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={2}>{t('tickets.title')}</Title>
        {current && (
          <Group>
            <SlaSettingsButton directoryId={current.id} />
            <OpenTicketButton prefill={{ directoryId: current.id }} size="sm" variant="filled" />
            <DirectoryPicker current={current} items={directories.data!.items} onPick={pick} />
          </Group>
        )}
      </Group>
      {current === null ? <NoDirectory onCreated={pick} /> : <TicketsList directoryId={current.id} />}
    </Stack>
  );
}

function TicketsList({ directoryId }: { directoryId: number }) {
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab: Tab = (TABS as readonly string[]).includes(params.get('tab') ?? '')
    ? (params.get('tab') as Tab)
    : 'mine';
  const status = params.get('status') ?? 'active';
  const [search, setSearch] = useState(params.get('q') ?? '');
  const [q] = useDebouncedValue(search.trim(), 300);
  const set = (changes: Record<string, string | null>) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [key, value] of Object.entries(changes)) {
          if (value) next.set(key, value);
          else next.delete(key);
        }
        return next;
      },
      { replace: true },
    );
  // biome-ignore lint/correctness/useExhaustiveDependencies: only the debounced text goes to the URL
  useEffect(() => {
    if ((params.get('q') ?? '') !== q) set({ q: q || null });
  }, [q]);

  const filters = {
    mine: tab === 'mine' ? 'true' : undefined,
    overdue: tab === 'overdue' ? 'true' : undefined,
    status: tab === 'overdue' || status === 'all' ? undefined : status,
    priority: params.get('priority') ?? undefined,
    owner: params.get('owner') ?? undefined,
    accountId: params.get('accountId') ?? undefined,
    subtree: params.get('accountId') && params.get('subtree') === 'true' ? 'true' : undefined,
    contactId: params.get('contactId') ?? undefined,
    q: params.get('q') ?? undefined,
    sort: params.get('sort') ?? 'due',
  };
  const pages = useCursorPages(JSON.stringify([directoryId, filters]));
  const list = useQuery({
    queryKey: [TICKETS_KEY, 'list', directoryId, filters, pages.cursor],
    queryFn: () =>
      api.get<Page<Ticket>>(`/directories/${directoryId}/tickets`, {
        ...filters,
        limit: PAGE_SIZE,
        cursor: pages.cursor,
      }),
    placeholderData: keepPreviousData,
  });
  const { sort: _sort, status: _status, overdue: _overdue, ...summaryFilters } = filters;
  const summary = useQuery({
    queryKey: [TICKETS_KEY, 'summary', directoryId, summaryFilters],
    queryFn: () => api.get<TicketSummary>(`/directories/${directoryId}/tickets/summary`, summaryFilters),
    placeholderData: keepPreviousData,
  });
  const accountId = params.get('accountId');
  const account = useQuery({
    queryKey: ['account', accountId],
    queryFn: () => api.get<Account>(`/accounts/${accountId}`),
    enabled: !!accountId,
  });

  return (
    <Stack>
      {summary.data && <SummaryStrip summary={summary.data} />}
      <Tabs value={tab} onChange={(value) => set({ tab: value })}>
        <Tabs.List>
          {TABS.map((name) => (
            <Tabs.Tab key={name} value={name} data-testid={`tickets-tab-${name}`}>
              {t(`tickets.tabs.${name}`)}
              {name === 'overdue' && summary.data && summary.data.overdue > 0 && (
                <Badge size="xs" color="red" ml={6} variant="filled">
                  {summary.data.overdue}
                </Badge>
              )}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <Group align="flex-end" wrap="wrap">
        <TextInput
          label={t('common.search')}
          placeholder={t('tickets.filters.search')}
          leftSection={<IconSearch size={14} />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={240}
          data-testid="tickets-search"
        />
        {tab !== 'overdue' && (
          <Select
            label={t('tickets.fields.status')}
            w={170}
            allowDeselect={false}
            value={status}
            onChange={(value) => set({ status: value === 'active' ? null : value })}
            data={[
              { value: 'active', label: t('tickets.filters.active') },
              ...TICKET_STATUSES.map((s) => ({ value: s, label: t(`tickets.statuses.${s}`) })),
              { value: 'all', label: t('tickets.filters.allStatuses') },
            ]}
            data-testid="tickets-status-filter"
          />
        )}
        <MultiSelect
          label={t('tickets.fields.priority')}
          w={220}
          clearable
          value={filters.priority ? filters.priority.split(',') : []}
          onChange={(values) => set({ priority: values.join(',') || null })}
          data={[...TICKET_PRIORITIES]
            .reverse()
            .map((p) => ({ value: p, label: t(`tickets.priorities.${p}`) }))}
        />
        {tab !== 'mine' && (
          <TextInput
            label={t('tickets.fields.owner')}
            placeholder={t('tickets.filters.ownerPlaceholder')}
            w={220}
            defaultValue={filters.owner ?? ''}
            onBlur={(e) => set({ owner: e.currentTarget.value.trim() || null })}
            onKeyDown={(e) => {
              if (e.key === 'Enter') set({ owner: e.currentTarget.value.trim() || null });
            }}
          />
        )}
        <div style={{ width: 240 }}>
          <RecordPicker
            kind="accounts"
            directoryId={directoryId}
            label={t('tickets.fields.account')}
            value={accountId}
            initialLabel={account.data?.displayName}
            onChange={(value) => set({ accountId: value })}
            testId="tickets-account-filter"
          />
        </div>
        {accountId && (
          <Switch
            label={t('tickets.filters.subtree')}
            checked={filters.subtree === 'true'}
            onChange={(e) => set({ subtree: e.currentTarget.checked ? 'true' : null })}
            mb={8}
          />
        )}
        <Select
          label={t('tickets.filters.sort')}
          w={170}
          allowDeselect={false}
          value={filters.sort}
          onChange={(value) => set({ sort: value === 'due' ? null : value })}
          data={(['due', 'priority', 'updated'] as const).map((s) => ({
            value: s,
            label: t(`tickets.sorts.${s}`),
          }))}
          data-testid="tickets-sort"
        />
      </Group>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <>
          <Table
            striped
            highlightOnHover
            data-testid="tickets-table"
            opacity={list.isPlaceholderData ? 0.6 : 1}
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('tickets.fields.key')}</Table.Th>
                <Table.Th>{t('tickets.fields.title')}</Table.Th>
                <Table.Th>{t('tickets.fields.status')}</Table.Th>
                <Table.Th>{t('tickets.fields.priority')}</Table.Th>
                <Table.Th>{t('tickets.fields.owner')}</Table.Th>
                <Table.Th>{t('tickets.fields.dueAt')}</Table.Th>
                <Table.Th>{t('common.updated')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((ticket) => (
                <Table.Tr key={ticket.id} data-testid="ticket-row">
                  <Table.Td>
                    <Anchor component={Link} to={`/tickets/${ticket.id}`} ff="monospace" size="sm">
                      {ticket.key}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Anchor component={Link} to={`/tickets/${ticket.id}`} size="sm" c="inherit">
                      {ticket.title}
                    </Anchor>
                    {(ticket.account || ticket.contact) && (
                      <Text size="xs" c="dimmed">
                        {[ticket.account?.name, ticket.contact?.name ?? ticket.contact?.email]
                          .filter(Boolean)
                          .join(' · ')}
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
                  <Table.Td>
                    <Text size="sm" c="dimmed">
                      {formatDateTime(ticket.updatedAt, i18n.language)}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {list.data.items.length === 0 && (
            <Text c="dimmed" ta="center" data-testid="tickets-empty">
              {t(tab === 'mine' ? 'tickets.noneMine' : 'tickets.none')}
            </Text>
          )}
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

/** Active and overdue tickets, by priority and by owner (the SLA view's summary). */
function SummaryStrip({ summary }: { summary: TicketSummary }) {
  const { t } = useTranslation();
  const owners = summary.byOwner.slice(0, 5);
  return (
    <SimpleGrid cols={{ base: 1, sm: 3 }} data-testid="tickets-summary">
      <Card withBorder padding="sm">
        <Group gap="xl">
          <Stack gap={0}>
            <Text size="xs" c="dimmed">
              {t('tickets.filters.active')}
            </Text>
            <Text fw={700} size="xl">
              {summary.active}
            </Text>
          </Stack>
          <Stack gap={0}>
            <Text size="xs" c="dimmed">
              {t('tickets.overdue')}
            </Text>
            <Text
              fw={700}
              size="xl"
              c={summary.overdue ? 'red' : undefined}
              data-testid="tickets-overdue-count"
            >
              {summary.overdue}
            </Text>
          </Stack>
        </Group>
      </Card>
      <Card withBorder padding="sm">
        <Text size="xs" c="dimmed" mb={4}>
          {t('tickets.summary.byPriority')}
        </Text>
        <Group gap="xs">
          {[...TICKET_PRIORITIES].reverse().map((p) => (
            <Group gap={4} key={p}>
              <PriorityBadge priority={p} />
              <Text size="sm">
                {summary.byPriority[p].active}
                {summary.byPriority[p].overdue > 0 && (
                  <Text span c="red" size="sm">
                    {' '}
                    ({summary.byPriority[p].overdue})
                  </Text>
                )}
              </Text>
            </Group>
          ))}
        </Group>
      </Card>
      <Card withBorder padding="sm">
        <Text size="xs" c="dimmed" mb={4}>
          {t('tickets.summary.byOwner')}
        </Text>
        {owners.length === 0 && (
          <Text size="sm" c="dimmed">
            {t('common.none')}
          </Text>
        )}
        {owners.map((o) => (
          <Group key={o.ownerEmail ?? '-'} justify="space-between" gap="xs">
            <Text size="sm" truncate maw={200}>
              {o.ownerEmail ? (o.ownerName ?? o.ownerEmail) : t('tickets.unassigned')}
            </Text>
            <Text size="sm">
              {o.active}
              {o.overdue > 0 && (
                <Text span c="red" size="sm">
                  {' '}
                  · {t('tickets.summary.overdueCount', { count: o.overdue })}
                </Text>
              )}
            </Text>
          </Group>
        ))}
      </Card>
    </SimpleGrid>
  );
}
