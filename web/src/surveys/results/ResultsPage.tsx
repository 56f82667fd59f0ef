import { Anchor, Breadcrumbs, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { api } from '../../api/client.ts';
import { ErrorState, Loading } from '../../common/states.tsx';
import { formatDateTime } from '../../i18n/index.ts';
import type { SurveyDetail } from '../types.ts';
import { MetricCards } from './MetricCards.tsx';
import { QuestionResult } from './QuestionResult.tsx';
import { ResultsFilters, type ResultsFilterValues } from './ResultsFilters.tsx';
import { RoleBreakdown } from './RoleBreakdown.tsx';
import { TrendChart } from './TrendChart.tsx';
import type { SurveyResults } from './types.ts';

const FILTER_KEYS = ['accountId', 'subtree', 'role', 'from', 'to'] as const;

/** A date input's day as the start of that day, or of the next one for an inclusive "to". */
const dayBoundary = (day: string | undefined, next = false) => {
  if (!day) return undefined;
  const date = new Date(`${day}T00:00:00`);
  if (next) date.setDate(date.getDate() + 1);
  return date.toISOString();
};

/** A survey's results: headline metrics with intervals, trend, by role, and every question. */
export function ResultsPage() {
  const { id } = useParams();
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const values: ResultsFilterValues = Object.fromEntries(
    FILTER_KEYS.map((k) => [k, params.get(k) ?? undefined]).filter(([, v]) => v),
  );
  const survey = useQuery({
    queryKey: ['survey', id],
    queryFn: () => api.get<SurveyDetail>(`/surveys/${id}`),
  });
  const locale = i18n.language === 'en' ? '' : i18n.language;
  const results = useQuery({
    queryKey: ['survey-results', id, values, locale],
    queryFn: () =>
      api.get<SurveyResults>(`/surveys/${id}/results`, {
        accountId: values.accountId,
        subtree: values.subtree,
        role: values.role,
        from: dayBoundary(values.from),
        to: dayBoundary(values.to, true),
        locale,
      }),
    placeholderData: keepPreviousData,
  });
  const set = (key: keyof ResultsFilterValues, value: string | null) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value) next.set(key, value);
        else next.delete(key);
        if (key === 'accountId' && !value) next.delete('subtree');
        return next;
      },
      { replace: true },
    );

  if (survey.isError) return <ErrorState error={survey.error} onRetry={() => void survey.refetch()} />;
  if (results.isError) return <ErrorState error={results.error} onRetry={() => void results.refetch()} />;
  if (survey.isPending || results.isPending) return <Loading />;
  const r = results.data;

  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/surveys">
          {t('nav.surveys')}
        </Anchor>
        <Anchor component={Link} to={`/surveys/${id}`}>
          {survey.data.name}
        </Anchor>
        <Text>{t('surveys.results')}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-end">
        <Title order={2}>{t('results.title', { name: survey.data.name })}</Title>
        {r.counts.lastCompletedAt && (
          <Text size="sm" c="dimmed">
            {t('results.span', {
              first: formatDateTime(r.counts.firstCompletedAt, i18n.language),
              last: formatDateTime(r.counts.lastCompletedAt, i18n.language),
            })}
          </Text>
        )}
      </Group>
      <ResultsFilters directoryId={survey.data.directoryId} values={values} onChange={set} />
      <MetricCards results={r} />
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <TrendChart trend={r.trend} />
        <RoleBreakdown byRole={r.byRole} />
      </SimpleGrid>
      <Title order={3}>{t('results.questions')}</Title>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        {r.questions.map((q) => (
          <QuestionResult key={q.name} question={q} />
        ))}
      </SimpleGrid>
    </Stack>
  );
}
