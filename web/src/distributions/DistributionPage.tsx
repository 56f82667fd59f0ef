import { BarChart } from '@mantine/charts';
import {
  Alert,
  Anchor,
  Breadcrumbs,
  Button,
  Card,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import {
  IconBell,
  IconEdit,
  IconHeart,
  IconPlayerPause,
  IconPlayerPlay,
  IconSend,
  IconTrash,
} from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../api/client.ts';
import type { MailingList } from '../api/types.ts';
import { useCan } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { formatDateTime, formatNumber } from '../i18n/index.ts';
import { DeleteModal, SendTestModal, useDistributionActions } from './actions.tsx';
import { ChannelBadge, formatWallClock, StatusBadge, useSurveys } from './parts.tsx';
import { RecipientsTable } from './RecipientsTable.tsx';
import { type DistributionDetail, type DistributionStats, EXCLUSION_REASONS, isMoving } from './types.ts';

/** One distribution: the seed's "show more" (statistics, activity, responses) and its recipients. */
export function DistributionPage() {
  const { id } = useParams();
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const canWrite = useCan('data:write');
  const [deleting, setDeleting] = useState(false);
  const [testing, setTesting] = useState(false);
  const { setPaused } = useDistributionActions();
  const query = useQuery({
    queryKey: ['distribution', Number(id)],
    queryFn: () => api.get<DistributionDetail>(`/distributions/${id}`),
    refetchInterval: (q) => (q.state.data && isMoving(q.state.data) ? 2000 : false),
  });
  const d = query.data;
  const surveys = useSurveys(d?.directoryId);
  const lists = useQuery({
    queryKey: ['mailing-lists', d?.directoryId],
    queryFn: () => api.get<{ items: MailingList[] }>(`/directories/${d!.directoryId}/mailing-lists`),
    enabled: d?.recipients.type === 'mailingList',
  });
  const parent = useQuery({
    queryKey: ['distribution', d?.parentId],
    queryFn: () => api.get<DistributionDetail>(`/distributions/${d!.parentId}`),
    enabled: !!d?.parentId,
  });

  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  if (!d) return <Loading />;
  // A distribution already loaded from a list may not carry statistics yet.
  if (!d.stats) return <Loading />;
  const survey = surveys.data?.items.find((s) => s.id === d.surveyId);
  const editable = ['draft', 'scheduled'].includes(d.status);
  const sentInvitation = d.kind === 'invitation' && !editable;
  const followUp = (kind: 'reminder' | 'thank_you') =>
    `/distributions/new?kind=${kind}&parentId=${d.id}&surveyId=${d.surveyId}&channel=${d.channel}`;
  const r = d.recipients;
  const audience =
    d.kind !== 'invitation'
      ? t(`distributions.followsAudience.${d.kind}`, { name: parent.data?.name ?? `#${d.parentId}` })
      : r.type === 'mailingList'
        ? t('distributions.audienceList', {
            name: lists.data?.items.find((l) => l.id === r.mailingListId)?.name ?? `#${r.mailingListId}`,
          })
        : r.type === 'contacts'
          ? t('distributions.audienceContacts', { count: r.contactIds?.length ?? 0 })
          : r.type === 'accountRoles'
            ? t('distributions.audienceRoles', {
                roles: (r.roles ?? [])
                  .map((role) => t(`clientRoles.${role}`, { defaultValue: role }))
                  .join(', '),
              }) +
              (r.accountIds?.length
                ? ` · ${t('distributions.audienceAccounts', { count: r.accountIds.length })}`
                : '') +
              (r.teamMemberEmail ? ` · ${t('distributions.audienceTeam', { email: r.teamMemberEmail })}` : '')
            : '—';

  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to={editable ? '/distributions/scheduled' : '/distributions/sent'}>
          {t('nav.distributions')}
        </Anchor>
        <Text>{d.name}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Group gap="sm">
            <Title order={2} data-testid="distribution-title">
              {d.name}
            </Title>
            <StatusBadge status={d.status} />
            <ChannelBadge channel={d.channel} />
          </Group>
          <Text size="sm" c="dimmed">
            {t(`distributions.kinds.${d.kind}`)} ·{' '}
            <Anchor component={Link} to={`/surveys/${d.surveyId}`} size="sm">
              {survey?.name ?? `#${d.surveyId}`}
            </Anchor>{' '}
            · {audience}
            {d.transactional && ` · ${t('distributions.transactionalShort')}`}
          </Text>
        </Stack>
        {canWrite && (
          <Group gap="xs">
            {editable && (
              <>
                <Button
                  variant="default"
                  leftSection={<IconEdit size={16} />}
                  component={Link}
                  to={`/distributions/${d.id}/edit`}
                >
                  {t('distributions.edit')}
                </Button>
                <Button
                  variant="default"
                  leftSection={<IconSend size={16} />}
                  onClick={() => setTesting(true)}
                >
                  {t('distributions.sendTest')}
                </Button>
                <Button
                  variant="light"
                  color="red"
                  leftSection={<IconTrash size={16} />}
                  onClick={() => setDeleting(true)}
                >
                  {t('common.delete')}
                </Button>
              </>
            )}
            {d.status === 'sending' && (
              <Button
                variant="light"
                color="yellow"
                leftSection={<IconPlayerPause size={16} />}
                loading={setPaused.isPending}
                onClick={() => setPaused.mutate({ id: d.id, paused: true })}
              >
                {t('distributions.pause')}
              </Button>
            )}
            {d.status === 'paused' && (
              <Button
                leftSection={<IconPlayerPlay size={16} />}
                loading={setPaused.isPending}
                onClick={() => setPaused.mutate({ id: d.id, paused: false })}
              >
                {t('distributions.resume')}
              </Button>
            )}
            {sentInvitation && (
              <>
                <Button
                  variant="light"
                  leftSection={<IconBell size={16} />}
                  component={Link}
                  to={followUp('reminder')}
                >
                  {t('distributions.sendReminder')}
                </Button>
                <Button
                  variant="light"
                  leftSection={<IconHeart size={16} />}
                  component={Link}
                  to={followUp('thank_you')}
                >
                  {t('distributions.sendThankYou')}
                </Button>
              </>
            )}
          </Group>
        )}
      </Group>
      {d.error && (
        <Alert color="red" title={t('distributions.error')}>
          {d.error}
        </Alert>
      )}
      {d.status === 'scheduled' && d.scheduledLocal && (
        <Alert color="blue" variant="light">
          {t('distributions.willStart', {
            at: formatWallClock(d.scheduledLocal, i18n.language),
            zone: d.timeZone,
          })}
        </Alert>
      )}
      {!editable && <StatsSection stats={d.stats} />}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {!editable && <FunnelCard stats={d.stats} />}
        <Card withBorder data-testid="distribution-activity">
          <Title order={5} mb="xs">
            {t('distributions.activity')}
          </Title>
          <Table variant="vertical" layout="fixed" withRowBorders={false}>
            <Table.Tbody>
              <Row label={t('distributions.createdBy')}>
                {d.createdBy} · {formatDateTime(d.createdAt, i18n.language)}
              </Row>
              <Row label={t('distributions.modifiedBy')}>
                {d.updatedBy} · {formatDateTime(d.updatedAt, i18n.language)}
              </Row>
              <Row label={t('distributions.scheduledFor')}>
                {d.scheduledLocal
                  ? `${formatWallClock(d.scheduledLocal, i18n.language)} (${d.timeZone})`
                  : '—'}
              </Row>
              <Row label={t('distributions.startedAt')}>{formatDateTime(d.startedAt, i18n.language)}</Row>
              <Row label={t('distributions.completedAt')}>{formatDateTime(d.completedAt, i18n.language)}</Row>
              {d.linkExpiresInDays && (
                <Row label={t('distributions.linkExpiry')}>
                  {t('distributions.days', { count: d.linkExpiresInDays })}
                </Row>
              )}
              <Row label={t('distributions.error')}>{d.error ?? '—'}</Row>
            </Table.Tbody>
          </Table>
        </Card>
      </SimpleGrid>
      {!editable && (
        <>
          <Group justify="space-between" align="flex-end">
            <Title order={4}>{t('distributions.recipients')}</Title>
            <Anchor component={Link} to={`/distributions/outbox?distributionId=${d.id}`} size="sm">
              {t('distributions.seeInOutbox')}
            </Anchor>
          </Group>
          <RecipientsTable distributionId={d.id} moving={isMoving(d)} />
        </>
      )}
      <DeleteModal
        distribution={deleting ? d : null}
        onClose={() => setDeleting(false)}
        onDeleted={() => navigate('/distributions/scheduled')}
      />
      <SendTestModal distribution={testing ? d : null} onClose={() => setTesting(false)} />
    </Stack>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w={170}>{label}</Table.Th>
      <Table.Td>{children}</Table.Td>
    </Table.Tr>
  );
}

