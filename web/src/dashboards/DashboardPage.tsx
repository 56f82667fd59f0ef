import {
  ActionIcon,
  Alert,
  Anchor,
  Breadcrumbs,
  Button,
  Group,
  Menu,
  Modal,
  SegmentedControl,
  Stack,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError, api, errorMessage } from '../api/client.ts';
import { useCan, useCurrentUser } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { EmbedDialog } from './EmbedDialog.tsx';
import { csvUrl } from './export.ts';
import { FilterBar } from './FilterBar.tsx';
import {
  addPage,
  addWidget,
  moveWidget,
  newWidget,
  removePage,
  removeWidget,
  renamePage,
  replaceWidget,
  resizeWidget,
} from './grid.ts';
import { pageTitle } from './titles.ts';
import {
  type Dashboard,
  type DashboardFilters,
  DEFAULT_FILTERS,
  WIDGET_TYPES,
  type Widget,
  type WidgetResult,
} from './types.ts';
import { WidgetCard, WidgetGrid } from './WidgetCard.tsx';
import { WidgetEditor } from './WidgetEditor.tsx';

/** The filters in the URL (a link someone shared), completed with the defaults. */
function parseFilters(text: string | null): DashboardFilters | null {
  if (!text) return null;
  try {
    const parsed = JSON.parse(text) as Partial<DashboardFilters>;
    return parsed && typeof parsed === 'object' ? { ...DEFAULT_FILTERS, ...parsed } : null;
  } catch {
    return null;
  }
}

/**
 * A dashboard: its pages as tabs, the filter bar (kept in the URL), the widgets on their grid, each
 * with its menu (CSV, PNG); the editor (widgets added, sized, moved, set up; pages; the defaults),
 * and the embed dialog for a CRM account page.
 */
