import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Code,
  CopyButton,
  Group,
  NumberInput,
  Stack,
  Table,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api/client.ts';
import type { ApiToken } from '../api/types.ts';
import { useCan } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { formatDateTime } from '../i18n/index.ts';

export function TokensPanel() {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const canSeeAll = useCan('tokens:manage-all');
  const [all, setAll] = useState(false);
  const [name, setName] = useState('');
  const [days, setDays] = useState<number | ''>('');
  const [created, setCreated] = useState<string | null>(null);
  const tokens = useQuery({
    queryKey: ['tokens', all],
    queryFn: () => api.get<{ items: ApiToken[] }>('/tokens', { all: all ? 'true' : undefined }),
  });

  const create = useMutation({
    mutationFn: () =>
      api.post<{ token: string; record: ApiToken }>('/tokens', {
        name,
        expiresInDays: days === '' ? null : days,
      }),
    onSuccess: ({ token }) => {
      setCreated(token);
      setName('');
      setDays('');
      void client.invalidateQueries({ queryKey: ['tokens'] });
    },
    onError: (error) => notifications.show({ message: errorMessage(error), color: 'red' }),
  });
  const revoke = useMutation({
    mutationFn: (id: number) => api.delete(`/tokens/${id}`),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['tokens'] }),
    onError: (error) => notifications.show({ message: errorMessage(error), color: 'red' }),
  });

  const when = (value: string | null) => (value ? formatDateTime(value, i18n.language) : t('common.never'));

  return (
    <Stack>
      <Card withBorder>
        <Stack>
          <Title order={4}>{t('settings.createToken')}</Title>
          <Group align="flex-end">
            <TextInput
              label={t('settings.tokenName')}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
            />
            <NumberInput
              label={t('settings.tokenExpires')}
              min={1}
              max={3650}
              value={days}
              onChange={(value) => setDays(typeof value === 'number' ? value : '')}
            />
            <Button onClick={() => create.mutate()} loading={create.isPending} disabled={!name.trim()}>
              {t('common.create')}
            </Button>
          </Group>
          {created && (
            <Alert color="yellow" withCloseButton onClose={() => setCreated(null)}>
              <Stack gap="xs">
                {t('settings.tokenCreated')}
                <Group gap="xs">
                  <Code data-testid="new-token">{created}</Code>
                  <CopyButton value={created}>
                    {({ copied, copy }) => (
                      <Button size="xs" variant="light" onClick={copy}>
                        {copied ? t('common.copied') : t('common.copy')}
                      </Button>
                    )}
                  </CopyButton>
                </Group>
              </Stack>
            </Alert>
          )}
        </Stack>
      </Card>
      {canSeeAll && (
        <Checkbox
          label={t('settings.showAll')}
          checked={all}
          onChange={(e) => setAll(e.currentTarget.checked)}
        />
      )}
      {tokens.isPending ? (
        <Loading />
      ) : tokens.isError ? (
        <ErrorState error={tokens.error} onRetry={() => void tokens.refetch()} />
      ) : (
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('common.name')}</Table.Th>
              <Table.Th>{t('settings.prefix')}</Table.Th>
              {all && <Table.Th>{t('settings.owner')}</Table.Th>}
              <Table.Th>{t('common.created')}</Table.Th>
              <Table.Th>{t('settings.lastUsed')}</Table.Th>
              <Table.Th>{t('settings.expires')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {tokens.data.items.map((token) => (
              <Table.Tr key={token.id}>
                <Table.Td>{token.name}</Table.Td>
                <Table.Td>
                  <Code>{token.prefix}…</Code>
                </Table.Td>
                {all && <Table.Td>{token.userEmail}</Table.Td>}
                <Table.Td>{when(token.createdAt)}</Table.Td>
                <Table.Td>{when(token.lastUsedAt)}</Table.Td>
                <Table.Td>{when(token.expiresAt)}</Table.Td>
                <Table.Td>
                  {token.revokedAt ? (
                    <Badge color="gray">{t('settings.revoked')}</Badge>
                  ) : (
                    <Button size="xs" variant="subtle" color="red" onClick={() => revoke.mutate(token.id)}>
                      {t('settings.revoke')}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
