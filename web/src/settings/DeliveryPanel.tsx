import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  List,
  NumberInput,
  PasswordInput,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, errorMessage } from '../api/client.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import type { Channel, DeliveryProvider, Problem } from '../distributions/types.ts';
import { formatDateTime } from '../i18n/index.ts';

/** Where email and SMS go (admins): the database outbox, an SMTP relay, a Twilio-compatible API. */
export function DeliveryPanel() {
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }}>
      <ProviderCard channel="email" />
      <ProviderCard channel="sms" />
    </SimpleGrid>
  );
}

interface Form {
  kind: string;
  defaultFrom: string;
  host: string;
  port: number | '';
  secure: boolean;
  requireTLS: boolean;
  maxConnections: number | '';
  user: string;
  accountSid: string;
  from: string;
  baseUrl: string;
  secret: string;
  ratePerSecond: number | '';
}

function formOf(p: DeliveryProvider): Form {
  const s = p.settings as Record<string, unknown>;
  const smtp = (s.smtp ?? {}) as Record<string, unknown>;
  const twilio = (s.twilio ?? {}) as Record<string, unknown>;
  return {
    kind: String(s.kind),
    defaultFrom: typeof s.defaultFrom === 'string' ? s.defaultFrom : '',
    host: typeof smtp.host === 'string' ? smtp.host : '',
    port: typeof smtp.port === 'number' ? smtp.port : '',
    secure: smtp.secure === true,
    requireTLS: smtp.requireTLS !== false,
    maxConnections: typeof smtp.maxConnections === 'number' ? smtp.maxConnections : 5,
    user: typeof s.user === 'string' ? s.user : '',
    accountSid: typeof twilio.accountSid === 'string' ? twilio.accountSid : '',
    from: typeof twilio.from === 'string' ? twilio.from : '',
    baseUrl: typeof twilio.baseUrl === 'string' ? twilio.baseUrl : '',
    secret: '',
    ratePerSecond: p.ratePerSecond,
  };
}

function bodyOf(f: Form, saved: DeliveryProvider) {
  const savedSmtp = ((saved.settings as Record<string, unknown>).smtp ?? {}) as Record<string, unknown>;
  const settings =
    f.kind === 'outbox'
      ? { kind: 'outbox', ...(f.defaultFrom.trim() ? { defaultFrom: f.defaultFrom.trim() } : {}) }
      : f.kind === 'smtp'
        ? {
            kind: 'smtp',
            defaultFrom: f.defaultFrom.trim(),
            // Keeps what this form does not show (TLS options, timeouts) as it was.
            smtp: {
              ...savedSmtp,
              host: f.host.trim(),
              ...(f.port !== '' ? { port: f.port } : { port: undefined }),
              secure: f.secure,
              requireTLS: f.requireTLS,
              ...(f.maxConnections !== '' ? { maxConnections: f.maxConnections } : {}),
            },
            ...(f.user.trim() ? { user: f.user.trim() } : {}),
          }
        : {
            kind: 'twilio',
            twilio: {
              accountSid: f.accountSid.trim(),
              from: f.from.trim(),
              ...(f.baseUrl.trim() ? { baseUrl: f.baseUrl.trim() } : {}),
            },
          };
  return {
    settings,
    ...(f.secret ? { secret: f.secret } : {}),
    ...(f.ratePerSecond !== '' ? { ratePerSecond: f.ratePerSecond } : {}),
  };
}