export function DashboardPage() {
  const { id } = useParams();
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const me = useCurrentUser();
  const canWrite = useCan('data:write');
  const [params, setParams] = useSearchParams();
  const [draft, setDraft] = useState<Dashboard | null>(null);
  const [editing, setEditing] = useState<{ widget: Widget; isNew: boolean } | null>(null);
  const [embedding, setEmbedding] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [filterKey, setFilterKey] = useState(0);

  const dashboard = useQuery({
    queryKey: ['dashboard', id],
    queryFn: () => api.get<Dashboard>(`/dashboards/${id}`),
  });
  // A new dashboard opens in the editor (?edit=1).
  const wantsEditor = params.get('edit') === '1';
  useEffect(() => {
    if (wantsEditor && dashboard.data && !draft) setDraft(structuredClone(dashboard.data));
  }, [wantsEditor, dashboard.data, draft]);
  const shown = draft ?? dashboard.data;
  const filters = parseFilters(params.get('f')) ?? shown?.filters ?? null;
  const page = shown?.pages.find((p) => p.id === params.get('page')) ?? shown?.pages[0];
  const locale = i18n.language === 'en' ? '' : i18n.language;

  const setParam = (key: string, value: string | null) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value === null) next.delete(key);
        else next.set(key, value);
        return next;
      },
      { replace: true },
    );

  const saved = dashboard.data;
  const data = useQuery({
    queryKey: draft
      ? ['widget-preview', draft.directoryId, page?.widgets, filters, locale]
      : ['dashboard-data', id, saved?.version, page?.id, filters, locale],
    queryFn: () =>
      draft
        ? api.post<{ widgets: WidgetResult[] }>(`/directories/${draft.directoryId}/widget-data`, {
            filters,
            widgets: page?.widgets ?? [],
            locale,
          })
        : api.post<{ widgets: WidgetResult[] }>(`/dashboards/${id}/pages/${page!.id}/data`, {
            filters,
            locale,
          }),
    enabled: !!page && !!filters && (page.widgets.length > 0 || !draft),
    placeholderData: keepPreviousData,
  });
  const results = useMemo(() => new Map((data.data?.widgets ?? []).map((r) => [r.widgetId, r])), [data.data]);

  const save = useMutation({
    mutationFn: (d: Dashboard) => api.put<Dashboard>(`/dashboards/${d.id}`, d),
    onSuccess: (updated) => {
      client.setQueryData(['dashboard', id], updated);
      void client.invalidateQueries({ queryKey: ['dashboards', updated.directoryId] });
      setDraft(null);
      setParam('edit', null);
      notifications.show({ color: 'teal', message: t('dashboards.saved') });
    },
    onError: (e) =>
      notifications.show({
        color: 'red',
        message: e instanceof ApiError && e.status === 409 ? t('dashboards.conflict') : errorMessage(e),
      }),
  });
  const remove = useMutation({
    mutationFn: () => api.delete(`/dashboards/${id}`),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['dashboards', saved?.directoryId] });
      void navigate('/dashboards');
    },
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });

  if (dashboard.isError)
    return <ErrorState error={dashboard.error} onRetry={() => void dashboard.refetch()} />;
  if (!shown || !filters || !page) return <Loading />;
  const canEdit = canWrite && (shown.visibility === 'shared' || shown.ownerUserId === me.id);
  const change = (next: Dashboard) => setDraft(next);

  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/dashboards">
          {t('nav.dashboards')}
        </Anchor>
        <Text>{shown.name}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-start">
        {draft ? (
          <Stack gap="xs" style={{ flex: 1 }} maw={640}>
            <TextInput
              label={t('common.name')}
              value={draft.name}
              onChange={(e) => change({ ...draft, name: e.currentTarget.value })}
              data-testid="dashboard-name"
            />
            <Textarea
              label={t('dashboards.description')}
              value={draft.description}
              autosize
              minRows={1}
              onChange={(e) => change({ ...draft, description: e.currentTarget.value })}
            />
            <SegmentedControl
              value={draft.visibility}
              onChange={(v) => change({ ...draft, visibility: v as 'shared' | 'personal' })}
              data={[
                { value: 'shared', label: t('dashboards.visibilities.shared') },
                { value: 'personal', label: t('dashboards.visibilities.personal') },
              ]}
              w="fit-content"
            />
          </Stack>
        ) : (
          <Stack gap={2}>
            <Title order={2} data-testid="dashboard-title">
              {shown.name}
            </Title>
            {shown.description && <Text c="dimmed">{shown.description}</Text>}
          </Stack>
        )}
        <Group>
          {draft ? (
            <>
              <Menu withinPortal>
                <Menu.Target>
                  <Button leftSection={<IconPlus size={16} />} variant="light" data-testid="add-widget">
                    {t('dashboards.addWidget')}
                  </Button>
                </Menu.Target>
                <Menu.Dropdown>
                  {WIDGET_TYPES.map((type) => (
                    <Menu.Item
                      key={type}
                      onClick={() => setEditing({ widget: newWidget(type), isNew: true })}
                      data-testid={`add-${type}`}
                    >
                      {t(`dashboards.widgetTypes.${type}`)}
                    </Menu.Item>
                  ))}
                </Menu.Dropdown>
              </Menu>
              <Tooltip label={t('dashboards.filters.saveAsDefaultHint')}>
                <Button variant="default" onClick={() => change({ ...draft, filters })}>
                  {t('dashboards.filters.saveAsDefault')}
                </Button>
              </Tooltip>
              <Button variant="default" color="red" onClick={() => setDeleting(true)}>
                {t('common.delete')}
              </Button>
              <Button
                variant="default"
                onClick={() => {
                  setDraft(null);
                  setParam('edit', null);
                }}
              >
                {t('common.cancel')}
              </Button>
              <Button
                onClick={() => save.mutate(draft)}
                loading={save.isPending}
                disabled={!draft.name.trim()}
                data-testid="dashboard-save"
              >
                {t('common.save')}
              </Button>
            </>
          ) : (
            <>
              <Button variant="light" onClick={() => setEmbedding(true)} data-testid="dashboard-embed">
                {t('dashboards.embed.button')}
              </Button>
              {canEdit && (
                <Button onClick={() => setDraft(structuredClone(saved!))} data-testid="dashboard-edit">
                  {t('dashboards.edit')}
                </Button>
              )}
            </>
          )}
        </Group>
      </Group>

      <FilterBar
        key={filterKey}
        directoryId={shown.directoryId}
        value={filters}
        onChange={(next) => setParam('f', JSON.stringify(next))}
        onReset={
          params.get('f')
            ? () => {
                setParam('f', null);
                setFilterKey((k) => k + 1);
              }
            : undefined
        }
      />

      <Tabs value={page.id} onChange={(v) => v && setParam('page', v)} keepMounted={false}>
        <Tabs.List>
          {shown.pages.map((p, i) => (
            <Tabs.Tab key={p.id} value={p.id} data-testid={`page-${p.id}`}>
              {pageTitle(p, i, t)}
            </Tabs.Tab>
          ))}
          {draft && (
            <ActionIcon
              variant="subtle"
              ml="xs"
              mt={6}
              aria-label={t('dashboards.addPage')}
              onClick={() => {
                const made = addPage(draft, '');
                change(made.draft);
                setParam('page', made.pageId);
              }}
            >
              <IconPlus size={16} />
            </ActionIcon>
          )}
        </Tabs.List>
      </Tabs>
      {draft && (
        <Group gap="xs" align="flex-end">
          <TextInput
            label={t('dashboards.pageTitle')}
            placeholder={pageTitle({ ...page, title: '' }, shown.pages.indexOf(page), t)}
            value={page.title}
            onChange={(e) => change(renamePage(draft, page.id, e.currentTarget.value))}
            w={260}
          />
          {draft.pages.length > 1 && (
            <Button
              variant="subtle"
              color="red"
              leftSection={<IconTrash size={14} />}
              onClick={() => {
                change(removePage(draft, page.id));
                setParam('page', null);
              }}
            >
              {t('dashboards.removePage')}
            </Button>
          )}
        </Group>
      )}

      {data.isError && <ErrorState error={data.error} onRetry={() => void data.refetch()} />}
      {page.widgets.length === 0 ? (
        <Alert color="gray">{draft ? t('dashboards.emptyPageEditing') : t('dashboards.emptyPage')}</Alert>
      ) : (
        <WidgetGrid>
          {page.widgets.map((widget) => (
            <WidgetCard
              key={widget.id}
              widget={widget}
              result={results.get(widget.id)}
              loading={data.isFetching}
              csvHref={draft ? undefined : csvUrl(shown.id, widget.id, filters, locale)}
              edit={
                draft
                  ? {
                      onEdit: () => setEditing({ widget, isNew: false }),
                      onRemove: () => change(removeWidget(draft, page.id, widget.id)),
                      onMove: (by) => change(moveWidget(draft, page.id, widget.id, by)),
                      onResize: (size) => change(resizeWidget(draft, page.id, widget.id, size)),
                    }
                  : undefined
              }
            />
          ))}
        </WidgetGrid>
      )}

      <WidgetEditor
        widget={editing?.widget ?? null}
        directoryId={shown.directoryId}
        onClose={() => setEditing(null)}
        onSave={(widget) => {
          if (draft)
            change(
              editing?.isNew ? addWidget(draft, page.id, widget) : replaceWidget(draft, page.id, widget),
            );
          setEditing(null);
        }}
      />
      {saved && <EmbedDialog dashboard={saved} opened={embedding} onClose={() => setEmbedding(false)} />}
      <Modal opened={deleting} onClose={() => setDeleting(false)} title={t('common.delete')}>
        <Stack>
          <Text>{t('dashboards.deleteConfirm', { name: shown.name })}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDeleting(false)}>
              {t('common.cancel')}
            </Button>
            <Button color="red" onClick={() => remove.mutate()} loading={remove.isPending}>
              {t('common.delete')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
