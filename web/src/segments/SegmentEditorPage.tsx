import {
  Alert,
  Anchor,
  Badge,
  Breadcrumbs,
  Button,
  Card,
  Grid,
  Group,
  Loader,
  Modal,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconUsers } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, api, errorMessage } from '../api/client.ts';
import type { AttributeDefinition, MailingList } from '../api/types.ts';
import { useCan } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { useCurrentDirectory } from '../directory/current-directory.tsx';
import { formatNumber } from '../i18n/index.ts';
import {
  type Entity,
  emptyGroup,
  type Member,
  type Preview,
  type Problem,
  rootFromApi,
  type Segment,
  toApi,
  type UiNode,
} from './model.ts';
import { type BuilderData, RuleGroup } from './RuleBuilder.tsx';

/** A new segment (/segments/new, in the current directory) or an existing one (/segments/:id). */
export function SegmentEditorPage() {
  const { id } = useParams();
  const isNew = id === undefined || id === 'new';
  const { current } = useCurrentDirectory();
  const segment = useQuery({
    queryKey: ['segment', id],
    queryFn: () => api.get<Segment>(`/segments/${id}`),
    enabled: !isNew,
  });
  if (!isNew) {
    if (segment.isError) return <ErrorState error={segment.error} onRetry={() => void segment.refetch()} />;
    if (!segment.data) return <Loading />;
    return <Editor key={segment.data.id} directoryId={segment.data.directoryId} segment={segment.data} />;
  }
  if (current === undefined) return <Loading />;
  if (current === null) return <ErrorState error={new Error('No directory yet')} />;
  return <Editor key={`new-${current.id}`} directoryId={current.id} segment={null} />;
}

