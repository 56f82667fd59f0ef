import { Anchor, Badge, Breadcrumbs, Group, Stack, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../api/client.ts';
import { Pager } from '../common/Pager.tsx';
import { ErrorState, Loading } from '../common/states.tsx';
import { useCursorPages } from '../common/use-cursor-pages.ts';
import { formatNumber } from '../i18n/index.ts';
import type { Entity, Member, Segment } from './model.ts';
import { MembersTable } from './SegmentEditorPage.tsx';

/** A segment's members now, page by page (keyset cursors: page 10,000 costs what page 1 costs). */
export function SegmentMembersPage() {
  const { t, i18n } = useTranslation();
  const { id } = useParams();
  const pages = useCursorPages(String(id));
  const segment = useQuery({
    queryKey: ['segment', id],
    queryFn: () => api.get<Segment>(`/segments/${id}`),
  });
  const members = useQuery({
    queryKey: ['segment-members', id, pages.cursor],
    queryFn: () =>
      api.get<{ entity: Entity; items: Member[]; nextCursor: string | null }>(`/segments/${id}/members`, {
        limit: 50,
        cursor: pages.cursor,
      }),
    placeholderData: keepPreviousData,
  });
  if (segment.isError) return <ErrorState error={segment.error} />;
  if (!segment.data) return <Loading />;
  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/segments">
          {t('segments.title')}
        </Anchor>
        <Anchor component={Link} to={`/segments/${segment.data.id}`}>
          {segment.data.name}
        </Anchor>
        <Text>{t('segments.members')}</Text>
      </Breadcrumbs>
      <Group gap="sm">
        <Title order={3}>{segment.data.name}</Title>
        {segment.data.count !== null && (
          <Badge variant="light" size="lg">
            {t('segments.count', {
              count: segment.data.count,
              formatted: formatNumber(segment.data.count, i18n.language),
            })}
          </Badge>
        )}
      </Group>
      {members.isError ? (
        <ErrorState error={members.error} onRetry={() => void members.refetch()} />
      ) : !members.data ? (
        <Loading />
      ) : members.data.items.length === 0 ? (
        <Text c="dimmed">{t('segments.noMembers')}</Text>
      ) : (
        <>
          <MembersTable entity={members.data.entity} members={members.data.items} />
          <Pager
            pageNumber={pages.pageNumber}
            nextCursor={members.data.nextCursor}
            onNext={pages.next}
            onPrevious={pages.previous}
          />
        </>
      )}
    </Stack>
  );
}
