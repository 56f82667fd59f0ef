import {
  ActionIcon,
  Anchor,
  Button,
  Group,
  Menu,
  Progress,
  Stack,
  Table,
  Text,
  Tooltip,
} from '@mantine/core';
import {
  IconDots,
  IconEdit,
  IconPlayerPause,
  IconPlayerPlay,
  IconSend,
  IconTrash,
} from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import type { Page } from '../api/types.ts';
import { useCan } from '../auth/session.ts';
import { Pager } from '../common/Pager.tsx';
import { ErrorState, Loading } from '../common/states.tsx';
import { useCursorPages } from '../common/use-cursor-pages.ts';
import { formatNumber } from '../i18n/index.ts';
import { DeleteModal, SendTestModal, useDistributionActions } from './actions.tsx';
import { useDistributionsContext } from './DistributionsLayout.tsx';
import { ChannelBadge, KindLabel, StatusBadge, useSurveys, WhenText } from './parts.tsx';
import { type Distribution, type DistributionDetail, isMoving } from './types.ts';

const PAGE_SIZE = 25;

/** The seed's two tabs: scheduled (drafts and scheduled, editable) and sent (started). */
export function DistributionsListPage({ tab }: { tab: 'scheduled' | 'sent' }) {
  const { t } = useTranslation();
  const { directory } = useDistributionsContext();
  const canWrite = useCan('data:write');
  const pages = useCursorPages(`${directory.id}-${tab}`);
  const [deleting, setDeleting] = useState<Distribution | null>(null);
  const [testing, setTesting] = useState<Distribution | null>(null);
  const { setPaused } = useDistributionActions();
  const surveys = useSurveys(directory.id);
  const list = useQuery({
    queryKey: ['distributions', directory.id, tab, pages.cursor],
    queryFn: () =>
      api.get<Page<Distribution>>(`/directories/${directory.id}/distributions`, {
        tab,
        limit: PAGE_SIZE,
        cursor: pages.cursor,
      }),
    placeholderData: keepPreviousData,
    // Sending ones move on their own: follow them while the tab is open.
    refetchInterval: (q) => (q.state.data?.items.some(isMoving) ? 3000 : false),
  });
  const surveyName = (id: number) => surveys.data?.items.find((s) => s.id === id)?.name ?? `#${id}`;

  if (list.isPending) return <Loading />;
  if (list.isError) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  const items = list.data.items;
  return (
    <Stack>
      {items.length === 0 ? (
        <Text c="dimmed" py="md" data-testid="distributions-empty">
          {tab === 'scheduled' ? t('distributions.emptyScheduled') : t('distributions.emptySent')}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={900}>
          <Table
            striped
            highlightOnHover
            data-testid={`distributions-${tab}`}
            opacity={list.isPlaceholderData ? 0.6 : 1}
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('common.name')}</Table.Th>
                <Table.Th>{t('distributions.survey')}</Table.Th>
                <Table.Th>{t('distributions.channel')}</Table.Th>
                <Table.Th>{t('distributions.kind')}</Table.Th>
                <Table.Th>
                  {tab === 'scheduled' ? t('distributions.scheduledFor') : t('distributions.sentAt')}
                </Table.Th>
                <Table.Th>{t('common.status')}</Table.Th>
                {tab === 'sent' && <Table.Th>{t('distributions.progress')}</Table.Th>}
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((d) => (
                <Table.Tr key={d.id} data-testid={`distribution-row-${d.id}`}>
                  <Table.Td>
                    <Anchor component={Link} to={`/distributions/${d.id}`} fw={500}>
                      {d.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{surveyName(d.surveyId)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <ChannelBadge channel={d.channel} />
                  </Table.Td>
                  <Table.Td>
                    <KindLabel kind={d.kind} />
                  </Table.Td>
                  <Table.Td>
                    <WhenText distribution={d} />
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={d.status} />
                  </Table.Td>
                  {tab === 'sent' && (
                    <Table.Td miw={180}>
                      <SentProgress distribution={d} />
                    </Table.Td>
                  )}
                  <Table.Td>
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        component={Link}
                        to={`/distributions/${d.id}`}
                        data-testid="show-more"
                      >
                        {t('distributions.showMore')}
                      </Button>
                      {canWrite && (
                        <Menu position="bottom-end" withinPortal>
                          <Menu.Target>
                            <ActionIcon
                              variant="subtle"
                              color="gray"
                              aria-label={t('common.actions')}
                              data-testid="row-actions"
                            >
                              <IconDots size={16} />
                            </ActionIcon>
                          </Menu.Target>
                          <Menu.Dropdown>
                            {['draft', 'scheduled'].includes(d.status) && (
                              <>
                                <Menu.Item
                                  leftSection={<IconEdit size={14} />}
                                  component={Link}
                                  to={`/distributions/${d.id}/edit`}
                                >
                                  {t('distributions.edit')}
                                </Menu.Item>
                                <Menu.Item leftSection={<IconSend size={14} />} onClick={() => setTesting(d)}>
                                  {t('distributions.sendTest')}
                                </Menu.Item>
                                <Menu.Item
                                  color="red"
                                  leftSection={<IconTrash size={14} />}
                                  onClick={() => setDeleting(d)}
                                >
                                  {t('common.delete')}
                                </Menu.Item>
                              </>
                            )}
                            {d.status === 'sending' && (
                              <Menu.Item
                                leftSection={<IconPlayerPause size={14} />}
                                onClick={() => setPaused.mutate({ id: d.id, paused: true })}
                              >
                                {t('distributions.pause')}
                              </Menu.Item>
                            )}
                            {d.status === 'paused' && (
                              <Menu.Item
                                leftSection={<IconPlayerPlay size={14} />}
                                onClick={() => setPaused.mutate({ id: d.id, paused: false })}
                              >
                                {t('distributions.resume')}
                              </Menu.Item>
                            )}
                            {!['draft', 'scheduled', 'sending', 'paused'].includes(d.status) && (
                              <Menu.Item leftSection={<IconSend size={14} />} onClick={() => setTesting(d)}>
                                {t('distributions.sendTest')}
                              </Menu.Item>
                            )}
                          </Menu.Dropdown>
                        </Menu>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Pager
        pageNumber={pages.pageNumber}
        nextCursor={list.data.nextCursor}
        onNext={pages.next}
        onPrevious={pages.previous}
      />
      <DeleteModal distribution={deleting} onClose={() => setDeleting(null)} />
      <SendTestModal distribution={testing} onClose={() => setTesting(null)} />
    </Stack>
  );
}

/**
 * # in list of # selected, and completed responses. The list does not carry statistics, so each
 * row reads its distribution (the same cache as the detail page).
 */
function SentProgress({ distribution: d }: { distribution: Distribution }) {
  const { t, i18n } = useTranslation();
  const detail = useQuery({
    queryKey: ['distribution', d.id],
    queryFn: () => api.get<DistributionDetail>(`/distributions/${d.id}`),
    refetchInterval: isMoving(d) ? 3000 : false,
  });
  const s = detail.data?.stats;
  if (!s)
    return (
      <Text size="xs" c="dimmed">
        …
      </Text>
    );
  const n = (v: number) => formatNumber(v, i18n.language);
  return (
    <Tooltip
      label={t('distributions.progressHint', {
        inList: n(s.inList),
        selected: n(s.selected),
        completed: n(s.completed),
      })}
    >
      <Stack gap={2} data-testid="sent-progress">
        <Progress.Root size="md">
          <Progress.Section value={s.selected ? (s.completed / s.selected) * 100 : 0} color="teal" />
          <Progress.Section
            value={s.selected ? ((s.inList - s.completed) / s.selected) * 100 : 0}
            color="indigo.3"
          />
        </Progress.Root>
        <Text size="xs" c="dimmed">
          {t('distributions.progressShort', {
            inList: n(s.inList),
            selected: n(s.selected),
            completed: n(s.completed),
          })}
        </Text>
      </Stack>
    </Tooltip>
  );
}
