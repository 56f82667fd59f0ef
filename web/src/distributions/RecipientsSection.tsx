import {
  Alert,
  Badge,
  Group,
  Loader,
  MultiSelect,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Text,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconUsers } from '@tabler/icons-react';
import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { type Account, CLIENT_ROLES, type Contact, type MailingList, TEAM_ROLES } from '../api/types.ts';
import { useCurrentUser } from '../auth/session.ts';
import { formatNumber } from '../i18n/index.ts';
import type { Segment } from '../segments/model.ts';
import { type AudienceType, audienceOf, type Draft } from './form-model.ts';
import { contactLabel, type useSearchOptions } from './parts.tsx';

type Options = ReturnType<typeof useSearchOptions>;

/** Who an invitation goes to: a mailing list, picked contacts, or contacts by role in accounts. */
export function RecipientsSection({
  draft,
  set,
  directoryId,
  contacts,
  accounts,
  error,
}: {
  draft: Draft;
  set: (patch: Partial<Draft>) => void;
  directoryId: number;
  contacts: Options;
  accounts: Options;
  error?: string;
}) {
  const { t, i18n } = useTranslation();
  const user = useCurrentUser();
  const lists = useQuery({
    queryKey: ['mailing-lists', directoryId],
    queryFn: () => api.get<{ items: MailingList[] }>(`/directories/${directoryId}/mailing-lists`),
  });
  const segments = useQuery({
    queryKey: ['segments', directoryId],
    queryFn: () => api.get<{ items: Segment[] }>(`/directories/${directoryId}/segments`),
    enabled: draft.audienceType === 'segment',
  });
  const segment = segments.data?.items.find((s) => String(s.id) === draft.segmentId);
  const audience = audienceOf(draft, user.email);
  const [debounced] = useDebouncedValue(JSON.stringify(audience), 300);
  const count = useQuery({
    queryKey: ['audience-count', directoryId, debounced],
    queryFn: () =>
      api.post<{ contacts: number }>(`/directories/${directoryId}/audience-count`, JSON.parse(debounced)),
    enabled: debounced !== 'null',
    placeholderData: keepPreviousData,
  });
  useNames(draft.contactIds, contacts, 'contacts');
  useNames(draft.accountIds, accounts, 'accounts');

  return (
    <Stack gap="sm">
      <SegmentedControl
        value={draft.audienceType}
        onChange={(value) => set({ audienceType: value as AudienceType })}
        data={[
          ...(['mailingList', 'contacts', 'accountRoles'] as const).map((value) => ({
            value,
            label: t(`distributions.audience.${value}`),
          })),
          { value: 'segment', label: t('segments.audienceOption') },
        ]}
        data-testid="audience-type"
      />
      {draft.audienceType === 'mailingList' && (
        <Select
          label={t('distributions.mailingList')}
          placeholder={t('distributions.pickList')}
          searchable
          value={draft.mailingListId}
          onChange={(value) => set({ mailingListId: value })}
          data={(lists.data?.items ?? []).map((l) => ({
            value: String(l.id),
            label: t('distributions.listOption', { name: l.name, count: l.members }),
          }))}
          nothingFoundMessage={t('distributions.noLists')}
          data-testid="mailing-list"
        />
      )}
      {draft.audienceType === 'segment' && (
        <Stack gap="sm">
          <Select
            label={t('segments.audienceOption')}
            placeholder={t('segments.pickSegment')}
            searchable
            value={draft.segmentId}
            onChange={(value) => set({ segmentId: value })}
            data={(segments.data?.items ?? []).map((s) => ({
              value: String(s.id),
              label: t('segments.segmentOption', {
                name: s.name,
                entity: t(`segments.entities.${s.entity}`),
                count: s.count ?? '—',
              }),
            }))}
            rightSection={segments.isFetching ? <Loader size="xs" /> : undefined}
            nothingFoundMessage={t('segments.noSegments')}
            description={t('segments.alwaysCurrent')}
            data-testid="segment-picker"
          />
          {draft.segmentId && (
            <MultiSelect
              label={segment?.entity === 'account' ? t('segments.accountRoles') : t('segments.contactRoles')}
              placeholder={t('segments.anyRole')}
              value={draft.roles}
              onChange={(roles) => set({ roles })}
              data={CLIENT_ROLES.map((value) => ({ value, label: t(`clientRoles.${value}`) }))}
              data-testid="segment-roles"
            />
          )}
        </Stack>
      )}
      {draft.audienceType === 'contacts' && (
        <MultiSelect
          label={t('distributions.pickedContacts')}
          placeholder={t('distributions.searchContacts')}
          searchable
          searchValue={contacts.search}
          onSearchChange={contacts.setSearch}
          filter={({ options }) => options}
          value={draft.contactIds}
          onChange={(values) => {
            contacts.remember(values);
            set({ contactIds: values });
          }}
          data={contacts.options(draft.contactIds)}
          rightSection={contacts.loading ? <Loader size="xs" /> : undefined}
          nothingFoundMessage={t('common.none')}
          hidePickedOptions
          data-testid="contacts-picker"
        />
      )}
      {draft.audienceType === 'accountRoles' && (
        <Stack gap="sm">
          <MultiSelect
            label={t('distributions.roles')}
            placeholder={t('distributions.pickRoles')}
            value={draft.roles}
            onChange={(roles) => set({ roles })}
            data={CLIENT_ROLES.map((value) => ({ value, label: t(`clientRoles.${value}`) }))}
            data-testid="roles-picker"
          />
          <MultiSelect
            label={t('distributions.inAccounts')}
            placeholder={t('distributions.allAccounts')}
            description={t('distributions.inAccountsHint')}
            searchable
            searchValue={accounts.search}
            onSearchChange={accounts.setSearch}
            filter={({ options }) => options}
            value={draft.accountIds}
            onChange={(values) => {
              accounts.remember(values);
              set({ accountIds: values });
            }}
            data={accounts.options(draft.accountIds)}
            hidePickedOptions
            nothingFoundMessage={t('common.none')}
          />
          {draft.accountIds.length > 0 && (
            <Switch
              label={t('distributions.includeChildren')}
              checked={draft.includeDescendants}
              onChange={(e) => set({ includeDescendants: e.currentTarget.checked })}
            />
          )}
          <Switch
            label={t('distributions.onlyMine', { email: user.email })}
            checked={draft.onlyMine}
            onChange={(e) =>
              set({
                onlyMine: e.currentTarget.checked,
                ...(e.currentTarget.checked ? {} : { teamRole: null }),
              })
            }
          />
          {draft.onlyMine && (
            <Select
              label={t('distributions.teamRole')}
              placeholder={t('distributions.anyTeamRole')}
              clearable
              w={300}
              value={draft.teamRole}
              onChange={(value) => set({ teamRole: value })}
              data={TEAM_ROLES.map((value) => ({ value, label: t(`teamRoles.${value}`) }))}
            />
          )}
        </Stack>
      )}
      {error && (
        <Text c="red" size="sm">
          {error}
        </Text>
      )}
      <Group gap="xs" data-testid="audience-count">
        <IconUsers size={16} />
        {debounced === 'null' ? (
          <Text size="sm" c="dimmed">
            {t('distributions.audienceIncomplete')}
          </Text>
        ) : count.isError ? (
          <Text size="sm" c="red">
            {t('distributions.countFailed')}
          </Text>
        ) : count.data ? (
          <Badge variant="light" size="lg" color={count.data.contacts ? 'indigo' : 'gray'}>
            {t('distributions.contactsCount', {
              count: count.data.contacts,
              formatted: formatNumber(count.data.contacts, i18n.language),
            })}
          </Badge>
        ) : (
          <Loader size="xs" />
        )}
        {count.data && (
          <Text size="xs" c="dimmed">
            {t('distributions.countHint')}
          </Text>
        )}
      </Group>
      {count.data?.contacts === 0 && debounced !== 'null' && (
        <Alert color="yellow" p="xs">
          {t('distributions.noRecipients')}
        </Alert>
      )}
    </Stack>
  );
}

/** Names the picks that arrived as ids only (a saved distribution opened to edit). */
function useNames(ids: string[], options: Options, kind: 'contacts' | 'accounts') {
  const missing = ids.filter((id) => !options.labels[id]).slice(0, 50);
  const results = useQueries({
    queries: missing.map((id) => ({
      queryKey: [kind === 'contacts' ? 'contact' : 'account', id],
      queryFn: () => api.get<Contact | Account>(kind === 'contacts' ? `/contacts/${id}` : `/accounts/${id}`),
      staleTime: 300_000,
    })),
  });
  const found = results
    .map((r) => r.data)
    .filter((d): d is Contact | Account => !!d)
    .map((d) => [
      String(d.id),
      kind === 'contacts' ? contactLabel(d as Contact) : (d as Account).displayName,
    ]);
  const key = found.map(([id]) => id).join(',');
  const { setLabels } = options;
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when new names arrive (key)
  useEffect(() => {
    if (found.length) setLabels((prev) => ({ ...prev, ...Object.fromEntries(found) }));
  }, [key, setLabels]);
}
