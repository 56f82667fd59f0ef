import { Anchor, Checkbox, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import { type Account, type Page, TEAM_ROLES } from '../api/types.ts';
import { displayValue } from '../common/format.ts';
import { Pager } from '../common/Pager.tsx';
import { ErrorState, Loading } from '../common/states.tsx';
import { useCursorPages } from '../common/use-cursor-pages.ts';
import { DirectoryPicker, NoDirectory, useCurrentDirectory } from '../directory/current-directory.tsx';
import { formatNumber } from '../i18n/index.ts';

/** B2B accounts of the current directory; account managers see only the accounts on their team. */
export function AccountsPage() {
  const { t, i18n } = useTranslation();
  const { directories, current, pick } = useCurrentDirectory();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [debouncedQ] = useDebouncedValue(q, 300);
  const filters = {
    q: debouncedQ,
    rootsOnly: params.get('rootsOnly') ?? undefined,
    teamMember: params.get('teamMember') ?? undefined,
    teamRole: params.get('teamRole') ?? undefined,
    sort: params.get('sort') ?? 'name',
  };
  const pages = useCursorPages(JSON.stringify([current?.id, filters]));
  const accounts = useQuery({
    queryKey: ['accounts', current?.id, filters, pages.cursor],
    queryFn: () =>
      api.get<Page<Account>>(`/directories/${current!.id}/accounts`, {
        ...filters,
        limit: 50,
        cursor: pages.cursor,
      }),
    enabled: !!current,
    placeholderData: keepPreviousData,
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

  if (directories.isError) return <ErrorState error={directories.error} />;
  if (current === undefined) return <Loading />;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('accounts.title')}</Title>
        {current && <DirectoryPicker current={current} items={directories.data!.items} onPick={pick} />}
      </Group>
      {current === null ? (
        <NoDirectory onCreated={pick} />
      ) : (
        <>
          <Group align="flex-end" wrap="wrap">
            <TextInput
              w={300}
              leftSection={<IconSearch size={16} />}
              aria-label={t('common.search')}
              placeholder={t('accounts.search')}
              value={q}
              onChange={(e) => set('q', e.currentTarget.value)}
              data-testid="accounts-search"
            />
            <TextInput
              label={t('accounts.teamMember')}
              w={240}
              value={params.get('teamMember') ?? ''}
              onChange={(e) => set('teamMember', e.currentTarget.value.trim())}
            />
            <Select
              label={t('common.role')}
              clearable
              w={240}
              value={filters.teamRole ?? null}
              data={TEAM_ROLES.map((value) => ({ value, label: t(`teamRoles.${value}`) }))}
              onChange={(value) => set('teamRole', value)}
            />
            <Select
              label={t('directory.sortBy')}
              w={180}
              allowDeselect={false}
              value={filters.sort}
              data={[
                { value: 'name', label: t('accounts.sortName') },
                { value: 'recent', label: t('accounts.sortRecent') },
              ]}
              onChange={(value) => set('sort', value === 'name' ? null : value)}
            />
            <Checkbox
              mb={8}
              label={t('accounts.rootsOnly')}
              checked={filters.rootsOnly === 'true'}
              onChange={(e) => set('rootsOnly', e.currentTarget.checked ? 'true' : null)}
            />
          </Group>
          {accounts.isPending ? (
            <Loading />
          ) : accounts.isError ? (
            <ErrorState error={accounts.error} onRetry={() => void accounts.refetch()} />
          ) : (
            <>
              <Table
                striped
                highlightOnHover
                data-testid="accounts-table"
                opacity={accounts.isPlaceholderData ? 0.6 : 1}
              >
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('accounts.account')}</Table.Th>
                    <Table.Th>{t('accounts.parent')}</Table.Th>
                    <Table.Th>{t('accounts.children')}</Table.Th>
                    <Table.Th>{t('accounts.contacts')}</Table.Th>
                    <Table.Th>{t('accounts.owner')}</Table.Th>
                    <Table.Th>{t('accounts.attributes')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {accounts.data.items.map((account) => (
                    <Table.Tr key={account.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/accounts/${account.id}`}>
                          {account.displayName}
                        </Anchor>
                        <Text size="xs" c="dimmed" ff="monospace">
                          {account.externalRef}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        {account.parentId ? (
                          <Anchor component={Link} to={`/accounts/${account.parentId}`} size="sm">
                            {account.parentExternalRef ?? `#${account.parentId}`}
                          </Anchor>
                        ) : (
                          '—'
                        )}
                      </Table.Td>
                      <Table.Td>{formatNumber(account.childCount, i18n.language)}</Table.Td>
                      <Table.Td>{formatNumber(account.contactCount, i18n.language)}</Table.Td>
                      <Table.Td>{account.ownerEmail ?? '—'}</Table.Td>
                      <Table.Td>
                        <Text size="xs">
                          {Object.entries(account.attributes)
                            .slice(0, 3)
                            .map(([k, v]) => `${k}: ${displayValue(v)}`)
                            .join(' · ')}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              {accounts.data.items.length === 0 && (
                <Text c="dimmed" ta="center">
                  {t('accounts.noAccounts')}
                </Text>
              )}
              <Pager
                pageNumber={pages.pageNumber}
                nextCursor={accounts.data.nextCursor}
                onNext={pages.next}
                onPrevious={pages.previous}
              />
            </>
          )}
        </>
      )}
    </Stack>
  );
}
