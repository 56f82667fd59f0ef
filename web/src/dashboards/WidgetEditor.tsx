import {
  Button,
  Checkbox,
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  Select,
  Stack,
  TextInput,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { type AttributeDefinition, CLIENT_ROLES } from '../api/types.ts';
import type { Survey, SurveyDetail } from '../surveys/types.ts';
import { GRID_COLUMNS, MAX_HEIGHT } from './grid.ts';
import { widgetTitle } from './titles.ts';
import {
  ACCOUNT_SORTS,
  BAR_DIMENSIONS,
  BAR_METRICS,
  type ClientRole,
  HEATMAP_METRICS,
  INTERVALS,
  KPI_METRICS,
  TREND_METRICS,
  type Widget,
} from './types.ts';

const CHOICE_TYPES = new Set([
  'radiogroup',
  'dropdown',
  'imagepicker',
  'checkbox',
  'tagbox',
  'rating',
  'boolean',
]);

/** The choice, rating and yes/no questions of a definition (pages, panels), in order. */
function choiceQuestions(definition: unknown): { name: string; title: string }[] {
  const out: { name: string; title: string }[] = [];
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const n = node as {
      type?: string;
      name?: string;
      title?: unknown;
      elements?: unknown[];
      pages?: unknown[];
    };
    if (n.type && n.name && CHOICE_TYPES.has(n.type)) {
      const title =
        typeof n.title === 'string' ? n.title : ((n.title as { default?: string })?.default ?? '');
      out.push({ name: n.name, title: title || n.name });
    }
    for (const child of [...(n.pages ?? []), ...(n.elements ?? [])]) walk(child);
  };
  walk(definition);
  return out;
}