function Stat({
  label,
  value,
  testId,
  hint,
  children,
  color,
}: {
  label: string;
  value: number;
  testId: string;
  hint?: string;
  children?: ReactNode;
  color?: string;
}) {
  const { i18n } = useTranslation();
  const card = (
    <Card withBorder padding="sm" data-testid={testId}>
      <Text size="xs" c="dimmed" fw={600} truncate="end" title={label}>
        {label}
      </Text>
      <Text fz={26} fw={700} c={color} data-testid={`${testId}-value`}>
        {formatNumber(value, i18n.language)}
      </Text>
      {children}
    </Card>
  );
  return hint ? (
    <Tooltip label={hint} multiline w={260} withinPortal>
      {card}
    </Tooltip>
  ) : (
    card
  );
}

/** The seed's statistics first (# selected … # in list), then what became of the messages. */
function StatsSection({ stats: s }: { stats: DistributionStats }) {
  const { t, i18n } = useTranslation();
  const reasons = Object.entries(s.excludedByReason).filter(([reason]) => EXCLUSION_REASONS.includes(reason));
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }}>
        <Stat
          label={t('distributions.stats.selected')}
          value={s.selected}
          testId="stat-selected"
          hint={t('distributions.stats.selectedHint')}
        />
        <Stat
          label={t('distributions.stats.optedOut')}
          value={s.optedOut}
          testId="stat-opted-out"
          hint={t('distributions.stats.optedOutHint')}
        >
          {reasons.map(([reason, n]) => (
            <Text size="xs" c="dimmed" key={reason}>
              {t(`distributions.reasons.${reason}`, { defaultValue: reason })}:{' '}
              {formatNumber(n, i18n.language)}
            </Text>
          ))}
        </Stat>
        <Stat
          label={t('distributions.stats.missingEmail')}
          value={s.missingEmail}
          testId="stat-missing-email"
        />
        <Stat
          label={t('distributions.stats.missingPhone')}
          value={s.missingPhone}
          testId="stat-missing-phone"
        />
        <Stat
          label={t('distributions.stats.inList')}
          value={s.inList}
          testId="stat-in-list"
          hint={t('distributions.stats.inListHint')}
          color="indigo"
        />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 2, sm: 4, xl: 8 }}>
        <Stat label={t('distributions.stats.delivered')} value={s.delivered} testId="stat-delivered" />
        <Stat
          label={t('distributions.stats.bounced')}
          value={s.bounced}
          testId="stat-bounced"
          color={s.bounced ? 'red' : undefined}
        />
        <Stat
          label={t('distributions.stats.failed')}
          value={s.failed}
          testId="stat-failed"
          color={s.failed ? 'red' : undefined}
        />
        <Stat label={t('distributions.stats.opened')} value={s.opened} testId="stat-opened" />
        <Stat label={t('distributions.stats.started')} value={s.started} testId="stat-started" />
        <Stat
          label={t('distributions.stats.completed')}
          value={s.completed}
          testId="stat-completed"
          color="teal"
        />
        <Stat
          label={t('distributions.stats.duplicates')}
          value={s.duplicates}
          testId="stat-duplicates"
          hint={t('distributions.stats.duplicatesHint')}
        />
        <Stat
          label={t('distributions.stats.frequencyLimited')}
          value={s.frequencyLimited}
          testId="stat-frequency"
          hint={
            Object.entries(s.excludedByReason)
              .filter(([reason]) => !EXCLUSION_REASONS.includes(reason))
              .map(
                ([reason, n]) =>
                  `${reason.startsWith('rule:') ? reason.slice(5) : t(`distributions.reasons.${reason}`, { defaultValue: reason })}: ${n}`,
              )
              .join(' · ') || t('distributions.stats.frequencyHint')
          }
        />
      </SimpleGrid>
      {s.pending > 0 && (
        <Text size="sm" c="dimmed">
          {t('distributions.stats.pending', { count: s.pending })}
        </Text>
      )}
    </Stack>
  );
}

function FunnelCard({ stats: s }: { stats: DistributionStats }) {
  const { t } = useTranslation();
  const data = [
    { stage: t('distributions.stats.inList'), value: s.inList },
    { stage: t('distributions.stats.delivered'), value: s.delivered },
    { stage: t('distributions.stats.opened'), value: s.opened },
    { stage: t('distributions.stats.started'), value: s.started },
    { stage: t('distributions.stats.completed'), value: s.completed },
  ];
  return (
    <Card withBorder data-testid="distribution-funnel">
      <Title order={5} mb="xs">
        {t('distributions.funnel')}
      </Title>
      <BarChart
        h={220}
        data={data}
        dataKey="stage"
        series={[{ name: 'value', label: t('distributions.contacts'), color: 'indigo.6' }]}
        yAxisProps={{ allowDecimals: false }}
        tickLine="none"
        gridAxis="y"
      />
      <Text size="xs" c="dimmed" mt="xs">
        {t('distributions.openedHint')}
      </Text>
    </Card>
  );
}
