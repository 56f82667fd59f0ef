import { Anchor, Badge, Button, Group, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import { useCan } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { DirectoryPicker, NoDirectory, useCurrentDirectory } from '../directory/current-directory.tsx';
import { formatDateTime, formatNumber } from '../i18n/index.ts';
import type { Segment } from './model.ts';

/** The current directory's segments with their member counts now. */
export function SegmentsPage() {
  const { t, i18n } = useTranslation();
  const { directories, current, pick } = useCurrentDirectory();
  const canWrite = useCan('data:write');
  const segments = useQuery({
    queryKey: ['segments', current?.id],
    queryFn: () => api.get<{ items: Segment[] }>(`/directories/${current!.id}/segments`),
    enabled: !!current,
  });

  if (directories.isError) return <ErrorState error={directories.error} />;
  if (current === undefined) return <Loading />;
  return (
    <Stack>
      <Group justify="space-between">
        <Stack gap={2}>
          <Title order={2}>{t('segments.title')}</Title>
          <Text size="sm" c="dimmed">
            {t('segments.intro')}
          </Text>
        </Stack>
        <Group>
          {current && canWrite && (
            <Button component={Link} to="/segments/new" data-testid="new-segment">
              {t('segments.new')}
            </Button>
          )}
          {current && <DirectoryPicker current={current} items={directories.data!.items} onPick={pick} />}
        </Group>
      </Group>
      {current === null ? (
        <NoDirectory onCreated={pick} />
      ) : segments.isPending ? (
        <Loading />
      ) : segments.isError ? (
        <ErrorState error={segments.error} onRetry={() => void segments.refetch()} />
      ) : segments.data.items.length === 0 ? (
        <Text c="dimmed">{t('segments.empty')}</Text>
      ) : (
        <Table striped highlightOnHover data-testid="segments-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('common.name')}</Table.Th>
              <Table.Th>{t('segments.entity')}</Table.Th>
              <Table.Th>{t('segments.members')}</Table.Th>
              <Table.Th>{t('segments.updated')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {segments.data.items.map((segment) => (
              <Table.Tr key={segment.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/segments/${segment.id}`}>
                    {segment.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>{t(`segments.entities.${segment.entity}`)}</Table.Td>
                <Table.Td>
                  {segment.count === null ? (
                    <Tooltip
                      label={segment.problems.map((p) => `${p.path}: ${p.message}`).join('\n')}
                      multiline
                    >
                      <Badge color="red" variant="light">
                        {t('segments.invalid')}
                      </Badge>
                    </Tooltip>
                  ) : (
                    <Anchor
                      component={Link}
                      to={`/segments/${segment.id}/members`}
                      data-testid="segment-count"
                    >
                      {formatNumber(segment.count, i18n.language)}
                    </Anchor>
                  )}
                </Table.Td>
                <Table.Td>
                  {formatDateTime(segment.updatedAt, i18n.language)} · {segment.updatedBy}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
