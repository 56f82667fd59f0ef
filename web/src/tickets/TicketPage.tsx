import {
  Anchor,
  Badge,
  Breadcrumbs,
  Button,
  Card,
  Grid,
  Group,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Table,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Timeline,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconEdit, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api, errorMessage } from '../api/client.ts';
import { TEAM_ROLES } from '../api/types.ts';
import { useCan } from '../auth/session.ts';
import { displayValue } from '../common/format.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { formatDateTime } from '../i18n/index.ts';
import { NPS_COLORS, type NpsCategory } from '../surveys/response-types.ts';
import {
  DueDate,
  dayOf,
  endOfDay,
  OwnerText,
  PriorityBadge,
  TICKETS_KEY,
  TicketStatusBadge,
  useCanWorkTickets,
} from './parts.tsx';
import { TICKET_PRIORITIES, type TicketDetail, type TicketStatus } from './types.ts';

const TRANSITION_COLORS: Record<TicketStatus, string> = {
  open: 'blue',
  in_progress: 'indigo',
  waiting: 'yellow',
  resolved: 'green',
  closed: 'gray',
};

/** One ticket: its fields (editable by writers), status moves, notes, history and the emails sent. */
export function TicketPage() {
  const { t, i18n } = useTranslation();
  const { id } = useParams();
  const client = useQueryClient();
  const navigate = useNavigate();
  const canWrite = useCan('data:write');
  const canWork = useCanWorkTickets();
  const [editing, setEditing] = useState(false);
  const [reassigning, setReassigning] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [note, setNote] = useState('');
  const ticket = useQuery({
    queryKey: [TICKETS_KEY, 'detail', id],
    queryFn: () => api.get<TicketDetail>(`/tickets/${id}`),
  });
  const refresh = () => client.invalidateQueries({ queryKey: [TICKETS_KEY] });
  const onError = (error: unknown) => notifications.show({ color: 'red', message: errorMessage(error) });
  const update = useMutation({
    mutationFn: (patch: Record<string, unknown>) => api.patch(`/tickets/${id}`, patch),
    onSuccess: async () => {
      await refresh();
      setEditing(false);
    },
    onError,
  });
  const move = useMutation({
    mutationFn: (status: TicketStatus) => api.post(`/tickets/${id}/transition`, { status }),
    onSuccess: refresh,
    onError,
  });
  const addNote = useMutation({
    mutationFn: () => api.post(`/tickets/${id}/notes`, { text: note }),
    onSuccess: async () => {
      setNote('');
      await refresh();
    },
    onError,
  });
  const remove = useMutation({
    mutationFn: () => api.delete(`/tickets/${id}`),
    onSuccess: async () => {
      await refresh();
      navigate('/tickets', { replace: true });
    },
    onError,
  });

  if (ticket.isPending) return <Loading />;
  if (ticket.isError) return <ErrorState error={ticket.error} onRetry={() => void ticket.refetch()} />;
  const tk = ticket.data;

  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/tickets">
          {t('tickets.title')}
        </Anchor>
        <Text>{tk.key}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Group gap="sm">
            <Text c="dimmed" ff="monospace">
              {tk.key}
            </Text>
            <Title order={2} data-testid="ticket-title">
              {tk.title}
            </Title>
            {canWrite && !editing && (
              <Button
                size="xs"
                variant="subtle"
                leftSection={<IconEdit size={14} />}
                onClick={() => setEditing(true)}
                data-testid="ticket-edit"
              >
                {t('tickets.edit')}
              </Button>
            )}
          </Group>
          <Group gap="xs">
            <TicketStatusBadge status={tk.status} />
            <PriorityBadge priority={tk.priority} />
            {tk.overdue && (
              <Badge color="red" variant="filled" data-testid="ticket-overdue">
                {t('tickets.overdue')}
              </Badge>
            )}
            {tk.tags.map((tag) => (
              <Badge key={tag} variant="dot" color="gray">
                {tag}
              </Badge>
            ))}
          </Group>
        </Stack>
        {canWork && tk.allowedTransitions.length > 0 && (
          <Group gap="xs" data-testid="ticket-transitions">
            {tk.allowedTransitions.map((status) => (
              <Button
                key={status}
                size="xs"
                variant="light"
                color={TRANSITION_COLORS[status]}
                loading={move.isPending && move.variables === status}
                onClick={() => move.mutate(status)}
                data-testid={`transition-${status}`}
              >
                {t(`tickets.transitions.${status}`)}
              </Button>
            ))}
          </Group>
        )}
      </Group>
      <Grid>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack>
            <Card withBorder>
              {editing ? (
                <EditForm
                  ticket={tk}
                  saving={update.isPending}
                  onCancel={() => setEditing(false)}
                  onSave={(patch) => update.mutate(patch)}
                />
              ) : tk.description ? (
                <Text style={{ whiteSpace: 'pre-wrap' }} data-testid="ticket-description">
                  {tk.description}
                </Text>
              ) : (
                <Text c="dimmed">{t('tickets.noDescription')}</Text>
              )}
            </Card>
            <Card withBorder data-testid="ticket-notes">
              <Title order={5}>{t('tickets.notes')}</Title>
              <Text size="xs" c="dimmed" mb="sm">
                {t('tickets.notesHint')}
              </Text>
              {tk.notes.length === 0 && (
                <Text c="dimmed" size="sm">
                  {t('tickets.noNotes')}
                </Text>
              )}
              <Stack gap="sm">
                {tk.notes.map((n) => (
                  <Card
                    key={n.id}
                    withBorder
                    padding="xs"
                    bg="var(--mantine-color-gray-0)"
                    data-testid="ticket-note"
                  >
                    <Text size="xs" c="dimmed">
                      {n.author} · {formatDateTime(n.createdAt, i18n.language)}
                    </Text>
                    <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                      {n.text}
                    </Text>
                  </Card>
                ))}
              </Stack>
              {canWork && (
                <Stack
                  component="form"
                  gap="xs"
                  mt="sm"
                  onSubmit={(e) => {
                    e.preventDefault();
                    addNote.mutate();
                  }}
                >
                  <Textarea
                    aria-label={t('tickets.addNote')}
                    placeholder={t('tickets.notePlaceholder')}
                    autosize
                    minRows={2}
                    value={note}
                    onChange={(e) => setNote(e.currentTarget.value)}
                    data-testid="ticket-note-input"
                  />
                  <Group justify="flex-end">
                    <Button
                      type="submit"
                      size="xs"
                      disabled={!note.trim()}
                      loading={addNote.isPending}
                      data-testid="ticket-note-submit"
                    >
                      {t('tickets.addNote')}
                    </Button>
                  </Group>
                </Stack>
              )}
            </Card>
            <Card withBorder data-testid="ticket-history">
              <Title order={5} mb="sm">
                {t('tickets.history')}
              </Title>
              <Timeline bulletSize={12} lineWidth={2} active={tk.history.length}>
                {[...tk.history].reverse().map((h) => (
                  <Timeline.Item key={h.id} title={<HistoryLine entry={h} />}>
                    <Text size="xs" c="dimmed">
                      {h.by} · {formatDateTime(h.at, i18n.language)}
                    </Text>
                  </Timeline.Item>
                ))}
              </Timeline>
            </Card>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack>
            <Card withBorder data-testid="ticket-details">
              <Table variant="vertical" withRowBorders={false} layout="fixed">
                <Table.Tbody>
                  <Row label={t('tickets.fields.owner')}>
                    <Group gap="xs" justify="space-between">
                      <OwnerText ticket={tk} />
                      {canWrite && (
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          onClick={() => setReassigning(true)}
                          data-testid="ticket-reassign"
                        >
                          {t('tickets.reassign')}
                        </Button>
                      )}
                    </Group>
                  </Row>
                  <Row label={t('tickets.fields.priority')}>
                    {canWrite ? (
                      <Select
                        size="xs"
                        allowDeselect={false}
                        value={tk.priority}
                        onChange={(value) =>
                          value && value !== tk.priority && update.mutate({ priority: value })
                        }
                        data={TICKET_PRIORITIES.map((p) => ({
                          value: p,
                          label: t(`tickets.priorities.${p}`),
                        }))}
                        data-testid="ticket-priority"
                      />
                    ) : (
                      <PriorityBadge priority={tk.priority} />
                    )}
                  </Row>
                  <Row label={t('tickets.fields.dueAt')}>
                    <Stack gap={2}>
                      {canWrite ? (
                        <TextInput
                          size="xs"
                          type="date"
                          value={dayOf(tk.dueAt)}
                          onChange={(e) => {
                            const day = e.currentTarget.value;
                            if (day) update.mutate({ dueAt: endOfDay(day) });
                          }}
                          error={tk.overdue ? t('tickets.overdue') : undefined}
                          data-testid="ticket-due"
                        />
                      ) : (
                        <DueDate ticket={tk} />
                      )}
                      <Text size="xs" c="dimmed">
                        {tk.dueFromSla ? (
                          t('tickets.dueFromSla')
                        ) : canWrite ? (
                          <Anchor size="xs" onClick={() => update.mutate({ dueAt: null })}>
                            {t('tickets.backToSla')}
                          </Anchor>
                        ) : null}
                      </Text>
                    </Stack>
                  </Row>
                  <Row label={t('tickets.fields.account')}>
                    {tk.account ? (
                      <Anchor
                        component={Link}
                        to={`/accounts/${tk.account.id}`}
                        size="sm"
                        data-testid="ticket-account"
                      >
                        {tk.account.name}
                      </Anchor>
                    ) : (
                      '—'
                    )}
                  </Row>
                  <Row label={t('tickets.fields.contact')}>
                    {tk.contact ? (
                      <Anchor
                        component={Link}
                        to={`/directory/contacts/${tk.contact.id}`}
                        size="sm"
                        data-testid="ticket-contact"
                      >
                        {tk.contact.name ?? tk.contact.email ?? `#${tk.contact.id}`}
                      </Anchor>
                    ) : (
                      '—'
                    )}
                  </Row>
                  <Row label={t('tickets.fields.response')}>
                    {tk.response ? (
                      <Group gap={6}>
                        <Anchor
                          component={Link}
                          to={`/surveys/${tk.response.surveyId}?tab=responses`}
                          size="sm"
                          data-testid="ticket-response"
                        >
                          #{tk.response.id}
                        </Anchor>
                        {tk.response.npsScore !== null && (
                          <Badge
                            size="sm"
                            variant="light"
                            color={NPS_COLORS[tk.response.npsCategory as NpsCategory] ?? 'gray'}
                          >
                            NPS {tk.response.npsScore}
                          </Badge>
                        )}
                      </Group>
                    ) : (
                      '—'
                    )}
                  </Row>
                  <Row label={t('tickets.fields.tags')}>
                    {canWrite ? (
                      <TagsInput
                        size="xs"
                        value={tk.tags}
                        onChange={(tags) => update.mutate({ tags })}
                        maxTags={20}
                      />
                    ) : (
                      tk.tags.join(', ') || '—'
                    )}
                  </Row>
                  <Row label={t('tickets.fields.source')}>{t(`tickets.sources.${tk.source}`)}</Row>
                  <Row label={t('common.created')}>
                    <Text size="sm">
                      {formatDateTime(tk.createdAt, i18n.language)}
                      <Text span c="dimmed" size="xs">
                        {' '}
                        · {tk.createdBy}
                      </Text>
                    </Text>
                  </Row>
                  <Row label={t('common.updated')}>{formatDateTime(tk.updatedAt, i18n.language)}</Row>
                  {tk.resolvedAt && (
                    <Row label={t('tickets.fields.resolvedAt')}>
                      {formatDateTime(tk.resolvedAt, i18n.language)}
                    </Row>
                  )}
                  {tk.closedAt && (
                    <Row label={t('tickets.fields.closedAt')}>
                      {formatDateTime(tk.closedAt, i18n.language)}
                    </Row>
                  )}
                </Table.Tbody>
              </Table>
            </Card>
            <Card withBorder data-testid="ticket-notifications">
              <Title order={5} mb="xs">
                {t('tickets.emails')}
              </Title>
              {tk.notifications.length === 0 ? (
                <Text c="dimmed" size="sm">
                  {t('common.none')}
                </Text>
              ) : (
                tk.notifications.map((n) => (
                  <Group key={n.id} justify="space-between" gap="xs" wrap="nowrap">
                    <Text size="sm" truncate title={n.subject ?? undefined}>
                      {t(`tickets.emailEvents.${n.event}`)} → {n.to}
                    </Text>
                    <Badge
                      size="xs"
                      variant="light"
                      color={n.status === 'sent' ? 'green' : n.status === 'failed' ? 'red' : 'gray'}
                      title={n.error ?? (n.sentAt ? formatDateTime(n.sentAt, i18n.language) : undefined)}
                    >
                      {t(`tickets.emailStatuses.${n.status}`, { defaultValue: n.status })}
                    </Badge>
                  </Group>
                ))
              )}
            </Card>
            {canWrite && (
              <Group justify="flex-end">
                <Button
                  color="red"
                  variant="subtle"
                  size="xs"
                  leftSection={<IconTrash size={14} />}
                  onClick={() => setDeleting(true)}
                >
                  {t('common.delete')}
                </Button>
              </Group>
            )}
          </Stack>
        </Grid.Col>
      </Grid>
      <ReassignModal
        ticket={tk}
        opened={reassigning}
        onClose={() => setReassigning(false)}
        onDone={async () => {
          setReassigning(false);
          await refresh();
        }}
      />
      <Modal opened={deleting} onClose={() => setDeleting(false)} title={t('common.delete')}>
        <Stack>
          <Text>{t('tickets.deleteConfirm', { key: tk.key })}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDeleting(false)}>
              {t('common.cancel')}
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => remove.mutate()}>
              {t('common.delete')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w={100}>
        <Text size="sm" c="dimmed">
          {label}
        </Text>
      </Table.Th>
      <Table.Td style={{ overflowWrap: 'anywhere' }}>{children}</Table.Td>
    </Table.Tr>
  );
}