function ProviderCard({ channel }: { channel: Channel }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const saved = useQuery({
    queryKey: ['delivery-provider', channel],
    queryFn: () => api.get<DeliveryProvider>(`/delivery-providers/${channel}`),
  });
  const [form, setForm] = useState<Form | null>(null);
  const [failure, setFailure] = useState<{ message: string; problems: Problem[] } | null>(null);
  useEffect(() => {
    if (saved.data) setForm(formOf(saved.data));
  }, [saved.data]);
  const save = useMutation({
    mutationFn: () => api.put<DeliveryProvider>(`/delivery-providers/${channel}`, bodyOf(form!, saved.data!)),
    onSuccess: (result) => {
      client.setQueryData(['delivery-provider', channel], result);
      setFailure(null);
      notifications.show({ color: 'green', message: t('common.saved') });
    },
    onError: (e) =>
      setFailure({
        message: errorMessage(e),
        problems: e instanceof ApiError && Array.isArray(e.details) ? (e.details as Problem[]) : [],
      }),
  });

  if (saved.isError) return <ErrorState error={saved.error} onRetry={() => void saved.refetch()} />;
  if (!form || !saved.data) return <Loading />;
  const set = (patch: Partial<Form>) => setForm({ ...form, ...patch });
  // The server's problems next to their fields (body.settings.smtp.host → host …).
  const err = (field: string) =>
    failure?.problems.find((p) => p.path.replace(/^body\.settings\.(smtp\.|twilio\.)?/, '') === field)
      ?.message;
  const hasSecret = saved.data.hasSecret;
  const secretLabel =
    channel === 'email' ? t('distributions.delivery.password') : t('distributions.delivery.authToken');
  const providerKinds = channel === 'email' ? ['outbox', 'smtp'] : ['outbox', 'twilio'];

  return (
    <Card withBorder data-testid={`provider-${channel}`}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={4}>{t(`distributions.delivery.title.${channel}`)}</Title>
          <Badge variant="light">{t(`distributions.delivery.kinds.${saved.data.settings.kind}`)}</Badge>
        </Group>
        {saved.data.updatedAt && (
          <Text size="xs" c="dimmed">
            {t('distributions.delivery.updated', {
              by: saved.data.updatedBy ?? '—',
              at: formatDateTime(saved.data.updatedAt, i18n.language),
            })}
          </Text>
        )}
        <SegmentedControl
          value={form.kind}
          onChange={(kind) => set({ kind, ...(kind !== saved.data.settings.kind ? { secret: '' } : {}) })}
          data={providerKinds.map((value) => ({ value, label: t(`distributions.delivery.kinds.${value}`) }))}
        />
        <Text size="sm" c="dimmed">
          {t(`distributions.delivery.hint.${form.kind}`)}
        </Text>
        {form.kind === 'outbox' && (
          <TextInput
            label={t('distributions.delivery.defaultFrom')}
            error={err('defaultFrom')}
            description={channel === 'sms' ? t('distributions.delivery.outboxSmsFrom') : undefined}
            value={form.defaultFrom}
            onChange={(e) => set({ defaultFrom: e.currentTarget.value })}
          />
        )}
        {form.kind === 'smtp' && (
          <>
            <Group grow align="flex-start">
              <TextInput
                label={t('distributions.delivery.host')}
                error={err('host')}
                required
                value={form.host}
                onChange={(e) => set({ host: e.currentTarget.value })}
                placeholder="smtp.example.com"
              />
              <NumberInput
                label={t('distributions.delivery.port')}
                error={err('port')}
                description={t('distributions.delivery.portHint')}
                min={1}
                max={65535}
                allowDecimal={false}
                value={form.port}
                onChange={(v) => set({ port: v === '' ? '' : Number(v) })}
              />
            </Group>
            <Group>
              <Switch
                label={t('distributions.delivery.secure')}
                checked={form.secure}
                onChange={(e) => set({ secure: e.currentTarget.checked })}
              />
              <Switch
                label={t('distributions.delivery.requireTLS')}
                checked={form.requireTLS}
                disabled={form.secure}
                onChange={(e) => set({ requireTLS: e.currentTarget.checked })}
              />
            </Group>
            <Group grow align="flex-start">
              <TextInput
                label={t('distributions.delivery.user')}
                value={form.user}
                autoComplete="off"
                onChange={(e) => set({ user: e.currentTarget.value })}
              />
              <SecretInput
                label={secretLabel}
                value={form.secret}
                stored={hasSecret}
                onChange={(secret) => set({ secret })}
              />
            </Group>
            <Group grow align="flex-start">
              <NumberInput
                label={t('distributions.delivery.maxConnections')}
                error={err('maxConnections')}
                min={1}
                max={100}
                allowDecimal={false}
                value={form.maxConnections}
                onChange={(v) => set({ maxConnections: v === '' ? '' : Number(v) })}
              />
              <TextInput
                label={t('distributions.delivery.defaultFrom')}
                error={err('defaultFrom')}
                required
                type="email"
                value={form.defaultFrom}
                onChange={(e) => set({ defaultFrom: e.currentTarget.value })}
              />
            </Group>
          </>
        )}
        {form.kind === 'twilio' && (
          <>
            <TextInput
              label={t('distributions.delivery.accountSid')}
              error={err('accountSid')}
              required
              placeholder="AC…"
              value={form.accountSid}
              onChange={(e) => set({ accountSid: e.currentTarget.value })}
            />
            <Group grow align="flex-start">
              <TextInput
                label={t('distributions.delivery.smsFrom')}
                error={err('from')}
                description={t('distributions.delivery.smsFromHint')}
                required
                value={form.from}
                onChange={(e) => set({ from: e.currentTarget.value })}
              />
              <SecretInput
                label={secretLabel}
                value={form.secret}
                stored={hasSecret}
                onChange={(secret) => set({ secret })}
              />
            </Group>
            <TextInput
              label={t('distributions.delivery.baseUrl')}
              error={err('baseUrl')}
              placeholder="https://api.twilio.com"
              value={form.baseUrl}
              onChange={(e) => set({ baseUrl: e.currentTarget.value })}
            />
          </>
        )}
        <NumberInput
          label={t('distributions.delivery.rate')}
          error={failure?.problems.find((p) => p.path === 'body.ratePerSecond')?.message}
          description={t('distributions.delivery.rateHint')}
          min={1}
          max={10_000}
          w={220}
          allowDecimal={false}
          value={form.ratePerSecond}
          onChange={(v) => set({ ratePerSecond: v === '' ? '' : Number(v) })}
        />
        {failure && (
          <Alert color="red" title={failure.message}>
            {failure.problems.length > 0 && (
              <List size="sm">
                {failure.problems.map((p) => (
                  <List.Item key={`${p.path}-${p.message}`}>
                    <Text span ff="monospace" size="xs">
                      {p.path}
                    </Text>
                    : {p.message}
                  </List.Item>
                ))}
              </List>
            )}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button
            onClick={() => save.mutate()}
            loading={save.isPending}
            data-testid={`save-provider-${channel}`}
          >
            {t('common.save')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

/** A password or token: never shown back; "stored" when the server holds one (empty keeps it). */
function SecretInput({
  label,
  value,
  stored,
  onChange,
}: {
  label: string;
  value: string;
  stored: boolean;
  onChange: (value: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <PasswordInput
      label={
        <Group gap={6} component="span">
          {label}
          {stored && (
            <Badge size="xs" color="teal" variant="light" component="span">
              {t('distributions.delivery.stored')}
            </Badge>
          )}
        </Group>
      }
      placeholder={stored ? t('distributions.delivery.keepStored') : undefined}
      autoComplete="new-password"
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
    />
  );
}
