import { Badge, Text } from '@mantine/core';
import { IconMail, IconMessage } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { Account, Contact, Page } from '../api/types.ts';
import { formatDateTime } from '../i18n/index.ts';
import type { Survey } from '../surveys/types.ts';
import {
  type Channel,
  type Distribution,
  type DistributionStatus,
  type Kind,
  RECIPIENT_COLORS,
  type RecipientStatus,
  STATUS_COLORS,
} from './types.ts';

export function StatusBadge({ status }: { status: DistributionStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={STATUS_COLORS[status] ?? 'gray'} variant="light" data-testid="distribution-status">
      {t(`distributions.statuses.${status}`, { defaultValue: status })}
    </Badge>
  );
}

export function RecipientStatusBadge({ status }: { status: RecipientStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={RECIPIENT_COLORS[status] ?? 'gray'} variant="light" size="sm">
      {t(`distributions.recipientStatuses.${status}`, { defaultValue: status })}
    </Badge>
  );
}

export function ChannelBadge({ channel }: { channel: Channel }) {
  const { t } = useTranslation();
  const Icon = channel === 'email' ? IconMail : IconMessage;
  return (
    <Badge
      color={channel === 'email' ? 'indigo' : 'grape'}
      variant="outline"
      leftSection={<Icon size={12} />}
      size="sm"
    >
      {t(`distributions.channels.${channel}`)}
    </Badge>
  );
}

export function KindLabel({ kind }: { kind: Kind }) {
  const { t } = useTranslation();
  return <Text size="sm">{t(`distributions.kinds.${kind}`)}</Text>;
}

/** A wall-clock "2026-12-01T09:00" in the reader's date format (no conversion: it is the zone's time). */
export function formatWallClock(local: string, locale: string): string {
  const date = new Date(`${local}:00Z`);
  if (Number.isNaN(date.getTime())) return local;
  return date.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
}

/** When it goes (scheduled: as given, in its time zone) or went (started). */
export function WhenText({ distribution: d }: { distribution: Distribution }) {
  const { t, i18n } = useTranslation();
  if (d.startedAt)
    return (
      <Text size="sm" title={t('distributions.startedAt')}>
        {formatDateTime(d.startedAt, i18n.language)}
      </Text>
    );
  if (d.status === 'draft' && !d.scheduledLocal)
    return (
      <Text size="sm" c="dimmed">
        {t('distributions.notScheduled')}
      </Text>
    );
  if (!d.scheduledLocal) return <Text size="sm">—</Text>;
  return (
    <Text size="sm">
      {formatWallClock(d.scheduledLocal, i18n.language)}{' '}
      <Text span size="xs" c="dimmed">
        {d.timeZone}
      </Text>
    </Text>
  );
}

export function useSurveys(directoryId: number | undefined) {
  return useQuery({
    queryKey: ['surveys', directoryId],
    queryFn: () => api.get<{ items: Survey[] }>(`/directories/${directoryId}/surveys`),
    enabled: !!directoryId,
  });
}

export const personName = (c: Pick<Contact, 'firstName' | 'lastName' | 'email' | 'id'>) =>
  [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || `#${c.id}`;

export const contactLabel = (c: Contact) => personName(c) + (c.email ? ` <${c.email}>` : '');

/**
 * Options for a searchable contact or account picker: the server's matches for what is typed,
 * plus the labels of those already picked (kept, so a pick stays named when the search changes).
 */
export function useSearchOptions(kind: 'contacts' | 'accounts', directoryId: number | undefined) {
  const [search, setSearch] = useState('');
  const [labels, setLabels] = useState<Record<string, string>>({});
  const query = useQuery({
    queryKey: [`${kind}-pick`, directoryId, search],
    queryFn: async (): Promise<{ value: string; label: string }[]> => {
      if (kind === 'contacts') {
        const page = await api.get<Page<Contact>>(`/directories/${directoryId}/contacts`, {
          q: search,
          limit: 20,
        });
        return page.items.map((c) => ({ value: String(c.id), label: contactLabel(c) }));
      }
      const page = await api.get<Page<Account>>(`/directories/${directoryId}/accounts`, {
        q: search,
        limit: 20,
      });
      return page.items.map((a) => ({ value: String(a.id), label: a.displayName }));
    },
    enabled: !!directoryId,
    placeholderData: keepPreviousData,
  });
  const found = query.data ?? [];
  const remember = (values: string[]) => {
    const known = { ...labels };
    for (const o of found) if (values.includes(o.value)) known[o.value] = o.label;
    setLabels(known);
  };
  const options = (picked: string[]) => {
    const list = [...found];
    for (const value of picked)
      if (!list.some((o) => o.value === value)) list.push({ value, label: labels[value] ?? `#${value}` });
    return list;
  };
  return { search, setSearch, options, remember, setLabels, labels, loading: query.isFetching };
}
