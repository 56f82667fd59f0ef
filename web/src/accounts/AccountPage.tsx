import {
  Anchor,
  Badge,
  Breadcrumbs,
  Card,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../api/client.ts';
import { type AccountDetail, CLIENT_ROLES, TEAM_ROLES } from '../api/types.ts';
import { displayValue } from '../common/format.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { EmbedLinkButton } from '../embed/EmbedLinkButton.tsx';
import { formatDateTime } from '../i18n/index.ts';
import { AccountTree } from './AccountTree.tsx';

/** One account: where it sits in the hierarchy, its contacts by client role and its account team. */
export function AccountPage() {
  const { t, i18n } = useTranslation();
  const { id } = useParams();
  const account = useQuery({
    queryKey: ['account', id],
    queryFn: () => api.get<AccountDetail>(`/accounts/${id}`),
  });
  if (account.isPending) return <Loading />;
  if (account.isError) return <ErrorState error={account.error} onRetry={() => void account.refetch()} />;
  const a = account.data;
  const root = a.ancestors[0]?.id ?? a.id;
  const attributes = Object.entries(a.attributes);
  const byRole = (roles: readonly string[], role: string) => roles.indexOf(role);

  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/accounts">
          {t('accounts.title')}
        </Anchor>
        {a.ancestors.map((ancestor) => (
          <Anchor key={ancestor.id} component={Link} to={`/accounts/${ancestor.id}`}>
            {ancestor.displayName}
          </Anchor>
        ))}
        <Text>{a.displayName}</Text>
      </Breadcrumbs>
      <Group gap="sm">
        <Title order={2} data-testid="account-name">
          {a.displayName}
        </Title>
        {a.deleted && <Badge color="gray">{t('common.deleted')}</Badge>}
        <Text c="dimmed" ff="monospace" size="sm">
          {a.externalRef}
        </Text>
        {a.externalRef && (
          <EmbedLinkButton directoryId={a.directoryId} field="sfAccountId" value={a.externalRef} />
        )}
      </Group>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={5} mb="xs">
            {t('accounts.hierarchy')}
          </Title>
          <AccountTree rootId={root} currentId={a.id} depth={a.ancestors.length + 2} />
        </Card>
        <Card withBorder data-testid="account-team">
          <Title order={5} mb="xs">
            {t('accounts.team')}
          </Title>
          {a.team.length === 0 ? (
            <Text c="dimmed">{t('accounts.noTeam')}</Text>
          ) : (
            <Table withRowBorders={false}>
              <Table.Tbody>
                {[...a.team]
                  .sort((x, y) => byRole(TEAM_ROLES, x.role) - byRole(TEAM_ROLES, y.role))
                  .map((member) => (
                    <Table.Tr key={`${member.role}-${member.email}`}>
                      <Table.Td>
                        <Badge variant="light" color={member.role === 'ACCOUNT_OWNER' ? 'indigo' : 'gray'}>
                          {t(`teamRoles.${member.role}`, { defaultValue: member.role })}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        {member.userName ? `${member.userName} <${member.email}>` : member.email}
                      </Table.Td>
                    </Table.Tr>
                  ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
      </SimpleGrid>
      <Card withBorder data-testid="contacts-by-role">
        <Title order={5} mb="xs">
          {t('accounts.contactsByRole')}
        </Title>
        {a.contactsByRole.length === 0 ? (
          <Text c="dimmed">{t('accounts.noContacts')}</Text>
        ) : (
          <Table>
            <Table.Tbody>
              {[...a.contactsByRole]
                .sort((x, y) => byRole(CLIENT_ROLES, x.role) - byRole(CLIENT_ROLES, y.role))
                .map((c) => (
                  <Table.Tr key={`${c.role}-${c.contactId}`}>
                    <Table.Td w={220}>
                      <Badge variant="light">{t(`clientRoles.${c.role}`, { defaultValue: c.role })}</Badge>
                    </Table.Td>
                    <Table.Td>
                      <Anchor component={Link} to={`/directory/contacts/${c.contactId}`}>
                        {c.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{c.title}</Table.Td>
                    <Table.Td>{c.email}</Table.Td>
                  </Table.Tr>
                ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={5} mb="xs">
            {t('accounts.attributes')}
          </Title>
          {attributes.length === 0 ? (
            <Text c="dimmed">{t('accounts.noAttributes')}</Text>
          ) : (
            <Table variant="vertical" withRowBorders={false}>
              <Table.Tbody>
                {attributes.map(([name, value]) => (
                  <Table.Tr key={name}>
                    <Table.Th w={180}>{name}</Table.Th>
                    <Table.Td>{displayValue(value)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
        <Card withBorder>
          <Title order={5} mb="xs">
            {t('directory.timeline')}
          </Title>
          {a.history.length === 0 ? (
            <Text c="dimmed">{t('directory.noHistory')}</Text>
          ) : (
            a.history.map((h) => (
              <Text size="sm" key={`${h.changedAt}-${h.field}`}>
                {formatDateTime(h.changedAt, i18n.language)} ·{' '}
                {t('directory.changed', {
                  field: h.field,
                  from: displayValue(h.oldValue),
                  to: displayValue(h.newValue),
                })}
              </Text>
            ))
          )}
        </Card>
      </SimpleGrid>
    </Stack>
  );
}
