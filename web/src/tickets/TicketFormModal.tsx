import {
  Button,
  Group,
  Loader,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconTicket } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiError, api, errorMessage } from '../api/client.ts';
import { TEAM_ROLES } from '../api/types.ts';
import { useCan } from '../auth/session.ts';
import { useSearchOptions } from '../distributions/parts.tsx';
import { endOfDay, TICKETS_KEY } from './parts.tsx';
import { TICKET_PRIORITIES, type Ticket, type TicketPrefill, type TicketPriority } from './types.ts';

type OwnerMode = 'team' | 'email' | 'none';

/** The API's field errors (`[{ path, message }]`) by field name, for the inputs to show. */
function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return {};
  const out: Record<string, string> = {};
  for (const d of error.details as { path?: string; message?: string }[]) {
    const field = (d.path ?? '').replace(/^body\./, '').split(/[.[]/)[0];
    if (field && d.message) out[field] = d.message;
  }
  return out;
}

/** A searchable picker of one account or contact of the directory (server-side search). */
export function RecordPicker({
  kind,
  directoryId,
  label,
  value,
  initialLabel,
  onChange,
  error,
  testId,
}: {
  kind: 'accounts' | 'contacts';
  directoryId: number;
  label: string;
  value: string | null;
  initialLabel: string | null | undefined;
  onChange: (value: string | null) => void;
  error?: string | undefined;
  testId: string;
}) {
  const { t } = useTranslation();
  const options = useSearchOptions(kind, directoryId);
  const { setLabels } = options;
  useEffect(() => {
    if (value && initialLabel) setLabels((known) => ({ ...known, [value]: initialLabel }));
  }, [value, initialLabel, setLabels]);
  return (
    <Select
      label={label}
      searchable
      clearable
      placeholder={t('common.search')}
      onSearchChange={options.setSearch}
      filter={({ options: all }) => all}
      value={value}
      onChange={(next) => {
        if (next) options.remember([next]);
        onChange(next);
      }}
      data={options.options(value ? [value] : [])}
      rightSection={options.loading ? <Loader size="xs" /> : undefined}
      nothingFoundMessage={t('common.none')}
      error={error}
      data-testid={testId}
    />
  );
}

