import { Anchor, Badge, Checkbox, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import { CLIENT_ROLES, type Contact, type MailingList, type Page } from '../api/types.ts';
import { Pager } from '../common/Pager.tsx';
import { ErrorState, Loading } from '../common/states.tsx';
import { useCursorPages } from '../common/use-cursor-pages.ts';
import { useDirectoryContext } from './DirectoryLayout.tsx';

export const contactName = (c: Pick<Contact, 'firstName' | 'lastName' | 'email' | 'id'>) =>
  [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || `#${c.id}`;

/** Contacts of the directory; filters live in the URL so a filtered view can be shared. */
export function ContactsPage() {
  const { t } = useTranslation();
  const { directory } = useDirectoryContext();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [debouncedQ] = useDebouncedValue(q, 300);
  const filters = {
    q: debouncedQ,
    role: params.get('role') ?? undefined,
    listId: params.get('listId') ?? undefined,
    emailOptOut: params.get('emailOptOut') ?? undefined,
    includeDeleted: params.get('includeDeleted') ?? undefined,
    sort: params.get('sort') ?? 'recent',
  };
  const pages = useCursorPages(JSON.stringify([directory.id, filters]));
  const contacts = useQuery({
    queryKey: ['contacts', directory.id, filters, pages.cursor],
    queryFn: () =>
      api.get<Page<Contact>>(`/directories/${directory.id}/contacts`, {
        ...filters,
        limit: 50,
        cursor: pages.cursor,
      }),
    placeholderData: keepPreviousData,
  });
  const lists = useQuery({
    queryKey: ['mailing-lists', directory.id],
    queryFn: () => api.get<{ items: MailingList[] }>(`/directories/${directory.id}/mailing-lists`),
  });
  const set = (key: string, value: string | null | undefined) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: true },
    );

  return (
    <Stack>
      <Group align="flex-end" wrap="wrap">
        <TextInput
          w={340}
          leftSection={<IconSearch size={16} />}
          aria-label={t('common.search')}
          placeholder={t('directory.searchContacts')}
          value={q}
          onChange={(e) => set('q', e.currentTarget.value)}
          data-testid="contacts-search"
        />
        <Select
          label={t('directory.filterRole')}
          clearable
          w={200}
          value={filters.role ?? null}
          data={CLIENT_ROLES.map((value) => ({ value, label: t(`clientRoles.${value}`) }))}
          onChange={(value) => set('role', value)}
        />
        <Select
          label={t('directory.filterList')}
          clearable
          searchable
          w={220}
          value={filters.listId ?? null}
          data={(lists.data?.items ?? []).map((l) => ({ value: String(l.id), label: l.name }))}
          onChange={(value) => set('listId', value)}
        />
        <Select
          label={t('directory.emailOptOut')}
          clearable
          w={140}
          value={filters.emailOptOut ?? null}
          data={[
            { value: 'true', label: t('common.yes') },
            { value: 'false', label: t('common.no') },
          ]}
          onChange={(value) => set('emailOptOut', value)}
        />
        <Select
          label={t('directory.sortBy')}
          w={180}
          allowDeselect={false}
          value={filters.sort}
          data={[
            { value: 'recent', label: t('directory.sortRecent') },
            { value: 'lastName', label: t('directory.sortLastName') },
            { value: 'email', label: t('directory.sortEmail') },
          ]}
          onChange={(value) => set('sort', value === 'recent' ? null : value)}
        />
        <Checkbox
          label={t('directory.includeDeleted')}
          checked={filters.includeDeleted === 'true'}
          onChange={(e) => set('includeDeleted', e.currentTarget.checked ? 'true' : null)}
          mb={8}
        />
      </Group>
      {contacts.isPending ? (
        <Loading />
      ) : contacts.isError ? (
        <ErrorState error={contacts.error} onRetry={() => void contacts.refetch()} />
      ) : (
        <>
          <Table
            striped
            highlightOnHover
            data-testid="contacts-table"
            opacity={contacts.isPlaceholderData ? 0.6 : 1}
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('directory.contact')}</Table.Th>
                <Table.Th>{t('common.email')}</Table.Th>
                <Table.Th>{t('directory.phone')}</Table.Th>
                <Table.Th>{t('directory.jobTitle')}</Table.Th>
                <Table.Th>{t('directory.accountsRoles')}</Table.Th>
                <Table.Th>{t('directory.externalRef')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {contacts.data.items.map((contact) => (
                <Table.Tr key={contact.id}>
                  <Table.Td>
                    <Group gap={6}>
                      <Anchor component={Link} to={`/directory/contacts/${contact.id}`}>
                        {contactName(contact)}
                      </Anchor>
                      {contact.deleted && (
                        <Badge size="xs" color="gray">
                          {t('common.deleted')}
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={6}>
                      {contact.email}
                      {contact.optOuts.email && (
                        <Badge size="xs" color="orange">
                          {t('directory.optOut.email')}
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>{contact.phone ?? contact.mobilePhone}</Table.Td>
                  <Table.Td>{contact.title}</Table.Td>
                  <Table.Td>
                    <Stack gap={2}>
                      {contact.roles.map((r) => (
                        <Text size="xs" key={`${r.accountId}-${r.role}`}>
                          <Anchor component={Link} to={`/accounts/${r.accountId}`} size="xs">
                            {r.accountName}
                          </Anchor>{' '}
                          · {t(`clientRoles.${r.role}`, { defaultValue: r.role })}
                        </Text>
                      ))}
                    </Stack>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace">
                      {contact.externalRef}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {contacts.data.items.length === 0 && (
            <Text c="dimmed" ta="center">
              {t('directory.noContacts')}
            </Text>
          )}
          <Pager
            pageNumber={pages.pageNumber}
            nextCursor={contacts.data.nextCursor}
            onNext={pages.next}
            onPrevious={pages.previous}
          />
        </>
      )}
    </Stack>
  );
}
