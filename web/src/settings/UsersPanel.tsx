import { Alert, Badge, Button, Card, Group, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api/client.ts';
import { USER_ROLES, type User, type UserRole } from '../api/types.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { formatDateTime } from '../i18n/index.ts';

export function UsersPanel() {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: () => api.get<{ items: User[] }>('/users') });
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<UserRole>('viewer');
  const [password, setPassword] = useState('');
  const [generated, setGenerated] = useState<{ email: string; password: string } | null>(null);
  const roleOptions = USER_ROLES.map((value) => ({ value, label: t(`roles.${value}`) }));

  const create = useMutation({
    mutationFn: () =>
      api.post<{ user: User; generatedPassword: string | null }>('/users', {
        email,
        name,
        role,
        ...(password ? { password } : {}),
      }),
    onSuccess: ({ user, generatedPassword }) => {
      setEmail('');
      setName('');
      setPassword('');
      setGenerated(generatedPassword ? { email: user.email, password: generatedPassword } : null);
      void client.invalidateQueries({ queryKey: ['users'] });
    },
    onError: (error) => notifications.show({ message: errorMessage(error), color: 'red' }),
  });

  const update = useMutation({
    mutationFn: ({ id, patch }: { id: number; patch: Partial<Pick<User, 'role' | 'disabled'>> }) =>
      api.patch(`/users/${id}`, patch),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['users'] }),
    onError: (error) => notifications.show({ message: errorMessage(error), color: 'red' }),
  });

  if (users.isPending) return <Loading />;
  if (users.isError) return <ErrorState error={users.error} onRetry={() => void users.refetch()} />;

  return (
    <Stack>
      <Card withBorder>
        <Stack>
          <Title order={4}>{t('settings.addUser')}</Title>
          <Group align="flex-end" wrap="wrap">
            <TextInput
              label={t('common.email')}
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
            <TextInput
              label={t('common.name')}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
            />
            <Select
              label={t('common.role')}
              value={role}
              data={roleOptions}
              allowDeselect={false}
              onChange={(value) => setRole((value as UserRole) ?? 'viewer')}
            />
            <TextInput
              label={t('settings.passwordOptional')}
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            <Button onClick={() => create.mutate()} loading={create.isPending} disabled={!email}>
              {t('common.create')}
            </Button>
          </Group>
          {generated && (
            <Alert color="yellow" withCloseButton onClose={() => setGenerated(null)}>
              {t('settings.generatedPassword', generated)}
            </Alert>
          )}
        </Stack>
      </Card>
      <Table striped highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('common.email')}</Table.Th>
            <Table.Th>{t('common.name')}</Table.Th>
            <Table.Th>{t('common.role')}</Table.Th>
            <Table.Th>{t('settings.lastLogin')}</Table.Th>
            <Table.Th>{t('common.status')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {users.data.items.map((user) => (
            <Table.Tr key={user.id}>
              <Table.Td>{user.email}</Table.Td>
              <Table.Td>{user.name}</Table.Td>
              <Table.Td>
                <Select
                  size="xs"
                  aria-label={t('common.role')}
                  value={user.role}
                  data={roleOptions}
                  allowDeselect={false}
                  onChange={(value) =>
                    value && update.mutate({ id: user.id, patch: { role: value as UserRole } })
                  }
                />
              </Table.Td>
              <Table.Td>
                {user.lastLoginAt ? formatDateTime(user.lastLoginAt, i18n.language) : t('common.never')}
              </Table.Td>
              <Table.Td>
                <Group gap="xs">
                  {user.disabled && <Badge color="gray">{t('settings.disabled')}</Badge>}
                  <Button
                    size="xs"
                    variant="subtle"
                    color={user.disabled ? 'green' : 'red'}
                    onClick={() => update.mutate({ id: user.id, patch: { disabled: !user.disabled } })}
                  >
                    {user.disabled ? t('settings.enable') : t('settings.disable')}
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
