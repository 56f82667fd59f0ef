import { Button, Group, MultiSelect, Select, Switch, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { type Account, type AttributeDefinition, CLIENT_ROLES, type Page } from '../api/types.ts';
import type { Survey } from '../surveys/types.ts';
import { type ClientRole, DATE_PRESETS, type DashboardFilters } from './types.ts';

const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

/** The period picker: a preset, or two days (both included). */
export function DatePicker({
  value,
  onChange,
  presetsOnly = false,
}: {
  value: DashboardFilters['date'];
  onChange: (date: DashboardFilters['date']) => void;
  presetsOnly?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <Group gap="xs" align="flex-end" wrap="nowrap">
      <Select
        label={t('dashboards.filters.date')}
        allowDeselect={false}
        w={190}
        data={[
          ...DATE_PRESETS.map((p) => ({ value: p, label: t(`dashboards.filters.presets.${p}`) })),
          ...(presetsOnly ? [] : [{ value: 'range', label: t('dashboards.filters.custom') }]),
        ]}
        value={value.type === 'preset' ? value.preset : 'range'}
        onChange={(v) => {
          if (v === 'range') onChange({ type: 'range', from: daysAgo(29), to: today() });
          else if (v) onChange({ type: 'preset', preset: v as (typeof DATE_PRESETS)[number] });
        }}
        data-testid="filter-date"
      />
      {value.type === 'range' && (
        <>
          <TextInput
            type="date"
            label={t('dashboards.filters.from')}
            value={value.from}
            max={value.to}
            onChange={(e) => e.currentTarget.value && onChange({ ...value, from: e.currentTarget.value })}
          />
          <TextInput
            type="date"
            label={t('dashboards.filters.to')}
            value={value.to}
            min={value.from}
            onChange={(e) => e.currentTarget.value && onChange({ ...value, to: e.currentTarget.value })}
          />
        </>
      )}
    </Group>
  );
}

/** A searchable account picker (the directory's accounts by name). */
export function AccountPicker({
  directoryId,
  value,
  onChange,
  label,
  placeholder,
  testId,
  w = 260,
}: {
  directoryId: number;
  value: number | null;
  onChange: (id: number | null) => void;
  label: string;
  placeholder?: string;
  testId?: string;
  w?: number | string;
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
    queryKey: ['account', String(value)],
    queryFn: () => api.get<Account>(`/accounts/${value}`),
    enabled: value !== null,
  });
  const options = (accounts.data?.items ?? []).map((a) => ({
    value: String(a.id),
    label: a.externalRef ? `${a.displayName} (${a.externalRef})` : a.displayName,
  }));
  if (picked.data && !options.some((o) => o.value === String(value)))
    options.unshift({ value: String(picked.data.id), label: picked.data.displayName });
  return (
    <Select
      label={label}
      placeholder={placeholder}
      searchable
      clearable
      data={options}
      value={value === null ? null : String(value)}
      onChange={(v) => onChange(v ? Number(v) : null)}
      onSearchChange={setSearch}
      nothingFoundMessage={t('results.noAccountFound')}
      w={w}
      data-testid={testId}
    />
  );
}

/**
 * The dashboard's filters: period, surveys, account (and its sub-accounts), client roles, an
 * account attribute's value, a segment. What is shown here is what every widget is computed with.
 */
