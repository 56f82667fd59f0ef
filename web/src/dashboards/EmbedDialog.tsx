import {
  Anchor,
  Button,
  CopyButton,
  Group,
  Modal,
  NumberInput,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api/client.ts';
import { LOCALES } from '../api/types.ts';
import { formatDateTime, LANGUAGE_NAMES } from '../i18n/index.ts';
import { AccountPicker } from './FilterBar.tsx';
import { widgetTitle } from './titles.ts';
import type { Dashboard } from './types.ts';

interface Made {
  url: string;
  path: string;
  expiresAt: string;
  account: { id: number; name: string; externalRef: string };
}

/**
 * Makes the signed URL of this dashboard (or one widget) for one account, to put behind an iframe
 * on the account's CRM page. The account is inside the signature: whoever opens the URL sees that
 * account and its sub-accounts, as the person who made it sees them, until it expires.
 */
export function EmbedDialog({
  dashboard,
  opened,
  onClose,
}: {
  dashboard: Dashboard;
  opened: boolean;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const [widgetId, setWidgetId] = useState<string | null>(null);
  const [accountId, setAccountId] = useState<number | null>(null);
  const [minutes, setMinutes] = useState(60);
  const [locale, setLocale] = useState<string>(
    LOCALES.includes(i18n.language as never) ? i18n.language : 'en',
  );
  const make = useMutation({
    mutationFn: () =>
      api.post<Made>('/embeds/dashboards', {
        dashboardId: dashboard.id,
        ...(widgetId ? { widgetId } : {}),
        accountId,
        expiresInMinutes: minutes,
        locale,
      }),
  });
  const widgets = dashboard.pages.flatMap((p) => p.widgets);
  const iframe = make.data
    ? `<iframe src="${make.data.url}" width="100%" height="${widgetId ? 420 : 900}" style="border:0"></iframe>`
    : '';
  return (
    <Modal opened={opened} onClose={onClose} title={t('dashboards.embed.title')} size="lg">
      <Stack data-testid="embed-dialog">
        <Text size="sm">{t('dashboards.embed.help')}</Text>
        <Select
          label={t('dashboards.embed.what')}
          data={[
            { value: '', label: t('dashboards.embed.wholeDashboard') },
            ...widgets.map((w) => ({ value: w.id, label: widgetTitle(w, t) })),
          ]}
          value={widgetId ?? ''}
          onChange={(v) => setWidgetId(v || null)}
          allowDeselect={false}
        />
        <AccountPicker
          directoryId={dashboard.directoryId}
          label={t('dashboards.embed.account')}
          value={accountId}
          onChange={setAccountId}
          testId="embed-account"
          w="100%"
        />
        <Text size="xs" c="dimmed">
          {t('dashboards.embed.apiHint')}
        </Text>
        <Group align="flex-end">
          <NumberInput
            label={t('dashboards.embed.validFor')}
            min={1}
            max={60 * 24 * 30}
            value={minutes}
            onChange={(v) => setMinutes(Number(v) || 60)}
            w={180}
          />
          <Select
            label={t('dashboards.embed.language')}
            data={LOCALES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))}
            value={locale}
            onChange={(v) => v && setLocale(v)}
            allowDeselect={false}
            w={160}
            data-testid="embed-language"
          />
          <Button
            onClick={() => make.mutate()}
            loading={make.isPending}
            disabled={accountId === null}
            data-testid="embed-create"
          >
            {t('dashboards.embed.create')}
          </Button>
        </Group>
        {make.isError && <Text c="red">{errorMessage(make.error)}</Text>}
        {make.data && (
          <Stack gap="xs">
            <Group align="flex-end" wrap="nowrap">
              <TextInput
                readOnly
                value={make.data.url}
                label={t('dashboards.embed.url')}
                style={{ flex: 1 }}
                data-testid="embed-url"
              />
              <CopyButton value={make.data.url}>
                {({ copied, copy }) => (
                  <Button variant="default" onClick={copy}>
                    {copied ? t('surveys.copied') : t('surveys.copy')}
                  </Button>
                )}
              </CopyButton>
            </Group>
            <Text size="xs" c="dimmed">
              {t('dashboards.embed.expires', {
                name: make.data.account.name,
                date: formatDateTime(make.data.expiresAt, i18n.language),
              })}{' '}
              <Anchor href={make.data.path} target="_blank" rel="noopener" size="xs">
                {t('dashboards.embed.open')}
              </Anchor>
            </Text>
            <Textarea label={t('dashboards.embed.iframe')} readOnly value={iframe} autosize minRows={2} />
          </Stack>
        )}
      </Stack>
    </Modal>
  );
}
