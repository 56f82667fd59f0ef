import { Anchor, Card, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

type Section = 'surveys' | 'distributions' | 'workflows' | 'dashboards';

/** A section of the frame that a later release fills; it says so plainly instead of faking content. */
export function LaterSection({ section }: { section: Section }) {
  const { t } = useTranslation();
  return (
    <Stack maw={640}>
      <Title order={2}>{t(`nav.${section}`)}</Title>
      <Card withBorder>
        <Stack gap="xs">
          <Text fw={600}>{t('section.laterTitle', { section: t(`nav.${section}`) })}</Text>
          <Text c="dimmed">{t(`section.${section}`)}</Text>
          <Text size="sm">
            {t('section.meanwhile')}{' '}
            <Anchor component={Link} to="/directory">
              {t('nav.directory')}
            </Anchor>{' '}
            ·{' '}
            <Anchor component={Link} to="/accounts">
              {t('nav.accounts')}
            </Anchor>
          </Text>
        </Stack>
      </Card>
    </Stack>
  );
}
