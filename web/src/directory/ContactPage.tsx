import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Timeline,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, errorMessage } from '../api/client.ts';
import type { ContactDetail } from '../api/types.ts';
import { useCan } from '../auth/session.ts';
import { displayValue } from '../common/format.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { EmbedLinkButton } from '../embed/EmbedLinkButton.tsx';
import { formatDateTime } from '../i18n/index.ts';
import { TicketsCard } from '../tickets/TicketsCard.tsx';
import { contactName } from './ContactsPage.tsx';

const OPT_OUTS = ['email', 'sms', 'doNotCall', 'fax', 'emailBounced'] as const;

/** One contact: identity, opt-outs, accounts and roles, lists, attributes and their timeline. */
export function ContactPage() {
  const { t, i18n } = useTranslation();
  const { id } = useParams();
  const client = useQueryClient();
  const canWrite = useCan('data:write');
  const contact = useQuery({
    queryKey: ['contact', id],
    queryFn: () => api.get<ContactDetail>(`/contacts/${id}`),
  });
  const revert = useMutation({
    mutationFn: (mergeId: number) => api.post(`/contact-merges/${mergeId}/revert`),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['contact'] }),
    onError: (error) => notifications.show({ message: errorMessage(error), color: 'red' }),
  });

  if (contact.isPending) return <Loading />;
  if (contact.isError) return <ErrorState error={contact.error} onRetry={() => void contact.refetch()} />;
  const c = contact.data;
  const attributes = Object.entries(c.attributes);

  return (
    <Stack>
      <Group gap="sm">
        <Title order={3} data-testid="contact-name">
          {contactName(c)}
        </Title>
        {c.deleted && <Badge color="gray">{t('common.deleted')}</Badge>}
        {c.mergedIntoId && (
          <Anchor component={Link} to={`/directory/contacts/${c.mergedIntoId}`}>
            → #{c.mergedIntoId}
          </Anchor>
        )}
        {c.externalRef && (
          <EmbedLinkButton directoryId={c.directoryId} field="sfContactId" value={c.externalRef} />
        )}
      </Group>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Table variant="vertical" withRowBorders={false}>
            <Table.Tbody>
              <Row label={t('common.email')} value={c.email} />
              <Row label={t('directory.phone')} value={c.phone} />
              <Row label={t('directory.mobilePhone')} value={c.mobilePhone} />
              <Row label={t('directory.jobTitle')} value={c.title} />
              <Row label={t('common.language')} value={c.language} />
              <Row label={t('directory.externalRef')} value={c.externalRef} />
              <Row label={t('common.updated')} value={formatDateTime(c.updatedAt, i18n.language)} />
            </Table.Tbody>
          </Table>
          <Group gap={6} mt="sm">
            {OPT_OUTS.filter((key) => c.optOuts[key]).map((key) => (
              <Badge key={key} color="orange" variant="light">
                {t(`directory.optOut.${key}`)}
              </Badge>
            ))}
            {c.optOuts.consent !== null && (
              <Badge color={c.optOuts.consent ? 'green' : 'red'} variant="light">
                {t('directory.optOut.consent')}: {c.optOuts.consent ? t('common.yes') : t('common.no')}
              </Badge>
            )}
          </Group>
        </Card>
        <Card withBorder>
          <Title order={5} mb="xs">
            {t('directory.accountsRoles')}
          </Title>
          {c.roles.length === 0 && <Text c="dimmed">{t('common.none')}</Text>}
          {c.roles.map((r) => (
            <Text key={`${r.accountId}-${r.role}`}>
              <Anchor component={Link} to={`/accounts/${r.accountId}`}>
                {r.accountName}
              </Anchor>{' '}
              · {t(`clientRoles.${r.role}`, { defaultValue: r.role })}
            </Text>
          ))}
          <Title order={5} mt="md" mb="xs">
            {t('directory.listsOf')}
          </Title>
          {c.lists.length === 0 && <Text c="dimmed">{t('common.none')}</Text>}
          {c.lists.map((list) => (
            <Text key={list.id}>
              <Anchor component={Link} to={`/directory/contacts?listId=${list.id}`}>
                {list.name}
              </Anchor>
            </Text>
          ))}
        </Card>
      </SimpleGrid>
      <TicketsCard
        scope="contact"
        prefill={{
          directoryId: c.directoryId,
          contactId: c.id,
          contactName: contactName(c),
          accountId: c.roles[0]?.accountId ?? null,
          accountName: c.roles[0]?.accountName ?? null,
        }}
      />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={5} mb="xs">
            {t('directory.attributes')}
          </Title>
          {attributes.length === 0 ? (
            <Text c="dimmed">{t('common.none')}</Text>
          ) : (
            <Table variant="vertical" withRowBorders={false}>
              <Table.Tbody>
                {attributes.map(([name, value]) => (
                  <Row key={name} label={name} value={displayValue(value)} />
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
        <Card withBorder data-testid="contact-timeline">
          <Title order={5} mb="xs">
            {t('directory.timeline')}
          </Title>
          {c.history.length === 0 ? (
            <Text c="dimmed">{t('directory.noHistory')}</Text>
          ) : (
            <Timeline bulletSize={12} lineWidth={2}>
              {c.history.map((h) => (
                <Timeline.Item
                  key={`${h.changedAt}-${h.field}`}
                  title={formatDateTime(h.changedAt, i18n.language)}
                >
                  <Text size="sm">
                    {t('directory.changed', {
                      field: h.field,
                      from: displayValue(h.oldValue),
                      to: displayValue(h.newValue),
                    })}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {h.runId ? t('directory.createdInRun', { run: h.runId }) : h.source}
                  </Text>
                </Timeline.Item>
              ))}
            </Timeline>
          )}
        </Card>
      </SimpleGrid>
      {c.merges.length > 0 && (
        <Card withBorder>
          <Title order={5} mb="xs">
            {t('directory.merges')}
          </Title>
          {c.merges.map((m) => (
            <Group key={m.id} justify="space-between">
              <Text size="sm">
                {t('directory.mergedFrom', {
                  merged: m.mergedId,
                  survivor: m.survivorId,
                  matchedOn: m.matchedOn,
                })}{' '}
                · {formatDateTime(m.mergedAt, i18n.language)}
              </Text>
              {m.revertedAt ? (
                <Badge color="gray">{t('directory.reverted')}</Badge>
              ) : (
                canWrite && (
                  <Button
                    size="xs"
                    variant="subtle"
                    onClick={() => revert.mutate(m.id)}
                    loading={revert.isPending}
                  >
                    {t('directory.revert')}
                  </Button>
                )
              )}
            </Group>
          ))}
        </Card>
      )}
    </Stack>
  );
}

function Row({ label, value }: { label: string; value: string | null }) {
  return (
    <Table.Tr>
      <Table.Th w={180}>{label}</Table.Th>
      <Table.Td>{value ?? '—'}</Table.Td>
    </Table.Tr>
  );
}