export function FilterBar({
  directoryId,
  value,
  onChange,
  onReset,
}: {
  directoryId: number;
  value: DashboardFilters;
  onChange: (filters: DashboardFilters) => void;
  onReset?: () => void;
}) {
  const { t } = useTranslation();
  const set = (patch: Partial<DashboardFilters>) => onChange({ ...value, ...patch });
  const surveys = useQuery({
    queryKey: ['surveys', directoryId],
    queryFn: () => api.get<{ items: Survey[] }>(`/directories/${directoryId}/surveys`),
  });
  const attributes = useQuery({
    queryKey: ['attributes', directoryId],
    queryFn: () => api.get<{ items: AttributeDefinition[] }>(`/directories/${directoryId}/attributes`),
  });
  const segments = useQuery({
    queryKey: ['segments-pick', directoryId],
    queryFn: () =>
      api.get<{ items: { id: number; name: string }[] }>(`/directories/${directoryId}/segments`, {
        counts: 'false',
      }),
    retry: false,
  });
  const [attributeName, setAttributeName] = useState<string | null>(value.attribute?.name ?? null);
  const [attributeValue, setAttributeValue] = useState(value.attribute?.value ?? '');
  const applyAttribute = (name: string | null, text: string) => {
    setAttributeName(name);
    setAttributeValue(text);
    set({ attribute: name && text.trim() ? { name, value: text.trim() } : null });
  };
  const accountAttributes = (attributes.data?.items ?? []).filter((a) => a.entity === 'account');

  return (
    <Group align="flex-end" gap="sm" data-testid="filter-bar">
      <DatePicker value={value.date} onChange={(date) => set({ date })} />
      <MultiSelect
        label={t('dashboards.filters.surveys')}
        placeholder={value.surveyIds.length ? undefined : t('dashboards.filters.allSurveys')}
        data={(surveys.data?.items ?? []).map((s) => ({ value: String(s.id), label: s.name }))}
        value={value.surveyIds.map(String)}
        onChange={(ids) => set({ surveyIds: ids.map(Number) })}
        clearable
        searchable
        w={220}
        data-testid="filter-surveys"
      />
      <AccountPicker
        directoryId={directoryId}
        label={t('dashboards.filters.account')}
        placeholder={t('dashboards.filters.allAccounts')}
        value={value.accountId}
        onChange={(accountId) => set({ accountId })}
        testId="filter-account"
      />
      {value.accountId !== null && (
        <Switch
          label={t('dashboards.filters.subtree')}
          checked={value.subtree}
          onChange={(e) => set({ subtree: e.currentTarget.checked })}
          mb={8}
        />
      )}
      <MultiSelect
        label={t('dashboards.filters.roles')}
        placeholder={value.roles.length ? undefined : t('dashboards.filters.allRoles')}
        data={CLIENT_ROLES.map((r) => ({ value: r, label: t(`clientRoles.${r}`) }))}
        value={value.roles}
        onChange={(roles) => set({ roles: roles as ClientRole[] })}
        clearable
        w={240}
        data-testid="filter-roles"
      />
      <Group gap={4} align="flex-end" wrap="nowrap">
        <Select
          label={t('dashboards.filters.attribute')}
          placeholder={t('dashboards.filters.attributeName')}
          data={accountAttributes.map((a) => a.name)}
          value={attributeName}
          onChange={(name) => applyAttribute(name, attributeValue)}
          clearable
          searchable
          w={160}
        />
        <TextInput
          aria-label={t('dashboards.filters.attributeValue')}
          placeholder={t('dashboards.filters.attributeValue')}
          value={attributeValue}
          onChange={(e) => setAttributeValue(e.currentTarget.value)}
          onBlur={() => applyAttribute(attributeName, attributeValue)}
          onKeyDown={(e) => e.key === 'Enter' && applyAttribute(attributeName, attributeValue)}
          disabled={!attributeName}
          w={130}
        />
      </Group>
      {segments.isSuccess && segments.data.items.length > 0 && (
        <Select
          label={t('dashboards.filters.segment')}
          placeholder={t('dashboards.filters.allSegments')}
          data={segments.data.items.map((s) => ({ value: String(s.id), label: s.name }))}
          value={value.segmentId === null ? null : String(value.segmentId)}
          onChange={(v) => set({ segmentId: v ? Number(v) : null })}
          clearable
          w={200}
        />
      )}
      {onReset && (
        <Button variant="subtle" onClick={onReset} data-testid="filter-reset">
          {t('dashboards.filters.reset')}
        </Button>
      )}
    </Group>
  );
}