/** A widget's settings: its title, size, and what its type needs, checked as the API checks them. */
export function WidgetEditor({
  widget,
  directoryId,
  onSave,
  onClose,
}: {
  widget: Widget | null;
  directoryId: number;
  onSave: (widget: Widget) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<Widget | null>(widget);
  useEffect(() => setDraft(widget), [widget]);
  const surveys = useQuery({
    queryKey: ['surveys', directoryId],
    queryFn: () => api.get<{ items: Survey[] }>(`/directories/${directoryId}/surveys`),
    enabled: !!widget,
  });
  const attributes = useQuery({
    queryKey: ['attributes', directoryId],
    queryFn: () => api.get<{ items: AttributeDefinition[] }>(`/directories/${directoryId}/attributes`),
    enabled: !!widget,
  });
  const surveyId = draft?.type === 'bar' ? draft.settings.surveyId : undefined;
  const survey = useQuery({
    queryKey: ['survey', String(surveyId)],
    queryFn: () => api.get<SurveyDetail>(`/surveys/${surveyId}`),
    enabled: !!surveyId,
  });
  if (!draft) return null;

  // Each type's settings, changed in place (the union keeps its type through the cast).
  const settings = <W extends Widget>(w: W, patch: Partial<W['settings']>) =>
    setDraft({ ...w, settings: { ...w.settings, ...patch } } as Widget);
  const label = t as unknown as (key: string) => string;
  const options = <T extends string>(values: readonly T[], prefix: string) =>
    values.map((v) => ({ value: v, label: label(`${prefix}.${v}`) }));
  const incomplete =
    draft.type === 'bar' &&
    ((draft.settings.by === 'attribute' && !draft.settings.attribute) ||
      (draft.settings.by === 'question' && (!draft.settings.surveyId || !draft.settings.question)));

  return (
    <Modal
      opened={!!widget}
      onClose={onClose}
      title={`${t('dashboards.settings.title')} · ${t(`dashboards.widgetTypes.${draft.type}`)}`}
      size="lg"
    >
      <Stack data-testid="widget-editor">
        <TextInput
          label={t('dashboards.settings.titleField')}
          placeholder={widgetTitle({ ...draft, title: '' }, t)}
          description={t('dashboards.settings.titleHint')}
          value={draft.title}
          onChange={(e) => setDraft({ ...draft, title: e.currentTarget.value })}
        />
        <Group grow>
          <NumberInput
            label={t('dashboards.settings.width')}
            min={1}
            max={GRID_COLUMNS}
            value={draft.w}
            onChange={(v) => setDraft({ ...draft, w: Math.min(GRID_COLUMNS, Math.max(1, Number(v) || 1)) })}
          />
          <NumberInput
            label={t('dashboards.settings.height')}
            min={1}
            max={MAX_HEIGHT}
            value={draft.h}
            onChange={(v) => setDraft({ ...draft, h: Math.min(MAX_HEIGHT, Math.max(1, Number(v) || 1)) })}
          />
        </Group>

        {draft.type === 'kpi' && (
          <>
            <Select
              label={t('dashboards.settings.metric')}
              allowDeselect={false}
              data={options(KPI_METRICS, 'dashboards.kpi')}
              value={draft.settings.metric}
              onChange={(v) => v && settings(draft, { metric: v as (typeof KPI_METRICS)[number] })}
              data-testid="setting-metric"
            />
            <Checkbox
              label={t('dashboards.settings.compare')}
              checked={draft.settings.compare}
              onChange={(e) => settings(draft, { compare: e.currentTarget.checked })}
            />
          </>
        )}

        {draft.type === 'trend' && (
          <Group grow>
            <Select
              label={t('dashboards.settings.metric')}
              allowDeselect={false}
              data={options(TREND_METRICS, 'dashboards.metrics')}
              value={draft.settings.metric}
              onChange={(v) => v && settings(draft, { metric: v as (typeof TREND_METRICS)[number] })}
              data-testid="setting-metric"
            />
            <Select
              label={t('dashboards.settings.interval')}
              allowDeselect={false}
              data={options(INTERVALS, 'dashboards.intervals')}
              value={draft.settings.interval}
              onChange={(v) => v && settings(draft, { interval: v as (typeof INTERVALS)[number] })}
            />
          </Group>
        )}

        {draft.type === 'bar' && (
          <>
            <Group grow>
              <Select
                label={t('dashboards.settings.metric')}
                allowDeselect={false}
                data={options(BAR_METRICS, 'dashboards.metrics')}
                value={draft.settings.metric}
                onChange={(v) => v && settings(draft, { metric: v as (typeof BAR_METRICS)[number] })}
                data-testid="setting-metric"
              />
              <Select
                label={t('dashboards.settings.by')}
                allowDeselect={false}
                data={options(BAR_DIMENSIONS, 'dashboards.dimensions')}
                value={draft.settings.by}
                onChange={(v) => v && settings(draft, { by: v as (typeof BAR_DIMENSIONS)[number] })}
                data-testid="setting-by"
              />
              <NumberInput
                label={t('dashboards.settings.limit')}
                min={1}
                max={50}
                value={draft.settings.limit}
                onChange={(v) => settings(draft, { limit: Math.min(50, Math.max(1, Number(v) || 1)) })}
              />
            </Group>
            {draft.settings.by === 'attribute' && (
              <Select
                label={t('dashboards.settings.attribute')}
                data={(attributes.data?.items ?? []).filter((a) => a.entity === 'account').map((a) => a.name)}
                value={draft.settings.attribute ?? null}
                onChange={(v) => settings(draft, { attribute: v ?? undefined })}
                searchable
              />
            )}
            {draft.settings.by === 'question' && (
              <Group grow>
                <Select
                  label={t('dashboards.settings.survey')}
                  data={(surveys.data?.items ?? []).map((s) => ({ value: String(s.id), label: s.name }))}
                  value={draft.settings.surveyId ? String(draft.settings.surveyId) : null}
                  onChange={(v) =>
                    settings(draft, { surveyId: v ? Number(v) : undefined, question: undefined })
                  }
                  searchable
                />
                <Select
                  label={t('dashboards.settings.question')}
                  data={choiceQuestions(survey.data?.definition).map((q) => ({
                    value: q.name,
                    label: q.title === q.name ? q.name : `${q.title} (${q.name})`,
                  }))}
                  value={draft.settings.question ?? null}
                  onChange={(v) => settings(draft, { question: v ?? undefined })}
                  disabled={!draft.settings.surveyId}
                  searchable
                />
              </Group>
            )}
          </>
        )}

        {draft.type === 'table' && (
          <Group grow>
            <Select
              label={t('dashboards.settings.source')}
              allowDeselect={false}
              data={options(['accounts', 'responses'] as const, 'dashboards.settings.sources')}
              value={draft.settings.source}
              onChange={(v) => v && settings(draft, { source: v as 'accounts' | 'responses' })}
              data-testid="setting-source"
            />
            {draft.settings.source === 'accounts' && (
              <Select
                label={t('dashboards.settings.sort')}
                allowDeselect={false}
                data={options(ACCOUNT_SORTS, 'dashboards.settings.sorts')}
                value={draft.settings.sort}
                onChange={(v) => v && settings(draft, { sort: v as (typeof ACCOUNT_SORTS)[number] })}
              />
            )}
            <NumberInput
              label={t('dashboards.settings.limit')}
              min={1}
              max={100}
              value={draft.settings.limit}
              onChange={(v) => settings(draft, { limit: Math.min(100, Math.max(1, Number(v) || 1)) })}
            />
          </Group>
        )}
        {draft.type === 'table' && draft.settings.source === 'accounts' && (
          <Checkbox
            label={t('dashboards.settings.onlyWithResponses')}
            checked={draft.settings.onlyWithResponses}
            onChange={(e) => settings(draft, { onlyWithResponses: e.currentTarget.checked })}
          />
        )}

        {draft.type === 'heatmap' && (
          <>
            <Group grow>
              <Select
                label={t('dashboards.settings.metric')}
                allowDeselect={false}
                data={options(HEATMAP_METRICS, 'dashboards.metrics')}
                value={draft.settings.metric}
                onChange={(v) => v && settings(draft, { metric: v as (typeof HEATMAP_METRICS)[number] })}
              />
              <NumberInput
                label={t('dashboards.settings.accountsShown')}
                min={1}
                max={100}
                value={draft.settings.accounts}
                onChange={(v) => settings(draft, { accounts: Math.min(100, Math.max(1, Number(v) || 1)) })}
              />
            </Group>
            <MultiSelect
              label={t('dashboards.settings.roles')}
              placeholder={draft.settings.roles.length ? undefined : t('dashboards.settings.allRoles')}
              data={CLIENT_ROLES.map((r) => ({ value: r, label: t(`clientRoles.${r}`) }))}
              value={draft.settings.roles}
              onChange={(roles) => settings(draft, { roles: roles as ClientRole[] })}
              clearable
            />
          </>
        )}

        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button onClick={() => onSave(draft)} disabled={incomplete} data-testid="widget-editor-save">
            {t('dashboards.settings.apply')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
