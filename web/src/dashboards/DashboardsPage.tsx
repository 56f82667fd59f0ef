import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api, errorMessage } from '../api/client.ts';
import { useCan } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { DirectoryPicker, NoDirectory, useCurrentDirectory } from '../directory/current-directory.tsx';
import { formatDateTime } from '../i18n/index.ts';
import { newId } from './grid.ts';
import type { Dashboard, DashboardSummary } from './types.ts';

/** The current directory's dashboards (shared, and mine), the default one on demand, a new blank one. */
export function DashboardsPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const { directories, current, pick } = useCurrentDirectory();
  const canWrite = useCan('data:write');
  const [creating, setCreating] = useState(false);
  const list = useQuery({
    queryKey: ['dashboards', current?.id],
    queryFn: () => api.get<{ items: DashboardSummary[] }>(`/directories/${current!.id}/dashboards`),
    enabled: !!current,
  });
  const fromTemplate = useMutation({
    mutationFn: () =>
      api.post<Dashboard>(`/directories/${current!.id}/dashboards/from-template`, {
        template: 'overview',
        name: t('dashboards.defaultName'),
      }),
    onSuccess: async (made) => {
      await client.invalidateQueries({ queryKey: ['dashboards', current?.id] });
      void navigate(`/dashboards/${made.id}`);
    },
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });

  if (directories.isError) return <ErrorState error={directories.error} />;
  if (current === undefined) return <Loading />;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('nav.dashboards')}</Title>
        <Group>
          {current && canWrite && (
            <>
              <Button
                variant="light"
                onClick={() => fromTemplate.mutate()}
                loading={fromTemplate.isPending}
                data-testid="dashboard-default"
              >
                {t('dashboards.createDefault')}
              </Button>
              <Button onClick={() => setCreating(true)} data-testid="dashboard-new">
                {t('dashboards.new')}
              </Button>
            </>
          )}
          {current && <DirectoryPicker current={current} items={directories.data!.items} onPick={pick} />}
        </Group>
      </Group>
      {current === null ? (
        <NoDirectory onCreated={pick} />
      ) : list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <Card withBorder maw={640}>
          <Stack gap="xs">
            <Text fw={600}>{t('dashboards.emptyTitle')}</Text>
            <Text c="dimmed" size="sm">
              {canWrite ? t('dashboards.emptyWriter') : t('dashboards.emptyReader')}
            </Text>
          </Stack>
        </Card>
      ) : (
        <Table striped highlightOnHover data-testid="dashboards-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('common.name')}</Table.Th>
              <Table.Th>{t('dashboards.visibility')}</Table.Th>
              <Table.Th>{t('dashboards.content')}</Table.Th>
              <Table.Th>{t('dashboards.updated')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.items.map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/dashboards/${d.id}`}>
                    {d.name}
                  </Anchor>
                  {d.description && (
                    <Text size="xs" c="dimmed" lineClamp={1}>
                      {d.description}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={d.visibility === 'shared' ? 'indigo' : 'gray'}>
                    {t(`dashboards.visibilities.${d.visibility}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {t('dashboards.pagesCount', { count: d.pages })} ·{' '}
                  {t('dashboards.widgetsCount', { count: d.widgets })}
                </Table.Td>
                <Table.Td>
                  {formatDateTime(d.updatedAt, i18n.language)}{' '}
                  <Text span size="xs" c="dimmed">
                    {d.updatedBy}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {current && (
        <NewDashboardModal opened={creating} directoryId={current.id} onClose={() => setCreating(false)} />
      )}
    </Stack>
  );
}

function NewDashboardModal({
  opened,
  directoryId,
  onClose,
}: {
  opened: boolean;
  directoryId: number;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [visibility, setVisibility] = useState<'shared' | 'personal'>('shared');
  const create = useMutation({
    mutationFn: () =>
      api.post<Dashboard>(`/directories/${directoryId}/dashboards`, {
        name: name.trim(),
        visibility,
        pages: [{ id: newId('page'), title: '', widgets: [] }],
      }),
    onSuccess: async (made) => {
      await client.invalidateQueries({ queryKey: ['dashboards', directoryId] });
      onClose();
      void navigate(`/dashboards/${made.id}?edit=1`);
    },
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  return (
    <Modal opened={opened} onClose={onClose} title={t('dashboards.new')}>
      <Stack
        component="form"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <TextInput
          label={t('common.name')}
          value={name}
          required
          data-autofocus
          onChange={(e) => setName(e.currentTarget.value)}
        />
        <SegmentedControl
          value={visibility}
          onChange={(v) => setVisibility(v as 'shared' | 'personal')}
          data={[
            { value: 'shared', label: t('dashboards.visibilities.shared') },
            { value: 'personal', label: t('dashboards.visibilities.personal') },
          ]}
        />
        <Group justify="flex-end">
          <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
            {t('common.create')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
