import { Anchor, Breadcrumbs, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { HealthModelPanel } from './HealthModelPanel.tsx';

/**
 * /settings/health-model until the settings page lists the panel as one of its tabs
 * (web/src/settings/SettingsPage.tsx: a tab "health-model" rendering <HealthModelPanel />).
 */
export function HealthModelPage() {
  const { t } = useTranslation();
  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/settings">
          {t('settings.title')}
        </Anchor>
        <Text>{t('health.model.title')}</Text>
      </Breadcrumbs>
      <Title order={2}>{t('health.model.title')}</Title>
      <HealthModelPanel />
    </Stack>
  );
}
