import {
  Alert,
  Anchor,
  Drawer,
  Group,
  SegmentedControl,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import type { Page } from '../api/types.ts';
import { Pager } from '../common/Pager.tsx';
import { ErrorState, Loading } from '../common/states.tsx';
import { useCursorPages } from '../common/use-cursor-pages.ts';
import { formatDateTime } from '../i18n/index.ts';
import { MessageFrame, PlainText } from './PreviewPanel.tsx';
import { ChannelBadge } from './parts.tsx';
import type { OutboxMessage } from './types.ts';

/**
 * The database outbox (the default provider while email and SMS are not set up): every message
 * sent, readable here. Filters and the open message live in the URL.
 */
export function OutboxPage() {
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const channel = params.get('channel');
  const to = params.get('to') ?? '';
  const distributionId = params.get('distributionId');
  const openId = params.get('message');
  const [debouncedTo] = useDebouncedValue(to.trim(), 300);
  const filters = { channel, to: debouncedTo, distributionId };
  const pages = useCursorPages(JSON.stringify(filters));
  const list = useQuery({
    queryKey: ['outbox', filters, pages.cursor],
    queryFn: () => api.get<Page<OutboxMessage>>('/outbox', { ...filters, limit: 50, cursor: pages.cursor }),
    placeholderData: keepPreviousData,
    refetchInterval: 5000,
  });
  const set = (key: string, value: string | null) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: key !== 'message' },
    );
  const open = list.data?.items.find((m) => String(m.id) === openId) ?? null;

  return (
    <Stack>
      <Text size="sm" c="dimmed">
        {t('distributions.outboxHint')}
      </Text>
      <Group align="flex-end">
        <SegmentedControl
          value={channel ?? 'all'}
          onChange={(v) => set('channel', v === 'all' ? null : v)}
          data={[
            { value: 'all', label: t('distributions.allChannels') },
            { value: 'email', label: t('distributions.channels.email') },
            { value: 'sms', label: t('distributions.channels.sms') },
          ]}
          data-testid="outbox-channel"
        />
        <TextInput
          w={300}
          leftSection={<IconSearch size={16} />}
          placeholder={t('distributions.outboxTo')}
          aria-label={t('distributions.outboxTo')}
          value={to}
          onChange={(e) => set('to', e.currentTarget.value)}
        />
        {distributionId && (
          <Text size="sm">
            {t('distributions.outboxOf')}{' '}
            <Anchor component={Link} to={`/distributions/${distributionId}`}>
              #{distributionId}
            </Anchor>{' '}
            <Anchor size="sm" c="dimmed" onClick={() => set('distributionId', null)}>
              ({t('distributions.clear')})
            </Anchor>
          </Text>
        )}
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
            data-testid="outbox-table"
            opacity={list.isPlaceholderData ? 0.6 : 1}
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={170}>{t('distributions.date')}</Table.Th>
                <Table.Th w={90}>{t('distributions.channel')}</Table.Th>
                <Table.Th>{t('distributions.to')}</Table.Th>
                <Table.Th>{t('distributions.subjectOrText')}</Table.Th>
                <Table.Th w={120}>{t('distributions.distribution')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((m) => (
                <Table.Tr
                  key={m.id}
                  style={{ cursor: 'pointer' }}
                  onClick={() => set('message', String(m.id))}
                  data-testid={`outbox-row-${m.id}`}
                >
                  <Table.Td>
                    <Text size="sm">{formatDateTime(m.createdAt, i18n.language)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <ChannelBadge channel={m.channel} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{m.toAddress}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" lineClamp={1}>
                      {m.subject ?? m.text}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {m.distributionId ? (
                      <Anchor
                        component={Link}
                        to={`/distributions/${m.distributionId}`}
                        size="sm"
                        onClick={(e) => e.stopPropagation()}
                      >
                        #{m.distributionId}
                      </Anchor>
                    ) : (
                      <Text size="xs" c="dimmed">
                        {m.idempotencyKey.startsWith('rapport-test-') ? t('distributions.test') : '—'}
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {list.data.items.length === 0 && <Text c="dimmed">{t('distributions.outboxEmpty')}</Text>}
          <Pager
            pageNumber={pages.pageNumber}
            nextCursor={list.data.nextCursor}
            onNext={pages.next}
            onPrevious={pages.previous}
          />
        </>
      )}
      <Drawer
        opened={!!openId}
        onClose={() => set('message', null)}
        position="right"
        size="xl"
        title={open?.subject ?? t('distributions.message')}
      >
        {open ? (
          <OutboxMessageView message={open} />
        ) : list.isPending ? (
          <Loading />
        ) : (
          <Text c="dimmed">{t('distributions.messageNotOnPage')}</Text>
        )}
      </Drawer>
    </Stack>
  );
}

function OutboxMessageView({ message: m }: { message: OutboxMessage }) {
  const { t, i18n } = useTranslation();
  const headers = Object.entries(m.headers);
  return (
    <Stack data-testid="outbox-message">
      <Table variant="vertical" withRowBorders={false} layout="fixed">
        <Table.Tbody>
          <Table.Tr>
            <Table.Th w={120}>{t('distributions.from')}</Table.Th>
            <Table.Td>{m.fromAddress ?? '—'}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>{t('distributions.to')}</Table.Th>
            <Table.Td data-testid="outbox-message-to">{m.toAddress}</Table.Td>
          </Table.Tr>
          {m.subject && (
            <Table.Tr>
              <Table.Th>{t('distributions.subject')}</Table.Th>
              <Table.Td>{m.subject}</Table.Td>
            </Table.Tr>
          )}
          <Table.Tr>
            <Table.Th>{t('distributions.date')}</Table.Th>
            <Table.Td>{formatDateTime(m.createdAt, i18n.language)}</Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
      <Tabs defaultValue={m.html ? 'html' : 'text'} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="html" disabled={!m.html}>
            {t('distributions.htmlVersion')}
          </Tabs.Tab>
          <Tabs.Tab value="text">{t('distributions.textVersion')}</Tabs.Tab>
          <Tabs.Tab value="headers">{t('distributions.headers')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="html" pt="sm">
          <MessageFrame html={m.html ?? ''} title={m.subject ?? ''} height={480} />
        </Tabs.Panel>
        <Tabs.Panel value="text" pt="sm">
          <PlainText text={m.text} testId="outbox-message-text" />
        </Tabs.Panel>
        <Tabs.Panel value="headers" pt="sm">
          {headers.length === 0 ? (
            <Text c="dimmed">{t('common.none')}</Text>
          ) : (
            <Table>
              <Table.Tbody>
                {headers.map(([name, value]) => (
                  <Table.Tr key={name}>
                    <Table.Td ff="monospace" fz="xs" w={200}>
                      {name}
                    </Table.Td>
                    <Table.Td ff="monospace" fz="xs" style={{ wordBreak: 'break-all' }}>
                      {value}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Tabs.Panel>
      </Tabs>
      <Title order={6} c="dimmed">
        {m.idempotencyKey}
      </Title>
      {m.channel === 'sms' && (
        <Alert variant="light">
          <Anchor component={Link} to={`/distributions/phone?phone=${encodeURIComponent(m.toAddress)}`}>
            {t('distributions.openInSimulator')}
          </Anchor>
        </Alert>
      )}
    </Stack>
  );
}
