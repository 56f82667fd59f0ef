import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  List,
  Modal,
  PasswordInput,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api, errorMessage } from '../api/client.ts';
import { useCan } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { formatDateTime, formatNumber } from '../i18n/index.ts';
import type { AuthKind, Connection, ConnectionUse } from './types.ts';

const STATUS_COLOR = { pending: 'gray', connected: 'green', error: 'red' } as const;

export const useConnections = () =>
  useQuery({
    queryKey: ['salesforce', 'connections'],
    queryFn: () => api.get<{ items: Connection[] }>('/salesforce/connections'),
  });

/** Settings → Connections: the Salesforce orgs the instance is connected to. */
export function ConnectionsPanel() {
  const { t, i18n } = useTranslation();
  const canManage = useCan('settings:manage');
  const connections = useConnections();
  const [params, setParams] = useSearchParams();
  const [renaming, setRenaming] = useState<Connection | null>(null);
  const [removing, setRemoving] = useState<Connection | null>(null);
  const client = useQueryClient();

  // Back from Salesforce's login page (the OAuth callback redirects here).
  useEffect(() => {
    const connected = params.get('connected');
    const error = params.get('error');
    if (!connected && !error) return;
    if (connected) notifications.show({ message: t('salesforce.connected'), color: 'green' });
    if (error)
      notifications.show({
        title: t('salesforce.authorizeFailed'),
        message: error,
        color: 'red',
        autoClose: false,
      });
    setParams({}, { replace: true });
    void client.invalidateQueries({ queryKey: ['salesforce', 'connections'] });
  }, [params, setParams, client, t]);

  const test = useMutation({
    mutationFn: (id: number) =>
      api.post<{ ok: boolean; error?: string }>(`/salesforce/connections/${id}/test`),
    onSuccess: (result) => {
      notifications.show(
        result.ok
          ? { message: t('salesforce.testOk'), color: 'green' }
          : { title: t('salesforce.testFailed'), message: result.error, color: 'red' },
      );
      void client.invalidateQueries({ queryKey: ['salesforce', 'connections'] });
    },
    onError: (error) => notifications.show({ message: errorMessage(error), color: 'red' }),
  });

  if (connections.isPending) return <Loading />;
  if (connections.isError)
    return <ErrorState error={connections.error} onRetry={() => void connections.refetch()} />;
  const items = connections.data.items;

  return (
    <Stack>
      <Text size="sm" c="dimmed">
        {t('salesforce.connectionsIntro')}
      </Text>
      {items.length === 0 ? (
        <Text c="dimmed">{t('salesforce.noConnections')}</Text>
      ) : (
        <Table striped data-testid="salesforce-connections">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('common.name')}</Table.Th>
              <Table.Th>{t('salesforce.flow')}</Table.Th>
              <Table.Th>{t('salesforce.org')}</Table.Th>
              <Table.Th>{t('salesforce.status')}</Table.Th>
              <Table.Th>{t('salesforce.apiUsage')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  <Text fw={500}>{c.name}</Text>
                  <Text size="xs" c="dimmed">
                    {c.loginUrl}
                  </Text>
                </Table.Td>
                <Table.Td>{t(`salesforce.kind.${c.authKind}`)}</Table.Td>
                <Table.Td>
                  <Text size="sm">{c.username ?? '—'}</Text>
                  <Text size="xs" c="dimmed">
                    {c.orgId ?? ''}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge color={STATUS_COLOR[c.status]}>{t(`salesforce.statusValue.${c.status}`)}</Badge>
                  {c.lastError && (
                    <Text size="xs" c="red" maw={260}>
                      {c.lastError}
                    </Text>
                  )}
                  <Text size="xs" c="dimmed">
                    {t('salesforce.lastTested', { when: formatDateTime(c.lastTestedAt, i18n.language) })}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {c.apiUsage
                    ? t('salesforce.usageValue', {
                        used: formatNumber(c.apiUsage.used, i18n.language),
                        max: formatNumber(c.apiUsage.max, i18n.language),
                      })
                    : '—'}
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end" wrap="nowrap">
                    {c.status !== 'pending' && (
                      <Button
                        size="xs"
                        variant="light"
                        loading={test.isPending && test.variables === c.id}
                        onClick={() => test.mutate(c.id)}
                      >
                        {t('salesforce.test')}
                      </Button>
                    )}
                    {canManage && c.authKind === 'oauth' && (
                      <Button
                        size="xs"
                        variant="light"
                        component="a"
                        href={`/api/v1/salesforce/connections/authorize?connectionId=${c.id}`}
                      >
                        {c.status === 'pending' ? t('salesforce.authorize') : t('salesforce.reconnect')}
                      </Button>
                    )}
                    {canManage && (
                      <Button size="xs" variant="subtle" onClick={() => setRenaming(c)}>
                        {t('salesforce.rename')}
                      </Button>
                    )}
                    {canManage && (
                      <Button size="xs" variant="subtle" color="red" onClick={() => setRemoving(c)}>
                        {t('salesforce.disconnect')}
                      </Button>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Anchor component={Link} to="/salesforce" size="sm">
        {t('salesforce.toSyncPage')}
      </Anchor>
      {canManage && <ConnectForm />}
      {renaming && <RenameModal connection={renaming} onClose={() => setRenaming(null)} />}
      {removing && <DisconnectModal connection={removing} onClose={() => setRemoving(null)} />}
    </Stack>
  );
}

function ConnectForm() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [kind, setKind] = useState<AuthKind>('oauth');
  const [form, setForm] = useState({
    name: '',
    loginUrl: 'https://login.salesforce.com',
    clientId: '',
    clientSecret: '',
    username: '',
    privateKey: '',
  });
  const set = (key: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  const create = useMutation({
    mutationFn: () =>
      api.post<{ connection: Connection; authorizeUrl: string | null }>('/salesforce/connections', {
        kind,
        name: form.name,
        loginUrl: form.loginUrl,
        clientId: form.clientId,
        ...(kind === 'jwt'
          ? { username: form.username, privateKey: form.privateKey }
          : { clientSecret: form.clientSecret }),
      }),
    onSuccess: ({ authorizeUrl }) => {
      void client.invalidateQueries({ queryKey: ['salesforce', 'connections'] });
      // The OAuth web server flow goes on at the org's login page, then comes back here.
      if (authorizeUrl) window.location.assign(authorizeUrl);
      else notifications.show({ message: t('salesforce.connected'), color: 'green' });
    },
    onError: (error) => notifications.show({ message: errorMessage(error), color: 'red', autoClose: false }),
  });
  const ready =
    form.name.trim() &&
    form.loginUrl.trim() &&
    form.clientId.trim() &&
    (kind === 'jwt' ? form.username.trim() && form.privateKey.trim() : form.clientSecret.trim());

  return (
    <Card withBorder>
      <Stack>
        <Title order={4}>{t('salesforce.connectTitle')}</Title>
        <SegmentedControl
          value={kind}
          onChange={(value) => setKind(value as AuthKind)}
          data={(['oauth', 'jwt', 'client_credentials'] as const).map((k) => ({
            value: k,
            label: t(`salesforce.kind.${k}`),
          }))}
        />
        <Text size="sm" c="dimmed">
          {t(`salesforce.kindHelp.${kind}`)}
        </Text>
        <Group grow align="flex-start">
          <TextInput
            label={t('common.name')}
            description={t('salesforce.nameHelp')}
            value={form.name}
            onChange={(e) => set('name')(e.currentTarget.value)}
          />
          <TextInput
            label={t('salesforce.loginUrl')}
            description={
              kind === 'client_credentials' ? t('salesforce.myDomainHelp') : t('salesforce.loginUrlHelp')
            }
            value={form.loginUrl}
            onChange={(e) => set('loginUrl')(e.currentTarget.value)}
          />
        </Group>
        <TextInput
          label={t('salesforce.clientId')}
          value={form.clientId}
          onChange={(e) => set('clientId')(e.currentTarget.value)}
        />
        {kind === 'jwt' ? (
          <>
            <TextInput
              label={t('salesforce.username')}
              value={form.username}
              onChange={(e) => set('username')(e.currentTarget.value)}
            />
            <Textarea
              label={t('salesforce.privateKey')}
              description={t('salesforce.privateKeyHelp')}
              autosize
              minRows={4}
              styles={{ input: { fontFamily: 'monospace' } }}
              value={form.privateKey}
              onChange={(e) => set('privateKey')(e.currentTarget.value)}
            />
          </>
        ) : (
          <PasswordInput
            label={t('salesforce.clientSecret')}
            value={form.clientSecret}
            onChange={(e) => set('clientSecret')(e.currentTarget.value)}
          />
        )}
        <Group>
          <Button onClick={() => create.mutate()} loading={create.isPending} disabled={!ready}>
            {kind === 'oauth' ? t('salesforce.continueToSalesforce') : t('salesforce.connect')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function RenameModal({ connection, onClose }: { connection: Connection; onClose: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [name, setName] = useState(connection.name);
  const rename = useMutation({
    mutationFn: () => api.patch<Connection>(`/salesforce/connections/${connection.id}`, { name }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['salesforce', 'connections'] });
      onClose();
    },
    onError: (error) => notifications.show({ message: errorMessage(error), color: 'red' }),
  });
  return (
    <Modal opened onClose={onClose} title={t('salesforce.rename')}>
      <Stack>
        <TextInput
          label={t('common.name')}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          data-autofocus
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button onClick={() => rename.mutate()} loading={rename.isPending} disabled={!name.trim()}>
            {t('common.save')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** The seed's warning made concrete: what stops working, listed before the user confirms. */
function DisconnectModal({ connection, onClose }: { connection: Connection; onClose: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const usage = useQuery({
    queryKey: ['salesforce', 'connections', connection.id, 'usage'],
    queryFn: () => api.get<{ items: ConnectionUse[] }>(`/salesforce/connections/${connection.id}/usage`),
  });
  const remove = useMutation({
    mutationFn: () => api.delete(`/salesforce/connections/${connection.id}?confirm=true`),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['salesforce'] });
      notifications.show({ message: t('salesforce.disconnected', { name: connection.name }) });
      onClose();
    },
    onError: (error) => notifications.show({ message: errorMessage(error), color: 'red' }),
  });
  const uses = usage.data?.items ?? [];
  return (
    <Modal opened onClose={onClose} title={t('salesforce.disconnectTitle', { name: connection.name })}>
      <Stack>
        {usage.isPending ? (
          <Loading />
        ) : uses.length === 0 ? (
          <Text size="sm">{t('salesforce.unused')}</Text>
        ) : (
          <Alert color="orange" title={t('salesforce.willStop', { count: uses.length })}>
            <List size="sm" data-testid="connection-uses">
              {uses.map((u) => (
                <List.Item key={`${u.kind}-${u.id}`}>
                  {t(`salesforce.useKind.${u.kind}`)}: {u.name} ({u.directoryName})
                </List.Item>
              ))}
            </List>
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button
            color="red"
            onClick={() => remove.mutate()}
            loading={remove.isPending}
            disabled={usage.isPending}
          >
            {t('salesforce.disconnect')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
