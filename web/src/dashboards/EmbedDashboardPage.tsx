import { Alert, Center, Group, Loader, Stack, Tabs, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { ApiError, api, errorMessage } from '../api/client.ts';
import { setLanguage } from '../i18n/index.ts';
import { DatePicker } from './FilterBar.tsx';
import { pageTitle } from './titles.ts';
import type { DashboardEmbedView, DatePreset } from './types.ts';
import { WidgetCard, WidgetGrid } from './WidgetCard.tsx';

/**
 * A dashboard (or one widget) embedded in a CRM account page: no navigation, its signed URL is
 * its only credential, the account is fixed by the signature. The viewer may change the period
 * and the page; widgets export to PNG.
 */
export function EmbedDashboardPage() {
  const { token } = useParams();
  const { t } = useTranslation();
  const [page, setPage] = useState<string | null>(null);
  const [date, setDate] = useState<DatePreset | null>(null);
  const view = useQuery({
    queryKey: ['embed-dashboard', token, page, date],
    queryFn: () =>
      api.get<DashboardEmbedView>(`/public/embeds/dashboards/${token}`, {
        page: page ?? undefined,
        date: date ?? undefined,
      }),
    placeholderData: keepPreviousData,
    retry: false,
  });
  const locale = view.data?.locale;
  useEffect(() => {
    if (locale) void setLanguage(locale as Parameters<typeof setLanguage>[0], false);
  }, [locale]);

  if (view.isPending)
    return (
      <Center p="md">
        <Loader size="sm" />
      </Center>
    );
  if (view.isError) {
    const expired = view.error instanceof ApiError && view.error.status === 410;
    return (
      <Alert color={expired ? 'yellow' : 'red'} m="sm" data-testid="embed-error">
        {expired ? t('dashboards.embed.expired') : errorMessage(view.error)}
      </Alert>
    );
  }
  const v = view.data;
  const shown = v.dashboard.pages.find((p) => p.id === v.pageId) ?? v.dashboard.pages[0]!;
  const results = new Map(v.widgets.map((w) => [w.widgetId, w]));
  return (
    <Stack p="sm" gap="sm" data-testid="embed-dashboard">
      <Group justify="space-between" align="flex-end">
        <Stack gap={0}>
          <Title order={4}>{v.widgetId ? v.account.name : v.dashboard.name}</Title>
          {!v.widgetId && (
            <Text size="sm" c="dimmed" data-testid="embed-account">
              {t('dashboards.embed.forAccount', { name: v.account.name })}
            </Text>
          )}
        </Stack>
        <DatePicker
          presetsOnly
          value={date ? { type: 'preset', preset: date } : v.filters.date}
          onChange={(d) => d.type === 'preset' && setDate(d.preset)}
        />
      </Group>
      {v.dashboard.pages.length > 1 && (
        <Tabs value={shown.id} onChange={(p) => p && setPage(p)}>
          <Tabs.List>
            {v.dashboard.pages.map((p, i) => (
              <Tabs.Tab key={p.id} value={p.id}>
                {pageTitle(p, i, t)}
              </Tabs.Tab>
            ))}
          </Tabs.List>
        </Tabs>
      )}
      <WidgetGrid>
        {shown.widgets.map((widget) => (
          <WidgetCard
            key={widget.id}
            widget={widget}
            result={results.get(widget.id)}
            loading={view.isFetching}
            links={false}
          />
        ))}
      </WidgetGrid>
    </Stack>
  );
}