function Editor({ directoryId, segment }: { directoryId: number; segment: Segment | null }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const canWrite = useCan('data:write');
  const [name, setName] = useState(segment?.name ?? '');
  const [entity, setEntity] = useState<Entity>(segment?.entity ?? 'contact');
  const [root, setRoot] = useState<UiNode>(() => (segment ? rootFromApi(segment.rules) : emptyGroup()));
  const [deleting, setDeleting] = useState(false);

  const attributes = useQuery({
    queryKey: ['attributes', directoryId],
    queryFn: () => api.get<{ items: AttributeDefinition[] }>(`/directories/${directoryId}/attributes`),
  });
  const surveys = useQuery({
    queryKey: ['surveys', directoryId],
    queryFn: () => api.get<{ items: { id: number; name: string }[] }>(`/directories/${directoryId}/surveys`),
  });
  const lists = useQuery({
    queryKey: ['mailing-lists', directoryId],
    queryFn: () => api.get<{ items: MailingList[] }>(`/directories/${directoryId}/mailing-lists`),
  });
  const data: BuilderData = useMemo(
    () => ({
      directoryId,
      attributes: attributes.data?.items ?? [],
      surveys: surveys.data?.items ?? [],
      lists: lists.data?.items ?? [],
      readOnly: !canWrite,
    }),
    [directoryId, attributes.data, surveys.data, lists.data, canWrite],
  );

  const body = JSON.stringify({ entity, rules: toApi(root) });
  const [debounced] = useDebouncedValue(body, 350);
  const preview = useQuery({
    queryKey: ['segment-preview', directoryId, debounced],
    queryFn: () => api.post<Preview>(`/directories/${directoryId}/segments/preview`, JSON.parse(debounced)),
    placeholderData: keepPreviousData,
    retry: false,
  });
  const problems: Problem[] =
    preview.error instanceof ApiError && Array.isArray(preview.error.details)
      ? (preview.error.details as Problem[])
      : [];

  const save = useMutation({
    mutationFn: () =>
      segment
        ? api.put<Segment>(`/segments/${segment.id}`, { name: name.trim(), ...JSON.parse(body) })
        : api.post<Segment>(`/directories/${directoryId}/segments`, {
            name: name.trim(),
            ...JSON.parse(body),
          }),
    onSuccess: async (saved) => {
      notifications.show({ color: 'green', message: t('segments.saved') });
      await client.invalidateQueries({ queryKey: ['segments', directoryId] });
      client.setQueryData(['segment', String(saved.id)], saved);
      if (!segment) void navigate(`/segments/${saved.id}`, { replace: true });
    },
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  const remove = useMutation({
    mutationFn: () => api.delete(`/segments/${segment!.id}`),
    onSuccess: async () => {
      notifications.show({ color: 'green', message: t('segments.deleted') });
      await client.invalidateQueries({ queryKey: ['segments', directoryId] });
      void navigate('/segments');
    },
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });

  // A saved segment whose rules no longer fit (a survey deleted since) says why at once.
  useEffect(() => {
    if (segment?.problems.length)
      notifications.show({ color: 'yellow', message: segment.problems.map((p) => p.message).join('; ') });
  }, [segment]);

  if (attributes.isPending) return <Loading />;
  if (attributes.isError) return <ErrorState error={attributes.error} />;

  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/segments">
          {t('segments.title')}
        </Anchor>
        <Text>{segment ? segment.name : t('segments.new')}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-end">
        <Group align="flex-end">
          <TextInput
            label={t('common.name')}
            placeholder={t('segments.namePlaceholder')}
            w={320}
            value={name}
            disabled={!canWrite}
            onChange={(e) => setName(e.currentTarget.value)}
            data-testid="segment-name"
          />
          <Stack gap={2}>
            <Text size="sm" fw={500}>
              {t('segments.entity')}
            </Text>
            <SegmentedControl
              value={entity}
              disabled={!canWrite}
              onChange={(value) => {
                setEntity(value as Entity);
                setRoot(emptyGroup());
              }}
              data={(['contact', 'account'] as const).map((value) => ({
                value,
                label: t(`segments.entities.${value}`),
              }))}
              data-testid="segment-entity"
            />
          </Stack>
        </Group>
        <Group>
          {segment && (
            <Button variant="default" component={Link} to={`/segments/${segment.id}/members`}>
              {t('segments.viewMembers')}
            </Button>
          )}
          {segment && canWrite && (
            <Button variant="light" color="red" onClick={() => setDeleting(true)}>
              {t('common.delete')}
            </Button>
          )}
          {canWrite && (
            <Button
              onClick={() => save.mutate()}
              loading={save.isPending}
              disabled={!name.trim() || problems.length > 0}
              data-testid="save-segment"
            >
              {t('common.save')}
            </Button>
          )}
        </Group>
      </Group>
      <Grid>
        <Grid.Col span={{ base: 12, lg: 8 }}>
          {root.kind === 'group' && <RuleGroup node={root} entity={entity} data={data} onChange={setRoot} />}
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <PreviewPanel
            entity={entity}
            preview={preview.data}
            loading={preview.isFetching || debounced !== body}
            problems={problems}
            error={preview.isError && problems.length === 0 ? preview.error : null}
          />
        </Grid.Col>
      </Grid>
      <Modal opened={deleting} onClose={() => setDeleting(false)} title={t('segments.deleteTitle')}>
        <Stack>
          <Text>{t('segments.deleteConfirm', { name: segment?.name ?? '' })}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDeleting(false)}>
              {t('common.cancel')}
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => remove.mutate()}>
              {t('common.delete')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

/** The live count and the first members, refreshed as the rules change. */
function PreviewPanel({
  entity,
  preview,
  loading,
  problems,
  error,
}: {
  entity: Entity;
  preview: Preview | undefined;
  loading: boolean;
  problems: Problem[];
  error: unknown;
}) {
  const { t, i18n } = useTranslation();
  return (
    <Card withBorder data-testid="segment-preview">
      <Stack gap="sm">
        <Group gap="xs">
          <IconUsers size={18} />
          {preview && problems.length === 0 && !error ? (
            <Badge
              size="lg"
              variant="light"
              color={preview.count ? 'indigo' : 'gray'}
              data-testid="segment-live-count"
            >
              {t('segments.count', {
                count: preview.count,
                formatted: formatNumber(preview.count, i18n.language),
              })}
            </Badge>
          ) : null}
          {loading && <Loader size="xs" />}
        </Group>
        <Text size="xs" c="dimmed">
          {t('segments.liveHint')}
        </Text>
        {problems.length > 0 && (
          <Alert color="yellow" p="xs" title={t('segments.fixRules')}>
            <Stack gap={2}>
              {problems.map((p) => (
                <Text size="xs" key={`${p.path}:${p.message}`}>
                  <Text span ff="monospace" size="xs">
                    {p.path}
                  </Text>
                  : {p.message}
                </Text>
              ))}
            </Stack>
          </Alert>
        )}
        {error ? (
          <Alert color="red" p="xs">
            {errorMessage(error)}
          </Alert>
        ) : null}
        {preview && problems.length === 0 && preview.sample.length > 0 && (
          <>
            <Text size="sm" fw={500}>
              {t('segments.sample')}
            </Text>
            <MembersTable entity={preview.entity ?? entity} members={preview.sample} compact />
          </>
        )}
      </Stack>
    </Card>
  );
}

export function MembersTable({
  entity,
  members,
  compact = false,
}: {
  entity: Entity;
  members: Member[];
  compact?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <Table striped fz={compact ? 'xs' : 'sm'} data-testid="segment-members">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('common.name')}</Table.Th>
          {entity === 'contact' ? (
            <>
              <Table.Th>{t('common.email')}</Table.Th>
              {!compact && <Table.Th>{t('segments.account')}</Table.Th>}
            </>
          ) : (
            <Table.Th>{t('segments.parent')}</Table.Th>
          )}
          {!compact && <Table.Th>{t('segments.externalRef')}</Table.Th>}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {members.map((m) => (
          <Table.Tr key={m.id}>
            <Table.Td>
              <Anchor
                component={Link}
                to={entity === 'contact' ? `/directory/contacts/${m.id}` : `/accounts/${m.id}`}
                size={compact ? 'xs' : 'sm'}
              >
                {m.name ?? `#${m.id}`}
              </Anchor>
            </Table.Td>
            {entity === 'contact' ? (
              <>
                <Table.Td>{m.email ?? '—'}</Table.Td>
                {!compact && (
                  <Table.Td>
                    {m.accountId ? (
                      <Anchor component={Link} to={`/accounts/${m.accountId}`} size="sm">
                        {m.accountName}
                      </Anchor>
                    ) : (
                      '—'
                    )}
                  </Table.Td>
                )}
              </>
            ) : (
              <Table.Td>{m.parentName ?? '—'}</Table.Td>
            )}
            {!compact && <Table.Td ff="monospace">{m.externalRef ?? '—'}</Table.Td>}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
