import {
  Anchor,
  Badge,
  Box,
  Button,
  Group,
  ScrollArea,
  Stack,
  Text,
  ThemeIcon,
  Timeline,
} from '@mantine/core';
import { IconBuilding, IconMessage } from '@tabler/icons-react';
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import type { Page, TreeNode } from '../api/types.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { formatDateTime } from '../i18n/index.ts';
import { daysSince, formatDate, relativeDays, score } from './format.ts';
import { NPS_CATEGORY_COLORS } from './parts.tsx';
import type { AccountResponse, Scope } from './types.ts';

const PAGE_SIZE = 10;

/**
 * The account's feedback, newest first: its completed responses across surveys (with those of its
 * child accounts when `scope` is "subtree"), each with its survey, contact, NPS and CSAT and the
 * free-text comments; older ones page in with "load more".
 */
export function FeedbackTimeline({
  accountId,
  scope,
  maxHeight,
}: {
  accountId: number;
  scope: Scope;
  /** Beyond it the timeline scrolls (back to the top when the scope changes). */
  maxHeight?: number;
}) {
  const { t, i18n } = useTranslation();
  const viewport = useRef<HTMLDivElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: back to the newest when the scope changes
  useEffect(() => {
    viewport.current?.scrollTo({ top: 0 });
  }, [scope]);
  const lang = i18n.language;
  const responses = useInfiniteQuery({
    queryKey: ['account-responses', accountId, scope],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api.get<Page<AccountResponse>>(`/accounts/${accountId}/responses`, {
        scope,
        limit: PAGE_SIZE,
        cursor: pageParam,
      }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
  // The names of the child accounts the answers come from (the responses carry their id).
  const names = useQuery({
    queryKey: ['account-names', accountId],
    queryFn: () => api.get<{ items: TreeNode[] }>(`/accounts/${accountId}/tree`, { depth: 10 }),
    enabled: scope === 'subtree',
    select: (data) => new Map(data.items.map((node) => [node.id, node.displayName])),
  });

  if (responses.isPending) return <Loading />;
  if (responses.isError)
    return <ErrorState error={responses.error} onRetry={() => void responses.refetch()} />;
  const items = responses.data.pages.flatMap((page) => page.items);
  if (items.length === 0)
    return (
      <Text size="sm" c="dimmed" data-testid="feedback-empty">
        {scope === 'subtree' ? t('health.feedback.noneSubtree') : t('health.noFeedback')}
      </Text>
    );

  return (
    <ScrollArea.Autosize mah={maxHeight} viewportRef={viewport} offsetScrollbars>
      <Stack gap="sm" style={{ opacity: responses.isPlaceholderData ? 0.6 : 1 }}>
        <Timeline bulletSize={28} lineWidth={2} data-testid="feedback-timeline">
          {items.map((r) => (
            <Timeline.Item
              key={r.id}
              data-testid="feedback-item"
              bullet={
                r.npsScore !== null ? (
                  <Badge
                    circle
                    size="lg"
                    variant="filled"
                    color={NPS_CATEGORY_COLORS[r.npsCategory ?? ''] ?? 'gray'}
                    data-testid="feedback-nps"
                  >
                    {r.npsScore}
                  </Badge>
                ) : (
                  <ThemeIcon size={28} radius="xl" variant="light" color="gray">
                    <IconMessage size={16} />
                  </ThemeIcon>
                )
              }
              title={
                <Group gap={6} justify="space-between" wrap="nowrap" align="baseline">
                  <Anchor
                    component={Link}
                    to={`/surveys/${r.surveyId}/results`}
                    size="sm"
                    fw={600}
                    lineClamp={1}
                    data-testid="feedback-survey"
                  >
                    {r.survey}
                  </Anchor>
                  <Text
                    size="xs"
                    c="dimmed"
                    title={formatDateTime(r.completedAt, lang)}
                    style={{ flexShrink: 0 }}
                  >
                    {formatDate(r.completedAt, lang)}
                  </Text>
                </Group>
              }
            >
              <Stack gap={4}>
                <Group gap={6} wrap="wrap">
                  {r.contactId !== null ? (
                    <Anchor component={Link} to={`/directory/contacts/${r.contactId}`} size="sm">
                      {r.contactName ?? `#${r.contactId}`}
                    </Anchor>
                  ) : (
                    <Text size="sm" c="dimmed">
                      {t('health.feedback.anonymous')}
                    </Text>
                  )}
                  {r.accountId !== accountId && (
                    <Group gap={2} wrap="nowrap" data-testid="feedback-account">
                      <IconBuilding size={12} color="var(--mantine-color-dimmed)" />
                      <Anchor component={Link} to={`/accounts/${r.accountId}`} size="xs">
                        {names.data?.get(r.accountId) ?? t('health.feedback.childAccount')}
                      </Anchor>
                    </Group>
                  )}
                  {r.channel !== 'web' && (
                    <Badge size="xs" variant="default">
                      {t(`health.feedback.channels.${r.channel}`, { defaultValue: r.channel })}
                    </Badge>
                  )}
                </Group>
                <Text size="xs" c="dimmed" data-testid="feedback-scores">
                  {[
                    r.npsScore !== null &&
                      t('health.feedback.nps', {
                        score: r.npsScore,
                        category: t(`health.npsCategories.${r.npsCategory}`, {
                          defaultValue: r.npsCategory ?? '',
                        }),
                      }),
                    r.csatScore !== null && t('health.feedback.csat', { score: score(r.csatScore, lang) }),
                    relativeDays(-(daysSince(r.completedAt) ?? 0), lang),
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </Text>
                {r.comments.map((c) => (
                  <Box
                    key={c.question}
                    pl="xs"
                    style={{ borderLeft: '3px solid var(--mantine-color-default-border)' }}
                    data-testid="feedback-comment"
                  >
                    <Text size="xs" c="dimmed">
                      {c.question}
                    </Text>
                    <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                      “{c.text}”
                    </Text>
                  </Box>
                ))}
              </Stack>
            </Timeline.Item>
          ))}
        </Timeline>
        {responses.hasNextPage && (
          <Button
            variant="light"
            size="xs"
            onClick={() => void responses.fetchNextPage()}
            loading={responses.isFetchingNextPage}
            data-testid="feedback-more"
          >
            {t('health.feedback.loadMore')}
          </Button>
        )}
      </Stack>
    </ScrollArea.Autosize>
  );
}
