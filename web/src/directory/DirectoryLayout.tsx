import { Group, Stack, Tabs, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Outlet, useLocation, useNavigate, useOutletContext } from 'react-router';
import { api } from '../api/client.ts';
import type { Directory, DirectoryWithCounts } from '../api/types.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { formatNumber } from '../i18n/index.ts';
import { DirectoryPicker, NoDirectory, useCurrentDirectory } from './current-directory.tsx';

const TABS = ['contacts', 'lists', 'imports', 'mapping', 'duplicates'] as const;

/** The directory section: which directory, its counts, and its pages as tabs. */
export function DirectoryLayout() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const { directories, current, pick } = useCurrentDirectory();
  const counts = useQuery({
    queryKey: ['directory', current?.id],
    queryFn: () => api.get<DirectoryWithCounts>(`/directories/${current!.id}`),
    enabled: !!current,
  });
  const tab = TABS.find((name) => location.pathname.startsWith(`/directory/${name}`)) ?? 'contacts';

  if (directories.isError)
    return <ErrorState error={directories.error} onRetry={() => void directories.refetch()} />;
  if (current === undefined) return <Loading />;

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={2}>{t('directory.title')}</Title>
          {counts.data && (
            <Text size="sm" c="dimmed" data-testid="directory-counts">
              {t('directory.counts', {
                contacts: formatNumber(counts.data.counts.contacts, i18n.language),
                accounts: formatNumber(counts.data.counts.accounts, i18n.language),
                lists: formatNumber(counts.data.counts.mailingLists, i18n.language),
              })}
            </Text>
          )}
        </Stack>
        {current && <DirectoryPicker current={current} items={directories.data!.items} onPick={pick} />}
      </Group>
      {current === null ? (
        <NoDirectory onCreated={pick} />
      ) : (
        <>
          <Tabs value={tab} onChange={(value) => navigate(`/directory/${value}`)}>
            <Tabs.List>
              {TABS.map((name) => (
                <Tabs.Tab key={name} value={name} data-testid={`directory-tab-${name}`}>
                  {t(`directory.${name}`)}
                </Tabs.Tab>
              ))}
            </Tabs.List>
          </Tabs>
          <Outlet context={{ directory: current } satisfies DirectoryContext} />
        </>
      )}
    </Stack>
  );
}

interface DirectoryContext {
  directory: Directory;
}

export const useDirectoryContext = () => useOutletContext<DirectoryContext>();
