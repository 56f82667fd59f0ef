import { Tabs, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { useCan } from '../auth/session.ts';
import { HealthModelPanel } from '../health/HealthModelPanel.tsx';
import { ConnectionsPanel } from '../salesforce/ConnectionsPanel.tsx';
import { AuditPanel } from './AuditPanel.tsx';
import { DeliveryPanel } from './DeliveryPanel.tsx';
import { JobsPanel } from './JobsPanel.tsx';
import { ProfilePanel } from './ProfilePanel.tsx';
import { SendingRulesPanel } from './SendingRulesPanel.tsx';
import { TokensPanel } from './TokensPanel.tsx';
import { UsersPanel } from './UsersPanel.tsx';

export function SettingsPage() {
  const { t } = useTranslation();
  const { tab = 'profile' } = useParams();
  const navigate = useNavigate();
  const canUsers = useCan('users:manage');
  const canJobs = useCan('jobs:read');
  const canAudit = useCan('audit:read');
  const canRead = useCan('data:read');
  const canDelivery = useCan('settings:manage');

  return (
    <>
      <Title order={2} mb="md">
        {t('settings.title')}
      </Title>
      <Tabs value={tab} onChange={(value) => navigate(`/settings/${value ?? 'profile'}`)} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="profile">{t('settings.profile')}</Tabs.Tab>
          {canUsers && <Tabs.Tab value="users">{t('settings.users')}</Tabs.Tab>}
          <Tabs.Tab value="tokens">{t('settings.tokens')}</Tabs.Tab>
          {canJobs && <Tabs.Tab value="jobs">{t('settings.jobs')}</Tabs.Tab>}
          {canAudit && <Tabs.Tab value="audit">{t('settings.audit')}</Tabs.Tab>}
          {canRead && <Tabs.Tab value="sending-rules">{t('distributions.rules.tab')}</Tabs.Tab>}
          {canRead && <Tabs.Tab value="health-model">{t('health.model.title')}</Tabs.Tab>}
          {canDelivery && <Tabs.Tab value="delivery">{t('distributions.delivery.tab')}</Tabs.Tab>}
          {canRead && <Tabs.Tab value="connections">{t('salesforce.connectionsTab')}</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="profile">
          <ProfilePanel />
        </Tabs.Panel>
        {canUsers && (
          <Tabs.Panel value="users">
            <UsersPanel />
          </Tabs.Panel>
        )}
        <Tabs.Panel value="tokens">
          <TokensPanel />
        </Tabs.Panel>
        {canJobs && (
          <Tabs.Panel value="jobs">
            <JobsPanel />
          </Tabs.Panel>
        )}
        {canAudit && (
          <Tabs.Panel value="audit">
            <AuditPanel />
          </Tabs.Panel>
        )}
        {canRead && (
          <Tabs.Panel value="sending-rules">
            <SendingRulesPanel />
          </Tabs.Panel>
        )}
        {canRead && (
          <Tabs.Panel value="health-model">
            <HealthModelPanel />
          </Tabs.Panel>
        )}
        {canDelivery && (
          <Tabs.Panel value="delivery">
            <DeliveryPanel />
          </Tabs.Panel>
        )}
        {canRead && (
          <Tabs.Panel value="connections">
            <ConnectionsPanel />
          </Tabs.Panel>
        )}
      </Tabs>
    </>
  );
}
