import { Anchor, Badge, Group, Text, Timeline } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDateTime } from '../i18n/index.ts';
import { daysSince, relativeDays } from './format.ts';
import { NPS_CATEGORY_COLORS } from './parts.tsx';
import type { ContactScore } from './types.ts';

/**
 * The account's latest feedback, newest first: each contact's latest NPS answer (the API has no
 * cross-survey list of an account's responses yet; each survey's results page has them all).
 */
export function FeedbackTimeline({ contacts }: { contacts: ContactScore[] }) {
  const { t, i18n } = useTranslation();
  const seen = new Set<number>();
  const answers = contacts
    .filter((c) => c.at && c.npsScore !== null)
    .sort((a, b) => (b.at ?? '').localeCompare(a.at ?? ''))
    .filter((c) => {
      if (seen.has(c.contactId)) return false;
      seen.add(c.contactId);
      return true;
    });
  const rolesOf = (id: number) =>
    contacts
      .filter((c) => c.contactId === id)
      .map((c) => t(`clientRoles.${c.role}`, { defaultValue: c.role }))
      .join(', ');
  if (answers.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {t('health.noFeedback')}
      </Text>
    );
  return (
    <Timeline bulletSize={26} lineWidth={2} data-testid="feedback-timeline">
      {answers.slice(0, 20).map((c) => (
        <Timeline.Item
          key={c.contactId}
          bullet={
            <Badge
              circle
              size="md"
              variant="filled"
              color={NPS_CATEGORY_COLORS[c.npsCategory ?? ''] ?? 'gray'}
            >
              {c.npsScore}
            </Badge>
          }
          title={
            <Group gap={6}>
              <Anchor component={Link} to={`/directory/contacts/${c.contactId}`} size="sm" fw={500}>
                {c.name ?? c.email ?? `#${c.contactId}`}
              </Anchor>
              <Text size="xs" c="dimmed">
                {rolesOf(c.contactId)}
              </Text>
            </Group>
          }
        >
          <Text size="xs" c="dimmed" title={formatDateTime(c.at, i18n.language)}>
            {t('health.answered', {
              score: c.npsScore,
              category: t(`health.npsCategories.${c.npsCategory}`, { defaultValue: c.npsCategory ?? '' }),
              when: relativeDays(-(daysSince(c.at) ?? 0), i18n.language),
            })}
          </Text>
        </Timeline.Item>
      ))}
    </Timeline>
  );
}
