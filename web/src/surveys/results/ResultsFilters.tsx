import { Group, Select, Switch, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { type Account, CLIENT_ROLES, type Page } from '../../api/types.ts';

export interface ResultsFilterValues {
  accountId?: string;
  subtree?: string;
  role?: string;
  from?: string;
  to?: string;
}

/** Account (with or without its subtree), client role and date range; all kept in the URL. */
export function ResultsFilters({
  directoryId,
  values,
  onChange,
}: {
  directoryId: number;
  values: ResultsFilterValues;
  onChange: (key: keyof ResultsFilterValues, value: string | null) => void;
}) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search, 250);
  const accounts = useQuery({
    queryKey: ['accounts-pick', directoryId, q],
    queryFn: () => api.get<Page<Account>>(`/directories/${directoryId}/accounts`, { q, limit: 20 }),
    placeholderData: keepPreviousData,
  });
  const picked = useQuery({
    queryKey: ['account', values.accountId],
    queryFn: () => api.get<Account>(`/accounts/${values.accountId}`),
    enabled: !!values.accountId,
  });
  const options = (accounts.data?.items ?? []).map((a) => ({ value: String(a.id), label: a.displayName }));
  if (picked.data && !options.some((o) => o.value === values.accountId))
    options.unshift({ value: String(picked.data.id), label: picked.data.displayName });

  return (
    <Group align="flex-end" gap="sm">
      <Select
        label={t('results.account')}
        placeholder={t('results.allAccounts')}
        searchable
        clearable
        data={options}
        value={values.accountId ?? null}
        onChange={(v) => onChange('accountId', v)}
        onSearchChange={setSearch}
        nothingFoundMessage={t('results.noAccountFound')}
        w={260}
        data-testid="results-account"
      />
      {values.accountId && (
        <Switch
          label={t('results.withSubtree')}
          checked={values.subtree !== 'false'}
          onChange={(e) => onChange('subtree', e.currentTarget.checked ? null : 'false')}
        />
      )}
      <Select
        label={t('results.role')}
        placeholder={t('results.allRoles')}
        clearable
        data={CLIENT_ROLES.map((r) => ({ value: r, label: t(`clientRoles.${r}`) }))}
        value={values.role ?? null}
        onChange={(v) => onChange('role', v)}
        w={220}
        data-testid="results-role"
      />
      <TextInput
        type="date"
        label={t('results.from')}
        value={values.from ?? ''}
        onChange={(e) => onChange('from', e.currentTarget.value || null)}
      />
      <TextInput
        type="date"
        label={t('results.to')}
        value={values.to ?? ''}
        onChange={(e) => onChange('to', e.currentTarget.value || null)}
      />
    </Group>
  );
}
