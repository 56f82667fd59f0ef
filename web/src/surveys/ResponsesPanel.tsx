import {
  Anchor,
  Badge,
  Button,
  Group,
  NumberInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api, withQuery } from '../api/client.ts';
import type { Page } from '../api/types.ts';
import { useCan } from '../auth/session.ts';
import { Pager } from '../common/Pager.tsx';
import { ErrorState, Loading } from '../common/states.tsx';
import { useCursorPages } from '../common/use-cursor-pages.ts';
import { formatDateTime } from '../i18n/index.ts';
import { OpenTicketButton } from '../tickets/TicketFormModal.tsx';
import { ResponsesImport } from './ResponsesImport.tsx';
import { NPS_CATEGORIES, NPS_COLORS, type SurveyResponse } from './response-types.ts';
import type { SurveyDetail } from './types.ts';

/** A date input's day as an instant: its start, or for an inclusive "to" its last millisecond. */
const dayBoundary = (day: string | null, end = false) =>
  day ? new Date(`${day}T${end ? '23:59:59.999' : '00:00:00'}`).toISOString() : undefined;

/**
 * A survey's responses, newest first, with the list's filters kept in the URL; the same filters
 * download the whole set as CSV or JSON. Users who can write also import historical responses.
 */
export function ResponsesPanel({ survey }: { survey: SurveyDetail }) {
  const { t, i18n } = useTranslation();
  const canWrite = useCan('data:write');
  const [params, setParams] = useSearchParams();
  const filters = {
    status: params.get('status') ?? undefined,
    npsCategory: params.get('npsCategory') ?? undefined,
    csat: params.get('csat') ?? undefined,
    csatMin: params.get('csatMin') ?? undefined,
    csatMax: params.get('csatMax') ?? undefined,
    from: dayBoundary(params.get('from')),
    to: dayBoundary(params.get('to'), true),
  };
  const pages = useCursorPages(JSON.stringify([survey.id, filters]));
  const responses = useQuery({
    queryKey: ['responses', survey.id, filters, pages.cursor],
    queryFn: () =>
      api.get<Page<SurveyResponse>>(`/surveys/${survey.id}/responses`, {
        ...filters,
        limit: 50,
        cursor: pages.cursor,
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
  const exportUrl = (format: 'csv' | 'json') =>
    withQuery(`/api/v1/surveys/${survey.id}/responses/export`, { format, ...filters });

  return (
    <Stack>
      <Group align="flex-end" justify="space-between" wrap="wrap">
        <Group align="flex-end" wrap="wrap">
          <Select
            label={t('responses.status')}
            clearable
            w={160}
            value={filters.status ?? null}
            data={(['complete', 'partial'] as const).map((value) => ({
              value,
              label: t(`responses.statuses.${value}`),
            }))}
            onChange={(value) => set('status', value)}
            data-testid="responses-status"
          />
          <Select
            label={t('responses.npsCategory')}
            clearable
            w={180}
            value={filters.npsCategory ?? null}
            data={NPS_CATEGORIES.map((value) => ({ value, label: t(`responses.npsCategories.${value}`) }))}
            onChange={(value) => set('npsCategory', value)}
          />
          <Select
            label={t('responses.csatFilter')}
            clearable
            w={160}
            value={filters.csat ?? null}
            data={(['satisfied', 'unsatisfied'] as const).map((value) => ({
              value,
              label: t(`responses.csatFilters.${value}`),
            }))}
            onChange={(value) => set('csat', value)}
            data-testid="responses-csat"
          />
          {(['csatMin', 'csatMax'] as const).map((key) => (
            <NumberInput
              key={key}
              label={t(`responses.${key}`)}
              w={150}
              min={0}
              max={100}
              allowDecimal={false}
              value={params.get(key) ?? ''}
              onChange={(value) => set(key, value === '' ? null : String(value))}
              data-testid={`responses-${key}`}
            />
          ))}
          <TextInput
            type="date"
            label={t('responses.from')}
            value={params.get('from') ?? ''}
            onChange={(e) => set('from', e.currentTarget.value || null)}
          />
          <TextInput
            type="date"
            label={t('responses.to')}
            value={params.get('to') ?? ''}
            onChange={(e) => set('to', e.currentTarget.value || null)}
          />
        </Group>
        <Group gap="xs">
          {(['csv', 'json'] as const).map((format) => (
            <Button
              key={format}
              component="a"
              href={exportUrl(format)}
              variant="default"
              leftSection={<IconDownload size={16} />}
              data-testid={`responses-export-${format}`}
            >
              {t(`responses.download.${format}`)}
            </Button>
          ))}
        </Group>
      </Group>
      {responses.isPending ? (
        <Loading />
      ) : responses.isError ? (
        <ErrorState error={responses.error} onRetry={() => void responses.refetch()} />
      ) : (
        <>
          <Table
            striped
            highlightOnHover
            data-testid="responses-table"
            opacity={responses.isPlaceholderData ? 0.6 : 1}
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('responses.date')}</Table.Th>
                <Table.Th>{t('responses.status')}</Table.Th>
                <Table.Th>{t('responses.contact')}</Table.Th>
                <Table.Th>{t('responses.account')}</Table.Th>
                <Table.Th>{t('responses.nps')}</Table.Th>
                <Table.Th>{t('responses.csat')}</Table.Th>
                {canWrite && <Table.Th />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {responses.data.items.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>
                    <Group gap={6}>
                      {formatDateTime(r.completedAt ?? r.startedAt, i18n.language)}
                      {r.channel === 'import' && (
                        <Badge size="xs" variant="light" color="gray">
                          {t('responses.imported')}
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={r.status === 'complete' ? 'green' : 'gray'}>
                      {t(`responses.statuses.${r.status}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    {r.contact ? (
                      <Anchor component={Link} to={`/directory/contacts/${r.contact.id}`}>
                        {r.contact.name ?? r.contact.email ?? `#${r.contact.id}`}
                      </Anchor>
                    ) : (
                      <Text size="sm" c="dimmed">
                        {t('responses.anonymous')}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {r.account && (
                      <Anchor component={Link} to={`/accounts/${r.account.id}`}>
                        {r.account.name}
                      </Anchor>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {r.npsScore !== null && (
                      <Badge variant="light" color={r.npsCategory ? NPS_COLORS[r.npsCategory] : 'gray'}>
                        {r.npsScore}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{r.csatScore ?? ''}</Table.Td>
                  {canWrite && (
                    <Table.Td>
                      <OpenTicketButton
                        variant="subtle"
                        prefill={() => {
                          const name = r.contact?.name ?? r.contact?.email ?? t('tickets.anonymous');
                          return {
                            directoryId: survey.directoryId,
                            accountId: r.account?.id ?? null,
                            accountName: r.account?.name ?? null,
                            contactId: r.contact?.id ?? null,
                            contactName: r.contact ? name : null,
                            responseId: r.id,
                            title:
                              r.npsCategory && r.npsScore !== null
                                ? t(`tickets.defaultTitle.${r.npsCategory}`, { name, score: r.npsScore })
                                : t('tickets.defaultTitle.response', { name }),
                          };
                        }}
                      />
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {responses.data.items.length === 0 && (
            <Text c="dimmed" ta="center">
              {t('responses.none')}
            </Text>
          )}
          <Pager
            pageNumber={pages.pageNumber}
            nextCursor={responses.data.nextCursor}
            onNext={pages.next}
            onPrevious={pages.previous}
          />
        </>
      )}
      {canWrite && <ResponsesImport surveyId={survey.id} />}
    </Stack>
  );
}
