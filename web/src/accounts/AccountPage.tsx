import {
  Anchor,
  Badge,
  Breadcrumbs,
  Card,
  Grid,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import { type AccountDetail, CLIENT_ROLES, TEAM_ROLES } from '../api/types.ts';
import { displayValue } from '../common/format.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { EmbedLinkButton } from '../embed/EmbedLinkButton.tsx';
import { AccountHealthSection, useAccountHealth } from '../health/AccountHealthSection.tsx';
import { FeedbackTimeline } from '../health/FeedbackTimeline.tsx';
import { formatDate } from '../health/format.ts';
import { NpsScoreBadge } from '../health/parts.tsx';
import { formatDateTime } from '../i18n/index.ts';
import { TicketsCard } from '../tickets/TicketsCard.tsx';
import { AccountTree, useAccountTree } from './AccountTree.tsx';

/**
 * One account: its health and churn risk first, then where it sits in the hierarchy, its contacts
 * by client role with their latest score, its account team and its latest feedback.
 */
export function AccountPage() {
  const { t, i18n } = useTranslation();
  const { id } = useParams();
  const [params, setParams] = useSearchParams();
  const scope = params.get('scope') === 'subtree' ? 'subtree' : 'own';
  const account = useQuery({
    queryKey: ['account', id],
    queryFn: () => api.get<AccountDetail>(`/accounts/${id}`),
  });
  const health = useAccountHealth(id);
  const path = account.data ? [...account.data.ancestors.map((x) => x.id), account.data.id] : [];
  const depth = (account.data?.ancestors.length ?? 0) + 2;
  // The tree starts at the highest ancestor the reader may see: those above it are not theirs to open.
  const tree = useAccountTree(path, account.data?.id ?? 0, depth);
  const hidden = new Set(tree.data ? path.slice(0, path.indexOf(tree.data.rootId)) : []);
  if (account.isPending) return <Loading />;
  if (account.isError) return <ErrorState error={account.error} onRetry={() => void account.refetch()} />;
  const a = account.data;
  const attributes = Object.entries(a.attributes);
  const byRole = (roles: readonly string[], role: string) => roles.indexOf(role);
  // The feedback follows the health section's switch ("this account only" / "with its child accounts").
  const feedbackScope = a.childCount > 0 ? scope : 'own';
  const scores = new Map((health.data?.contactsByRole ?? []).map((c) => [c.contactId, c]));

  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/accounts">
          {t('accounts.title')}
        </Anchor>
        {a.ancestors.map((ancestor) =>
          hidden.has(ancestor.id) ? (
            <Text key={ancestor.id} c="dimmed">
              {ancestor.displayName}
            </Text>
          ) : (
            <Anchor key={ancestor.id} component={Link} to={`/accounts/${ancestor.id}`}>
              {ancestor.displayName}
            </Anchor>
          ),
        )}
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
      <AccountHealthSection
        accountId={a.id}
        directoryId={a.directoryId}
        hasChildren={a.childCount > 0}
        scope={scope}
        onScope={(next) =>
          setParams(next === 'subtree' ? { scope: 'subtree' } : {}, {
            replace: true,
            preventScrollReset: true,
          })
        }
      />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={5} mb="xs">
            {t('accounts.hierarchy')}
          </Title>
          <AccountTree path={path} currentId={a.id} depth={depth} />
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
      <Grid>
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Card withBorder data-testid="contacts-by-role" h="100%">
            <Title order={5} mb="xs">
              {t('accounts.contactsByRole')}
            </Title>
            {a.contactsByRole.length === 0 ? (
              <Text c="dimmed">{t('accounts.noContacts')}</Text>
            ) : (
              <Table.ScrollContainer minWidth={720}>
                <Table>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('common.role')}</Table.Th>
                      <Table.Th>{t('common.name')}</Table.Th>
                      <Table.Th>{t('health.contactTitle')}</Table.Th>
                      <Table.Th>{t('common.email')}</Table.Th>
                      <Table.Th ta="center">{t('health.latestScore')}</Table.Th>
                      <Table.Th>{t('health.answeredOn')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {[...a.contactsByRole]
                      .sort((x, y) => byRole(CLIENT_ROLES, x.role) - byRole(CLIENT_ROLES, y.role))
                      .map((c) => (
                        <Table.Tr key={`${c.role}-${c.contactId}`}>
                          <Table.Td w={220}>
                            <Badge variant="light">
                              {t(`clientRoles.${c.role}`, { defaultValue: c.role })}
                            </Badge>
                          </Table.Td>
                          <Table.Td>
                            <Anchor component={Link} to={`/directory/contacts/${c.contactId}`}>
                              {c.name}
                            </Anchor>
                          </Table.Td>
                          <Table.Td>{c.title}</Table.Td>
                          <Table.Td>{c.email}</Table.Td>
                          <Table.Td ta="center">
                            <NpsScoreBadge
                              score={scores.get(c.contactId)?.npsScore ?? null}
                              category={scores.get(c.contactId)?.npsCategory ?? null}
                            />
                          </Table.Td>
                          <Table.Td>
                            <Text size="sm" c="dimmed">
                              {formatDate(scores.get(c.contactId)?.at, i18n.language)}
                            </Text>
                          </Table.Td>
                        </Table.Tr>
                      ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Card withBorder h="100%" data-testid="account-feedback">
            <Group justify="space-between" mb="xs" gap="xs">
              <Title order={5}>{t('health.latestFeedback')}</Title>
              {feedbackScope === 'subtree' && (
                <Badge variant="light" color="gray" size="sm" data-testid="feedback-scope">
                  {t('health.scopeSubtree')}
                </Badge>
              )}
            </Group>
            <FeedbackTimeline accountId={a.id} scope={feedbackScope} maxHeight={640} />
          </Card>
        </Grid.Col>
      </Grid>
      <TicketsCard
        scope="account"
        prefill={{ directoryId: a.directoryId, accountId: a.id, accountName: a.displayName }}
      />
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
