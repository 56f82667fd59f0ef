import {
  Anchor,
  Badge,
  Card,
  Checkbox,
  Group,
  MultiSelect,
  Select,
  Stack,
  Text,
  Textarea,
  Tooltip,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import { formatNumber } from '../i18n/index.ts';
import {
  type CampaignInfo,
  type CampaignList,
  LIST_VIEW_OBJECTS,
  type ListViewInfo,
  type ObjectInfo,
  requiredFieldsOf,
  type SyncObject,
  type SyncObjectConfig,
} from './types.ts';

export type ObjectForm = SyncObjectConfig & { enabled: boolean };

/** One object of the sync: on or off, its fields, and what selects its records (filter, list view, picked campaigns). */
export function SyncObjectCard({
  object,
  connectionId,
  config,
  onChange,
  problems,
  disabled,
  synced,
  campaignLists,
}: {
  /** A built-in object, or an other one named in the sync (its loadAs shown beside it). */
  object: string;
  connectionId: number | null;
  config: ObjectForm;
  onChange: (patch: Partial<ObjectForm>) => void;
  problems: string[];
  disabled: boolean;
  synced: number;
  campaignLists: CampaignList[];
}) {
  const { t, i18n } = useTranslation();
  const describe = useQuery({
    queryKey: ['salesforce', 'describe', connectionId, object],
    queryFn: () => api.get<ObjectInfo>(`/salesforce/connections/${connectionId}/describe/${object}`),
    enabled: connectionId !== null && config.enabled,
    staleTime: 5 * 60_000,
  });
  const required = requiredFieldsOf(object);
  // Compound fields are listed but cannot be chosen: the seed's warning says why.
  const options = useMemo(
    () =>
      (describe.data?.fields ?? [])
        .filter((f) => !required.some((r) => r.toLowerCase() === f.name.toLowerCase()))
        .map((f) => ({
          value: f.name,
          label: `${f.label} (${f.name})${f.custom ? ' ★' : ''}`,
          disabled: f.compound !== null,
        })),
    [describe.data, required],
  );
  const compound = (describe.data?.fields ?? []).filter((f) => f.compound);
  return (
    <Card withBorder padding="sm" data-testid={`sync-object-${object}`}>
      <Stack gap="xs">
        <Group justify="space-between">
          <Checkbox
            label={
              <Text fw={600}>
                {object}
                {(object === 'Lead' || object === 'Campaign') && (
                  <Text span size="xs" c="dimmed" fw={400}>
                    {' '}
                    {t(object === 'Lead' ? 'salesforce.leadsNote' : 'salesforce.campaignsNote')}
                  </Text>
                )}
                {config.loadAs && (
                  <Badge ml="xs" size="sm" variant="outline" data-testid={`sync-object-load-${object}`}>
                    → {config.loadAs}
                  </Badge>
                )}
              </Text>
            }
            checked={config.enabled}
            onChange={(e) => onChange({ enabled: e.currentTarget.checked })}
            disabled={disabled}
          />
          <Text size="xs" c="dimmed">
            {t('salesforce.syncedCount', { count: synced, n: formatNumber(synced, i18n.language) })}
          </Text>
        </Group>
        {config.enabled && (
          <>
            <Group gap={4}>
              <Text size="xs" c="dimmed">
                {t('salesforce.requiredFields')}
              </Text>
              {required.map((f) => (
                <Badge key={f} size="sm" variant="light">
                  {f}
                </Badge>
              ))}
            </Group>
            <MultiSelect
              label={t('salesforce.fields')}
              description={t('salesforce.fieldsHelp')}
              searchable
              clearable
              data={options}
              value={config.fields}
              onChange={(fields) => onChange({ fields })}
              disabled={disabled || connectionId === null}
              error={problems.find((p) => p) && problems.join(' · ')}
              nothingFoundMessage={describe.isPending ? t('common.loading') : t('common.none')}
            />
            {compound.length > 0 && (
              <Tooltip label={compound[0]!.compound} multiline w={420}>
                <Text size="xs" c="dimmed">
                  {t('salesforce.compoundNote', { fields: compound.map((f) => f.name).join(', ') })}
                </Text>
              </Tooltip>
            )}
            {object === 'Campaign' && (
              <CampaignPicker
                connectionId={connectionId}
                value={config.ids}
                onChange={(ids) => onChange({ ids })}
                disabled={disabled}
              />
            )}
            {LIST_VIEW_OBJECTS.includes(object as SyncObject) && (
              <ListViewSelect
                object={object as SyncObject}
                connectionId={connectionId}
                value={config.listView}
                onChange={(listView) => onChange({ listView })}
                disabled={disabled}
              />
            )}
            <Textarea
              label={t('salesforce.filter')}
              description={t('salesforce.filterHelp')}
              placeholder={object === 'Campaign' ? 'IsActive = true' : "Type = 'Customer - Direct'"}
              autosize
              minRows={1}
              value={config.where ?? ''}
              onChange={(e) => onChange({ where: e.currentTarget.value })}
              disabled={disabled}
              styles={{ input: { fontFamily: 'monospace' } }}
            />
            {object === 'Campaign' && campaignLists.length > 0 && (
              <Group gap={6} data-testid="campaign-lists">
                <Text size="xs" c="dimmed">
                  {t('salesforce.campaignListsTitle')}
                </Text>
                {campaignLists.map((l) => (
                  <Anchor
                    key={l.campaignId}
                    component={Link}
                    to={`/directory/contacts?listId=${l.mailingListId}`}
                    size="xs"
                    c={l.synced ? undefined : 'dimmed'}
                  >
                    {l.name ?? l.campaignId}
                    {l.synced ? '' : ` (${t('salesforce.campaignLeft')})`}
                  </Anchor>
                ))}
              </Group>
            )}
          </>
        )}
      </Stack>
    </Card>
  );
}

function ListViewSelect({
  object,
  connectionId,
  value,
  onChange,
  disabled,
}: {
  object: SyncObject;
  connectionId: number | null;
  value: string | null;
  onChange: (value: string | null) => void;
  disabled: boolean;
}) {
  const { t } = useTranslation();
  const views = useQuery({
    queryKey: ['salesforce', 'list-views', connectionId, object],
    queryFn: () =>
      api.get<{ items: ListViewInfo[] }>(`/salesforce/connections/${connectionId}/list-views/${object}`),
    enabled: connectionId !== null,
    staleTime: 60_000,
  });
  const data = (views.data?.items ?? []).map((v) => ({
    value: v.developerName,
    label: `${v.label} (${v.developerName})`,
    disabled: !v.soqlCompatible,
  }));
  // A saved view the org no longer lists stays shown, so the user sees what is saved.
  if (value && !data.some((d) => d.value === value)) data.push({ value, label: value, disabled: false });
  return (
    <Select
      label={t('salesforce.listView')}
      description={t('salesforce.listViewHelp')}
      placeholder={t('salesforce.noListView')}
      data={data}
      value={value}
      onChange={onChange}
      clearable
      searchable
      disabled={disabled || connectionId === null}
      nothingFoundMessage={views.isPending ? t('common.loading') : t('common.none')}
      data-testid={`list-view-${object}`}
    />
  );
}

function CampaignPicker({
  connectionId,
  value,
  onChange,
  disabled,
}: {
  connectionId: number | null;
  value: string[];
  onChange: (ids: string[]) => void;
  disabled: boolean;
}) {
  const { t } = useTranslation();
  const campaigns = useQuery({
    queryKey: ['salesforce', 'campaigns', connectionId],
    queryFn: () =>
      api.get<{ items: CampaignInfo[]; truncated: boolean }>(
        `/salesforce/connections/${connectionId}/campaigns`,
      ),
    enabled: connectionId !== null,
    staleTime: 60_000,
  });
  const data = (campaigns.data?.items ?? []).map((c) => ({
    value: c.id,
    label: `${c.name} · ${c.status ?? '—'}${c.isActive ? '' : ` · ${t('salesforce.inactive')}`}`,
  }));
  for (const id of value) if (!data.some((d) => d.value === id)) data.push({ value: id, label: id });
  return (
    <MultiSelect
      label={t('salesforce.campaigns')}
      description={t('salesforce.campaignsHelp')}
      placeholder={value.length ? undefined : t('salesforce.allCampaigns')}
      data={data}
      value={value}
      onChange={onChange}
      searchable
      clearable
      disabled={disabled || connectionId === null}
      nothingFoundMessage={campaigns.isPending ? t('common.loading') : t('common.none')}
      data-testid="campaign-picker"
    />
  );
}
