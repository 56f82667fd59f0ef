import { Anchor, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import type { AttributeDefinition, MailingList } from '../api/types.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { formatDateTime, formatNumber } from '../i18n/index.ts';
import { useDirectoryContext } from './DirectoryLayout.tsx';

/** Mailing lists (with the import run that made them) and the directory's attribute definitions. */
export function ListsPage() {
  const { t, i18n } = useTranslation();
  const { directory } = useDirectoryContext();
  const lists = useQuery({
    queryKey: ['mailing-lists', directory.id],
    queryFn: () => api.get<{ items: MailingList[] }>(`/directories/${directory.id}/mailing-lists`),
  });
  const attributes = useQuery({
    queryKey: ['attributes', directory.id],
    queryFn: () => api.get<{ items: AttributeDefinition[] }>(`/directories/${directory.id}/attributes`),
  });
  if (lists.isPending || attributes.isPending) return <Loading />;
  if (lists.isError) return <ErrorState error={lists.error} />;
  if (attributes.isError) return <ErrorState error={attributes.error} />;
  return (
    <>
      <Table striped data-testid="lists-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('common.name')}</Table.Th>
            <Table.Th>{t('directory.members')}</Table.Th>
            <Table.Th>{t('imports.title')}</Table.Th>
            <Table.Th>{t('common.created')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {lists.data.items.map((list) => (
            <Table.Tr key={list.id}>
              <Table.Td>
                <Anchor component={Link} to={`/directory/contacts?listId=${list.id}`}>
                  {list.name}
                </Anchor>
              </Table.Td>
              <Table.Td>{formatNumber(list.members, i18n.language)}</Table.Td>
              <Table.Td>
                {list.importRunId && (
                  <Anchor component={Link} to={`/directory/imports/${list.importRunId}`}>
                    {t('imports.run', { id: list.importRunId })}
                  </Anchor>
                )}
              </Table.Td>
              <Table.Td>{formatDateTime(list.createdAt, i18n.language)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {lists.data.items.length === 0 && <Text c="dimmed">{t('common.none')}</Text>}
      <Text fw={600} mt="lg">
        {t('directory.attributes')}
      </Text>
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('common.name')}</Table.Th>
            <Table.Th>{t('directory.entity')}</Table.Th>
            <Table.Th>{t('directory.type')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {attributes.data.items.map((a) => (
            <Table.Tr key={a.id}>
              <Table.Td ff="monospace">{a.name}</Table.Td>
              <Table.Td>{a.entity === 'contact' ? t('directory.contact') : t('accounts.account')}</Table.Td>
              <Table.Td>
                {a.type}
                {a.enumValues ? ` (${a.enumValues.join(', ')})` : ''}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}
