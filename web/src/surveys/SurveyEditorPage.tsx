import { Alert, Badge, Button, Group, Stack, Tabs, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { ApiError, api, errorMessage } from '../api/client.ts';
import { useCan } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { BuilderPanel } from './BuilderPanel.tsx';
import { type Definition, withPages } from './definition-edit.ts';
import { JsonPanel } from './JsonPanel.tsx';
import { LinksPanel } from './LinksPanel.tsx';
import { ResponsesPanel } from './ResponsesPanel.tsx';
import { SettingsPanel, type SurveySettings } from './SettingsPanel.tsx';
import { TranslationsPanel } from './TranslationsPanel.tsx';
import { STATUS_COLORS, type Survey, type SurveyDetail } from './types.ts';

/**
 * One survey: build it (questions, logic, translations, JSON), then activate it and hand out
 * links. Saving a changed definition makes a new version; responses keep the version they answered.
 */
export function SurveyEditorPage() {
  const { id } = useParams();
  // The open tab is in the URL (the responses tab keeps its filters there too).
  const [params, setParams] = useSearchParams();
  const { t } = useTranslation();
  const client = useQueryClient();
  const canWrite = useCan('data:write');
  const survey = useQuery({
    queryKey: ['survey', id],
    queryFn: () => api.get<SurveyDetail>(`/surveys/${id}`),
  });
  const [definition, setDefinition] = useState<Definition | null>(null);
  const [settings, setSettings] = useState<SurveySettings | null>(null);
  const [problems, setProblems] = useState<{ path: string; message: string }[]>([]);

  // The drafts start from the saved survey, and again after each save or discard.
  const reset = useCallback((saved: SurveyDetail) => {
    setDefinition(withPages(saved.definition));
    setSettings(settingsOf(saved));
  }, []);
  useEffect(() => {
    if (survey.data) reset(survey.data);
  }, [survey.data, reset]);

  const save = useMutation({
    mutationFn: () => api.patch<Survey>(`/surveys/${id}`, { ...settings, definition }),
    onSuccess: async (saved) => {
      setProblems([]);
      await client.invalidateQueries({ queryKey: ['survey', id] });
      void client.invalidateQueries({ queryKey: ['surveys'] });
      notifications.show({
        color: 'green',
        message: t('surveys.savedVersion', { version: saved.currentVersion }),
      });
    },
    onError: (e) => {
      setProblems(e instanceof ApiError && Array.isArray(e.details) ? (e.details as typeof problems) : []);
      notifications.show({ color: 'red', message: errorMessage(e) });
    },
  });
  const setStatus = useMutation({
    mutationFn: (action: 'activate' | 'close') => api.post<Survey>(`/surveys/${id}/${action}`),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['survey', id] }),
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });

  if (survey.isError) return <ErrorState error={survey.error} onRetry={() => void survey.refetch()} />;
  if (survey.isPending || !definition || !settings) return <Loading />;
  const saved = survey.data;
  const dirty =
    JSON.stringify(definition) !== JSON.stringify(withPages(saved.definition)) ||
    JSON.stringify(settings) !== JSON.stringify(settingsOf(saved));

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Group gap="sm">
            <Title order={2}>{saved.name}</Title>
            <Badge color={STATUS_COLORS[saved.status]} variant="light" data-testid="survey-status">
              {t(`surveys.statuses.${saved.status}`)}
            </Badge>
          </Group>
          <Text size="sm" c="dimmed">
            {t('surveys.versionOf', { version: saved.currentVersion, count: saved.versions.length })} ·{' '}
            <Link to={`/surveys/${saved.id}/results`}>{t('surveys.results')}</Link>
          </Text>
        </Stack>
        {canWrite && (
          <Group>
            {dirty && (
              <Button variant="default" onClick={() => reset(saved)}>
                {t('surveys.discard')}
              </Button>
            )}
            <Button
              onClick={() => save.mutate()}
              disabled={!dirty}
              loading={save.isPending}
              data-testid="survey-save"
            >
              {t('common.save')}
            </Button>
            {saved.status !== 'active' && (
              <Button
                color="green"
                variant="light"
                onClick={() => setStatus.mutate('activate')}
                disabled={dirty}
              >
                {t('surveys.activate')}
              </Button>
            )}
            {saved.status === 'active' && (
              <Button color="red" variant="light" onClick={() => setStatus.mutate('close')}>
                {t('surveys.closeSurvey')}
              </Button>
            )}
          </Group>
        )}
      </Group>
      {problems.length > 0 && (
        <Alert color="red" title={t('surveys.cannotSave')} data-testid="survey-problems">
          {problems.map((p) => (
            <Text key={`${p.path}:${p.message}`} size="sm">
              <Text span ff="monospace">
                {p.path}
              </Text>
              : {p.message}
            </Text>
          ))}
        </Alert>
      )}
      <Tabs
        value={params.get('tab') ?? 'builder'}
        onChange={(tab) => setParams(tab && tab !== 'builder' ? { tab } : {}, { replace: true })}
        keepMounted={false}
      >
        <Tabs.List>
          <Tabs.Tab value="builder">{t('surveys.tabs.builder')}</Tabs.Tab>
          <Tabs.Tab value="translations">{t('surveys.tabs.translations')}</Tabs.Tab>
          <Tabs.Tab value="json">{t('surveys.tabs.json')}</Tabs.Tab>
          <Tabs.Tab value="settings">{t('surveys.tabs.settings')}</Tabs.Tab>
          <Tabs.Tab value="links">{t('surveys.tabs.links')}</Tabs.Tab>
          <Tabs.Tab value="responses" data-testid="tab-responses">
            {t('responses.tab')}
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="builder" pt="md">
          <BuilderPanel definition={definition} onChange={setDefinition} readOnly={!canWrite} />
        </Tabs.Panel>
        <Tabs.Panel value="translations" pt="md">
          <TranslationsPanel definition={definition} onChange={setDefinition} readOnly={!canWrite} />
        </Tabs.Panel>
        <Tabs.Panel value="json" pt="md">
          <JsonPanel definition={definition} onChange={setDefinition} readOnly={!canWrite} />
        </Tabs.Panel>
        <Tabs.Panel value="settings" pt="md">
          <SettingsPanel
            settings={settings}
            definition={definition}
            onChange={setSettings}
            readOnly={!canWrite}
          />
        </Tabs.Panel>
        <Tabs.Panel value="links" pt="md">
          <LinksPanel survey={saved} />
        </Tabs.Panel>
        <Tabs.Panel value="responses" pt="md">
          <ResponsesPanel survey={saved} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

const settingsOf = (survey: SurveyDetail): SurveySettings => ({
  name: survey.name,
  embeddedFields: survey.embeddedFields,
  metrics: survey.metrics,
  allowMultipleResponses: survey.allowMultipleResponses,
});