function EditForm({
  ticket,
  saving,
  onSave,
  onCancel,
}: {
  ticket: TicketDetail;
  saving: boolean;
  onSave: (patch: Record<string, unknown>) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [title, setTitle] = useState(ticket.title);
  const [description, setDescription] = useState(ticket.description);
  return (
    <Stack
      component="form"
      onSubmit={(e) => {
        e.preventDefault();
        onSave({ title, description });
      }}
    >
      <TextInput
        label={t('tickets.fields.title')}
        value={title}
        required
        onChange={(e) => setTitle(e.currentTarget.value)}
        data-testid="ticket-title-edit"
      />
      <Textarea
        label={t('tickets.fields.description')}
        autosize
        minRows={4}
        value={description}
        onChange={(e) => setDescription(e.currentTarget.value)}
      />
      <Group justify="flex-end">
        <Button variant="default" onClick={onCancel}>
          {t('common.cancel')}
        </Button>
        <Button type="submit" loading={saving} disabled={!title.trim()} data-testid="ticket-save">
          {t('common.save')}
        </Button>
      </Group>
    </Stack>
  );
}

function ReassignModal({
  ticket,
  opened,
  onClose,
  onDone,
}: {
  ticket: TicketDetail;
  opened: boolean;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<'email' | 'team' | 'none'>('email');
  const [email, setEmail] = useState('');
  const [teamRole, setTeamRole] = useState('ACCOUNT_OWNER');
  const reassign = useMutation({
    mutationFn: () =>
      api.post(
        `/tickets/${ticket.id}/reassign`,
        mode === 'team' ? { teamRole } : { ownerEmail: mode === 'none' ? null : email.trim() },
      ),
    onSuccess: onDone,
  });
  return (
    <Modal opened={opened} onClose={onClose} title={t('tickets.reassign')}>
      <Stack
        component="form"
        onSubmit={(e) => {
          e.preventDefault();
          reassign.mutate();
        }}
      >
        <SegmentedControl
          value={mode}
          onChange={(v) => setMode(v as typeof mode)}
          data={[
            { value: 'email', label: t('tickets.assign.email') },
            { value: 'team', label: t('tickets.assign.team'), disabled: !ticket.accountId },
            { value: 'none', label: t('tickets.assign.none') },
          ]}
        />
        {mode === 'email' && (
          <TextInput
            type="email"
            required
            placeholder="name@company.com"
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            data-testid="reassign-email"
          />
        )}
        {mode === 'team' && (
          <Select
            allowDeselect={false}
            value={teamRole}
            onChange={(v) => v && setTeamRole(v)}
            data={TEAM_ROLES.map((r) => ({ value: r, label: t(`teamRoles.${r}`) }))}
          />
        )}
        <Text size="xs" c="dimmed">
          {t('tickets.reassignHint')}
        </Text>
        {reassign.isError && (
          <Text c="red" size="sm">
            {errorMessage(reassign.error)}
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" loading={reassign.isPending} data-testid="reassign-submit">
            {t('common.save')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** One line of the history: "Opened", "Status: open → resolved", "Owner: a → b". */
function HistoryLine({ entry }: { entry: TicketDetail['history'][number] }) {
  const { t, i18n } = useTranslation();
  if (entry.field === 'created') return <Text size="sm">{t('tickets.historyCreated')}</Text>;
  const show = (value: unknown) => {
    if (value === null || value === undefined || value === '') return '—';
    if (entry.field === 'status') return t(`tickets.statuses.${value}`, { defaultValue: String(value) });
    if (entry.field === 'priority') return t(`tickets.priorities.${value}`, { defaultValue: String(value) });
    if (entry.field === 'dueAt') return formatDateTime(String(value), i18n.language);
    if (Array.isArray(value)) return value.join(', ') || '—';
    const text = displayValue(value);
    return text.length > 80 ? `${text.slice(0, 80)}…` : text;
  };
  return (
    <Text size="sm">
      {t('tickets.historyChanged', {
        field: t(`tickets.historyFields.${entry.field}`, { defaultValue: entry.field }),
        from: show(entry.oldValue),
        to: show(entry.newValue),
      })}
    </Text>
  );
}
