import { Alert, Badge, Card, Center, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { ApiError, api, errorMessage } from '../api/client.ts';
import { formatDateTime, setLanguage } from '../i18n/index.ts';
import { NPS_COLORS, type ResponseWidget } from '../surveys/results/types.ts';

/**
 * The response widget of one CRM record, made to sit in an iframe on the record's page: compact,
 * no navigation, its signed URL is its only credential.
 */
export function ResponsesWidget() {
  const { token } = useParams();
  const { t, i18n } = useTranslation();
  const widget = useQuery({
    queryKey: ['embed', token],
    queryFn: () => api.get<ResponseWidget>(`/public/embeds/responses/${token}`),
    retry: false,
  });
  const locale = widget.data?.locale;
  useEffect(() => {
    if (locale) void setLanguage(locale as Parameters<typeof setLanguage>[0], false);
  }, [locale]);

  if (widget.isPending)
    return (
      <Center p="md">
        <Loader size="sm" />
      </Center>
    );
  if (widget.isError) {
    const expired = widget.error instanceof ApiError && widget.error.status === 410;
    return (
      <Alert color={expired ? 'yellow' : 'red'} m="sm" data-testid="embed-error">
        {expired ? t('embed.expired') : errorMessage(widget.error)}
      </Alert>
    );
  }
  const w = widget.data;
  return (
    <Stack p="sm" gap="sm" data-testid="embed-widget">
      <Group justify="space-between">
        <Title order={5}>{t('embed.title')}</Title>
        <Text size="xs" c="dimmed">
          {t('embed.lastResponse', { date: formatDateTime(w.lastResponseAt, i18n.language) })}
        </Text>
      </Group>
      <Group gap="lg">
        <Stack gap={0}>
          <Text size="xs" c="dimmed">
            {t('results.nps')}
          </Text>
          <Text fw={700} fz="xl" data-testid="embed-nps">
            {w.nps ? w.nps.score : '—'}
          </Text>
        </Stack>
        <Stack gap={0}>
          <Text size="xs" c="dimmed">
            {t('results.responses')}
          </Text>
          <Text fw={700} fz="xl">
            {w.responses}
          </Text>
        </Stack>
        {w.csat !== null && (
          <Stack gap={0}>
            <Text size="xs" c="dimmed">
              {t('embed.csatScore')}
            </Text>
            <Text fw={700} fz="xl">
              {w.csat}
            </Text>
          </Stack>
        )}
      </Group>
      {w.latest.length === 0 && <Text c="dimmed">{t('embed.none')}</Text>}
      {w.latest.map((r) => (
        <Card key={r.id} withBorder padding="xs">
          <Group justify="space-between" wrap="nowrap">
            <Text size="sm" fw={500}>
              {r.contactName ?? t('embed.anonymous')} · {r.survey}
            </Text>
            {r.npsScore !== null && (
              <Badge color={NPS_COLORS[r.npsCategory as keyof typeof NPS_COLORS] ?? 'gray'}>
                {r.npsScore}
              </Badge>
            )}
          </Group>
          <Text size="xs" c="dimmed">
            {formatDateTime(r.completedAt, i18n.language)}
          </Text>
          {r.comments.map((c) => (
            <Text key={c.question} size="sm" mt={4}>
              <Text span c="dimmed" size="xs">
                {c.question}{' '}
              </Text>
              “{c.text}”
            </Text>
          ))}
        </Card>
      ))}
    </Stack>
  );
}
