import { Group, Stack, Tabs, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useCan } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { DirectoryPicker, NoDirectory, useCurrentDirectory } from '../directory/current-directory.tsx';
import { LeadFormsPanel } from './LeadFormsPanel.tsx';
import { OutboundTriggersPanel } from './OutboundTriggersPanel.tsx';
import { SyncEditor } from './SyncEditor.tsx';
import { WritebacksPanel } from './WritebacksPanel.tsx';

const TABS = ['sync', 'triggers', 'writebacks', 'lead-forms'] as const;
type Tab = (typeof TABS)[number];

/**
 * A directory's Salesforce page: the sync (what to extract, when, the last runs), the Outbound
 * Message triggers, the write-backs of responses and the Web-to-Lead forms. The tab is in the URL.
 */
export function SalesforceSyncPage() {
  const { t } = useTranslation();
  const { directories, current, pick } = useCurrentDirectory();
  const [params, setParams] = useSearchParams();
  const canWrite = useCan('data:write');
  const asked = params.get('tab') as Tab | null;
  // Trigger endpoints carry their secret: only those who may change triggers see them.
  const tabs = TABS.filter((tab) => tab !== 'triggers' || canWrite);
  const tab: Tab = asked && tabs.includes(asked) ? asked : 'sync';
  if (directories.isError)
    return <ErrorState error={directories.error} onRetry={() => void directories.refetch()} />;
  if (current === undefined) return <Loading />;
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={2}>{t('salesforce.syncTitle')}</Title>
          <Text size="sm" c="dimmed">
            {tab === 'sync' ? t('salesforce.syncIntro') : t(`salesforce.tabIntro.${tab}`)}
          </Text>
        </Stack>
        {current && <DirectoryPicker current={current} items={directories.data!.items} onPick={pick} />}
      </Group>
      {current === null ? (
        <NoDirectory onCreated={pick} />
      ) : (
        <Tabs
          value={tab}
          onChange={(value) => setParams(value && value !== 'sync' ? { tab: value } : {}, { replace: true })}
          keepMounted={false}
        >
          <Tabs.List mb="md">
            {tabs.map((value) => (
              <Tabs.Tab key={value} value={value} data-testid={`salesforce-tab-${value}`}>
                {t(`salesforce.tab.${value}`)}
              </Tabs.Tab>
            ))}
          </Tabs.List>
          <Tabs.Panel value="sync">
            <SyncEditor key={current.id} directoryId={current.id} />
          </Tabs.Panel>
          {canWrite && (
            <Tabs.Panel value="triggers">
              <OutboundTriggersPanel key={current.id} directoryId={current.id} />
            </Tabs.Panel>
          )}
          <Tabs.Panel value="writebacks">
            <WritebacksPanel key={current.id} directoryId={current.id} />
          </Tabs.Panel>
          <Tabs.Panel value="lead-forms">
            <LeadFormsPanel key={current.id} directoryId={current.id} />
          </Tabs.Panel>
        </Tabs>
      )}
    </Stack>
  );
}
