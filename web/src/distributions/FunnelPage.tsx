import { FunnelChart } from '@mantine/charts';
import { Anchor, Card, Group, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { formatNumber } from '../i18n/index.ts';
import { useDistributionsContext } from './DistributionsLayout.tsx';
import { ChannelBadge, useSurveys } from './parts.tsx';
import type { ResponseFunnel } from './types.ts';

/** A date input's day as the start of that day (or of the next one, for an inclusive "to"). */
const dayBoundary = (day: string | null, next = false) => {
  if (!day) return undefined;
  const date = new Date(`${day}T00:00:00`);
  if (next) date.setDate(date.getDate() + 1);
  return date.toISOString();
};

const STAGES = ['invitations', 'delivered', 'opened', 'started', 'completed'] as const;
const COLORS = ['indigo.7', 'indigo.5', 'violet.5', 'grape.5', 'teal.6'];

/** Invitations → delivered → opened → started → completed, across distributions; filters in the URL. */
export function FunnelPage() {
  const { t, i18n } = useTranslation();
  const { directory } = useDistributionsContext();
  const [params, setParams] = useSearchParams();
  const surveys = useSurveys(directory.id);
  const filters = {
    surveyId: params.get('surveyId'),
    channel: params.get('channel'),
    from: params.get('from'),
    to: params.get('to'),
  };
  const funnel = useQuery({
    queryKey: ['response-funnel', directory.id, filters],
    queryFn: () =>
      api.get<ResponseFunnel>(`/directories/${directory.id}/response-funnel`, {
        surveyId: filters.surveyId,
        channel: filters.channel,
        from: dayBoundary(filters.from),
        to: dayBoundary(filters.to, true),
      }),
    placeholderData: keepPreviousData,
  });
  const set = (key: string, value: string | null) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: true },
    );
  const n = (v: number) => formatNumber(v, i18n.language);
  const rate = (v: number | null) => (v === null ? '—' : `${v.toLocaleString(i18n.language)} %`);

  return (
    <Stack>
      <Group align="flex-end" gap="sm">
        <Select
          label={t('distributions.survey')}
          placeholder={t('distributions.allSurveys')}
          clearable
          searchable
          w={260}
          value={filters.surveyId}
          onChange={(v) => set('surveyId', v)}
          data={(surveys.data?.items ?? []).map((s) => ({ value: String(s.id), label: s.name }))}
          data-testid="funnel-survey"
        />
        <Select
          label={t('distributions.channel')}
          placeholder={t('distributions.allChannels')}
          clearable
          w={160}
          value={filters.channel}
          onChange={(v) => set('channel', v)}
          data={[
            { value: 'email', label: t('distributions.channels.email') },
            { value: 'sms', label: t('distributions.channels.sms') },
          ]}
        />
        <TextInput
          type="date"
          label={t('distributions.from')}
          value={filters.from ?? ''}
          onChange={(e) => set('from', e.currentTarget.value || null)}
        />
        <TextInput
          type="date"
          label={t('distributions.to')}
          value={filters.to ?? ''}
          onChange={(e) => set('to', e.currentTarget.value || null)}
        />
      </Group>
      <Text size="sm" c="dimmed">
        {t('distributions.funnelHint')}
      </Text>
      {funnel.isPending ? (
        <Loading />
      ) : funnel.isError ? (
        <ErrorState error={funnel.error} onRetry={() => void funnel.refetch()} />
      ) : (
        <>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Card withBorder data-testid="funnel-chart">
              <Title order={5} mb="xs">
                {t('distributions.funnel')}
              </Title>
              {funnel.data.total.invitations === 0 ? (
                <Text c="dimmed">{t('distributions.funnelEmpty')}</Text>
              ) : (
                <Group justify="center">
                  <FunnelChart
                    size={260}
                    withLabels
                    labelsPosition="right"
                    withTooltip
                    valueFormatter={n}
                    data={STAGES.map((stage, i) => ({
                      name: t(`distributions.stages.${stage}`),
                      value: funnel.data.total[stage],
                      color: COLORS[i]!,
                    }))}
                  />
                </Group>
              )}
            </Card>
            <Card withBorder>
              <Title order={5} mb="xs">
                {t('distributions.totals')}
              </Title>
              <Table variant="vertical" withRowBorders={false}>
                <Table.Tbody>
                  {STAGES.map((stage) => (
                    <Table.Tr key={stage}>
                      <Table.Th>{t(`distributions.stages.${stage}`)}</Table.Th>
                      <Table.Td ta="right">{n(funnel.data.total[stage])}</Table.Td>
                      <Table.Td ta="right" c="dimmed">
                        {funnel.data.total.invitations
                          ? `${Math.round((funnel.data.total[stage] / funnel.data.total.invitations) * 1000) / 10} %`
                          : '—'}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                  <Table.Tr>
                    <Table.Th>{t('distributions.responseRate')}</Table.Th>
                    <Table.Td ta="right" fw={700} data-testid="funnel-rate">
                      {rate(funnel.data.total.responseRate)}
                    </Table.Td>
                    <Table.Td />
                  </Table.Tr>
                </Table.Tbody>
              </Table>
            </Card>
          </SimpleGrid>
          <Table striped data-testid="funnel-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('distributions.survey')}</Table.Th>
                <Table.Th>{t('distributions.channel')}</Table.Th>
                {STAGES.map((stage) => (
                  <Table.Th key={stage} ta="right">
                    {t(`distributions.stages.${stage}`)}
                  </Table.Th>
                ))}
                <Table.Th ta="right">{t('distributions.responseRate')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {funnel.data.rows.map((row) => (
                <Table.Tr key={`${row.surveyId}-${row.channel}`}>
                  <Table.Td>
                    <Anchor component={Link} to={`/surveys/${row.surveyId}/results`} size="sm">
                      {row.survey}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <ChannelBadge channel={row.channel} />
                  </Table.Td>
                  {STAGES.map((stage) => (
                    <Table.Td key={stage} ta="right">
                      {n(row[stage])}
                    </Table.Td>
                  ))}
                  <Table.Td ta="right" fw={600}>
                    {rate(row.responseRate)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {funnel.data.rows.length === 0 && <Text c="dimmed">{t('distributions.funnelEmpty')}</Text>}
        </>
      )}
    </Stack>
  );
}
