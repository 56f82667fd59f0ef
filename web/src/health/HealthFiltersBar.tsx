import { Autocomplete, Button, Checkbox, Group, MultiSelect, Select, Switch, TextInput } from '@mantine/core';
import { IconSearch, IconX } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { type AttributeDefinition, TEAM_ROLES } from '../api/types.ts';
import { BANDS, HEALTH_SORTS, RISKS } from './types.ts';
import type { useHealthFilters } from './use-health.ts';

/** The seed's inactivity buckets: no response and no survey sent in 30, 60 or 90 days. */
const INACTIVE_DAYS = [30, 60, 90] as const;

/** The list's filters; every one lives in the URL, so a view can be bookmarked and shared. */
export function HealthFiltersBar({
  directoryId,
  state,
  owners,
  q,
  onQ,
}: {
  directoryId: number;
  state: ReturnType<typeof useHealthFilters>;
  /** Owners seen among the accounts, for the owner field's suggestions. */
  owners: string[];
  q: string;
  onQ: (q: string) => void;
}) {
  const { t } = useTranslation();
  const { filters, set, active, clear } = state;
  const attributes = useQuery({
    queryKey: ['attributes', directoryId],
    queryFn: () => api.get<{ items: AttributeDefinition[] }>(`/directories/${directoryId}/attributes`),
  });
  const [attributeName, ...rest] = filters.attribute.split(':');
  const attributeValue = rest.join(':');
  const accountAttributes = (attributes.data?.items ?? [])
    .filter((a) => a.entity === 'account')
    .map((a) => a.name);
  const enumValues =
    attributes.data?.items.find((a) => a.entity === 'account' && a.name === attributeName)?.enumValues ?? [];

  return (
    <Group align="flex-end" gap="sm" wrap="wrap" data-testid="health-filters">
      <TextInput
        w={220}
        leftSection={<IconSearch size={16} />}
        aria-label={t('common.search')}
        placeholder={t('health.filters.search')}
        value={q}
        onChange={(e) => onQ(e.currentTarget.value)}
        data-testid="health-search"
      />
      <MultiSelect
        label={t('health.risk')}
        w={200}
        clearable
        value={filters.risk}
        data={RISKS.map((value) => ({ value, label: t(`health.risks.${value}`) }))}
        onChange={(v) => set({ risk: v.join(',') || null })}
        data-testid="filter-risk"
      />
      <MultiSelect
        label={t('health.band')}
        w={200}
        clearable
        value={filters.band}
        data={BANDS.map((value) => ({ value, label: t(`health.bands.${value}`) }))}
        onChange={(v) => set({ band: v.join(',') || null })}
        data-testid="filter-band"
      />
      <Autocomplete
        label={t('health.filters.owner')}
        w={230}
        value={filters.owner}
        data={owners}
        onChange={(v) => set({ owner: v.trim() || null, mine: null })}
        placeholder={t('health.filters.anyOwner')}
        data-testid="filter-owner"
      />
      <Select
        label={t('health.filters.teamRole')}
        w={220}
        clearable
        disabled={!!filters.owner}
        value={filters.owner ? 'ACCOUNT_OWNER' : filters.teamRole}
        data={TEAM_ROLES.map((value) => ({ value, label: t(`teamRoles.${value}`) }))}
        onChange={(v) => set({ teamRole: v })}
        data-testid="filter-team-role"
      />
      <Select
        label={t('health.filters.attribute')}
        w={170}
        clearable
        searchable
        value={attributeName || null}
        data={accountAttributes}
        onChange={(v) => set({ attribute: v ? `${v}:${attributeValue}` : null })}
        data-testid="filter-attribute"
      />
      {attributeName &&
        (enumValues.length ? (
          <Select
            label={t('health.filters.value')}
            w={150}
            value={attributeValue || null}
            data={enumValues}
            onChange={(v) => set({ attribute: `${attributeName}:${v ?? ''}` })}
          />
        ) : (
          <TextInput
            label={t('health.filters.value')}
            w={150}
            value={attributeValue}
            onChange={(e) => set({ attribute: `${attributeName}:${e.currentTarget.value}` })}
            data-testid="filter-attribute-value"
          />
        ))}
      <Select
        label={t('health.filters.inactive')}
        w={190}
        clearable
        value={filters.inactiveDays === null ? null : String(filters.inactiveDays)}
        data={INACTIVE_DAYS.map((days) => ({
          value: String(days),
          label: t('health.filters.inactiveDays', { count: days }),
        }))}
        onChange={(v) => set({ inactive: v })}
        placeholder={t('health.filters.anyActivity')}
        data-testid="filter-inactive"
      />
      <Select
        label={t('directory.sortBy')}
        w={170}
        allowDeselect={false}
        value={filters.sort}
        data={HEALTH_SORTS.map((value) => ({ value, label: t(`health.sorts.${value}`) }))}
        onChange={(v) => set({ sort: v === 'risk' ? null : v })}
        data-testid="filter-sort"
      />
      <Group gap="md" mb={6}>
        <Switch
          label={t('health.filters.mine')}
          checked={filters.mine}
          onChange={(e) => set({ mine: e.currentTarget.checked ? '1' : null, owner: null })}
          data-testid="filter-mine"
        />
        <Checkbox
          label={t('accounts.rootsOnly')}
          checked={filters.topLevel}
          onChange={(e) => set({ level: e.currentTarget.checked ? '0' : null })}
          data-testid="filter-top-level"
        />
        <Checkbox
          label={t('health.filters.subtree')}
          checked={filters.scope === 'subtree'}
          onChange={(e) => set({ scope: e.currentTarget.checked ? 'subtree' : null })}
          data-testid="filter-subtree"
        />
        {active && (
          <Button
            size="compact-sm"
            variant="subtle"
            leftSection={<IconX size={14} />}
            onClick={() => {
              onQ('');
              clear();
            }}
          >
            {t('health.filters.clear')}
          </Button>
        )}
      </Group>
    </Group>
  );
}
