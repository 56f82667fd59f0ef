import { Button, Group, Stack, Tabs, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation, useNavigate, useOutletContext } from 'react-router';
import type { Directory } from '../api/types.ts';
import { useCan } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { DirectoryPicker, NoDirectory, useCurrentDirectory } from '../directory/current-directory.tsx';

const TABS = ['scheduled', 'sent', 'funnel', 'outbox', 'phone'] as const;

/** The distributions section: the current directory, and its lists, funnel, outbox as tabs. */
export function DistributionsLayout() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const canWrite = useCan('data:write');
  const { directories, current, pick } = useCurrentDirectory();
  const tab = TABS.find((name) => location.pathname.startsWith(`/distributions/${name}`)) ?? 'scheduled';

  if (directories.isError)
    return <ErrorState error={directories.error} onRetry={() => void directories.refetch()} />;
  if (current === undefined) return <Loading />;
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={2}>{t('nav.distributions')}</Title>
        <Group>
          {current && canWrite && (
            <Button
              component={Link}
              to="/distributions/new"
              leftSection={<IconPlus size={16} />}
              data-testid="new-distribution"
            >
              {t('distributions.new')}
            </Button>
          )}
          {current && <DirectoryPicker current={current} items={directories.data!.items} onPick={pick} />}
        </Group>
      </Group>
      {current === null ? (
        <NoDirectory onCreated={pick} />
      ) : (
        <>
          <Tabs value={tab} onChange={(value) => navigate(`/distributions/${value}`)}>
            <Tabs.List>
              {/* The outbox and the simulator hold every directory's messages: writers only. */}
              {TABS.filter((name) => canWrite || (name !== 'outbox' && name !== 'phone')).map((name) => (
                <Tabs.Tab key={name} value={name} data-testid={`distributions-tab-${name}`}>
                  {t(`distributions.tabs.${name}`)}
                </Tabs.Tab>
              ))}
            </Tabs.List>
          </Tabs>
          <Outlet context={{ directory: current } satisfies DistributionsContext} />
        </>
      )}
    </Stack>
  );
}

interface DistributionsContext {
  directory: Directory;
}

export const useDistributionsContext = () => useOutletContext<DistributionsContext>();