/** "Open a ticket": pre-filled from the account, contact or response it is opened on. */
export function TicketFormModal({
  prefill,
  opened,
  onClose,
}: {
  prefill: TicketPrefill;
  opened: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [title, setTitle] = useState(prefill.title ?? '');
  const [description, setDescription] = useState('');
  const [priority, setPriority] = useState<TicketPriority>('normal');
  const [accountId, setAccountId] = useState<string | null>(
    prefill.accountId ? String(prefill.accountId) : null,
  );
  const [contactId, setContactId] = useState<string | null>(
    prefill.contactId ? String(prefill.contactId) : null,
  );
  const [mode, setMode] = useState<OwnerMode>(prefill.accountId ? 'team' : 'email');
  const [teamRole, setTeamRole] = useState<string>('ACCOUNT_OWNER');
  const [ownerEmail, setOwnerEmail] = useState('');
  const [due, setDue] = useState('');
  const [tags, setTags] = useState<string[]>([]);

  const create = useMutation({
    mutationFn: () =>
      api.post<Ticket>(`/directories/${prefill.directoryId}/tickets`, {
        title: title.trim(),
        description,
        priority,
        accountId: accountId ? Number(accountId) : null,
        contactId: contactId ? Number(contactId) : null,
        ...(prefill.responseId ? { responseId: prefill.responseId } : {}),
        ...(mode === 'team' ? { assignTo: { teamRole } } : {}),
        ...(mode === 'email' ? { ownerEmail: ownerEmail.trim() || null } : {}),
        ...(due ? { dueAt: endOfDay(due) } : {}),
        tags,
      }),
    onSuccess: async (ticket) => {
      await client.invalidateQueries({ queryKey: [TICKETS_KEY] });
      notifications.show({ color: 'green', message: t('tickets.createdToast', { key: ticket.key }) });
      onClose();
      navigate(`/tickets/${ticket.id}`);
    },
  });
  const errors = fieldErrors(create.error);
  const generalError = create.error && Object.keys(errors).length === 0 ? errorMessage(create.error) : null;

  return (
    <Modal opened={opened} onClose={onClose} title={t('tickets.openTicket')} size="lg">
      <Stack
        component="form"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
        data-testid="ticket-form"
      >
        <TextInput
          label={t('tickets.fields.title')}
          value={title}
          required
          data-autofocus
          onChange={(e) => setTitle(e.currentTarget.value)}
          error={errors.title}
          data-testid="ticket-title-input"
        />
        <Textarea
          label={t('tickets.fields.description')}
          autosize
          minRows={3}
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
          error={errors.description}
        />
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            {t('tickets.fields.priority')}
          </Text>
          <SegmentedControl
            value={priority}
            onChange={(v) => setPriority(v as TicketPriority)}
            data={TICKET_PRIORITIES.map((p) => ({ value: p, label: t(`tickets.priorities.${p}`) }))}
            data-testid="ticket-priority-input"
          />
        </Stack>
        <Group grow align="flex-start">
          <RecordPicker
            kind="accounts"
            directoryId={prefill.directoryId}
            label={t('tickets.fields.account')}
            value={accountId}
            initialLabel={prefill.accountName}
            onChange={(v) => {
              setAccountId(v);
              if (!v && mode === 'team') setMode('email');
            }}
            error={errors.accountId}
            testId="ticket-account-input"
          />
          <RecordPicker
            kind="contacts"
            directoryId={prefill.directoryId}
            label={t('tickets.fields.contact')}
            value={contactId}
            initialLabel={prefill.contactName}
            onChange={setContactId}
            error={errors.contactId}
            testId="ticket-contact-input"
          />
        </Group>
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            {t('tickets.fields.owner')}
          </Text>
          <SegmentedControl
            value={mode}
            onChange={(v) => setMode(v as OwnerMode)}
            data={[
              { value: 'team', label: t('tickets.assign.team'), disabled: !accountId },
              { value: 'email', label: t('tickets.assign.email') },
              { value: 'none', label: t('tickets.assign.none') },
            ]}
            data-testid="ticket-owner-mode"
          />
          {mode === 'team' && (
            <Select
              aria-label={t('tickets.assign.team')}
              allowDeselect={false}
              value={teamRole}
              onChange={(v) => v && setTeamRole(v)}
              data={TEAM_ROLES.map((r) => ({ value: r, label: t(`teamRoles.${r}`) }))}
              description={t('tickets.assign.teamHint')}
              error={errors.assignTo}
              data-testid="ticket-team-role"
            />
          )}
          {mode === 'email' && (
            <TextInput
              aria-label={t('tickets.assign.email')}
              type="email"
              placeholder="name@company.com"
              value={ownerEmail}
              onChange={(e) => setOwnerEmail(e.currentTarget.value)}
              error={errors.ownerEmail}
              data-testid="ticket-owner-email"
            />
          )}
        </Stack>
        <Group grow align="flex-start">
          <TextInput
            type="date"
            label={t('tickets.fields.dueAt')}
            description={t('tickets.dueDefault')}
            value={due}
            onChange={(e) => setDue(e.currentTarget.value)}
            error={errors.dueAt}
          />
          <TagsInput
            label={t('tickets.fields.tags')}
            value={tags}
            onChange={setTags}
            maxTags={20}
            error={errors.tags}
          />
        </Group>
        {prefill.responseId && (
          <Text size="sm" c="dimmed">
            {t('tickets.fromResponse', { id: prefill.responseId })}
          </Text>
        )}
        {generalError && (
          <Text c="red" size="sm">
            {generalError}
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button
            type="submit"
            loading={create.isPending}
            disabled={!title.trim()}
            data-testid="ticket-submit"
          >
            {t('common.create')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** The "Open a ticket" button (writers only), with its form. */
export function OpenTicketButton({
  prefill,
  size = 'xs',
  variant = 'light',
}: {
  prefill: TicketPrefill | (() => TicketPrefill);
  size?: 'xs' | 'sm';
  variant?: 'light' | 'subtle' | 'filled' | 'default';
}) {
  const { t } = useTranslation();
  const canWrite = useCan('data:write');
  const [open, setOpen] = useState<TicketPrefill | null>(null);
  if (!canWrite) return null;
  return (
    <>
      <Button
        size={size}
        variant={variant}
        leftSection={<IconTicket size={14} />}
        onClick={() => setOpen(typeof prefill === 'function' ? prefill() : prefill)}
        data-testid="open-ticket"
      >
        {t('tickets.openTicket')}
      </Button>
      {open && <TicketFormModal prefill={open} opened onClose={() => setOpen(null)} />}
    </>
  );
}
