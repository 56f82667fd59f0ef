import { Badge, Text, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useMe } from '../auth/session.ts';
import { formatDateTime } from '../i18n/index.ts';
import {
  PRIORITY_COLORS,
  STATUS_COLORS,
  type Ticket,
  type TicketPriority,
  type TicketStatus,
} from './types.ts';

export const TICKETS_KEY = 'tickets';

/** tickets:work is newer than the UI's permission list: read it as a plain string. */
export function useCanWorkTickets(): boolean {
  const { data } = useMe();
  return (data?.permissions as string[] | undefined)?.includes('tickets:work') ?? false;
}

export function TicketStatusBadge({ status }: { status: TicketStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={STATUS_COLORS[status]} variant="light" data-testid="ticket-status">
      {t(`tickets.statuses.${status}`)}
    </Badge>
  );
}

export function PriorityBadge({ priority }: { priority: TicketPriority }) {
  const { t } = useTranslation();
  return (
    <Badge color={PRIORITY_COLORS[priority]} variant={priority === 'urgent' ? 'filled' : 'outline'} size="sm">
      {t(`tickets.priorities.${priority}`)}
    </Badge>
  );
}

/** The due date, in red with a tooltip when the ticket is overdue. */
export function DueDate({ ticket }: { ticket: Pick<Ticket, 'dueAt' | 'overdue'> }) {
  const { t, i18n } = useTranslation();
  const text = (
    <Text
      size="sm"
      c={ticket.overdue ? 'red' : undefined}
      fw={ticket.overdue ? 600 : undefined}
      data-overdue={ticket.overdue}
    >
      {formatDateTime(ticket.dueAt, i18n.language)}
    </Text>
  );
  return ticket.overdue ? <Tooltip label={t('tickets.overdue')}>{text}</Tooltip> : text;
}

export function OwnerText({ ticket }: { ticket: Pick<Ticket, 'owner'> }) {
  const { t } = useTranslation();
  if (!ticket.owner)
    return (
      <Text size="sm" c="dimmed">
        {t('tickets.unassigned')}
      </Text>
    );
  return (
    <Text size="sm" title={ticket.owner.hasAccount ? ticket.owner.email : t('tickets.noAccountYet')}>
      {ticket.owner.name ?? ticket.owner.email}
      {!ticket.owner.hasAccount && (
        <Text span c="dimmed" size="xs">
          {' '}
          ({t('tickets.noAccountYet')})
        </Text>
      )}
    </Text>
  );
}

/** An ISO instant for the end of a date input's day, in the browser's time zone. */
export const endOfDay = (day: string) => new Date(`${day}T23:59:59`).toISOString();
/** A date input's value for an instant, in the browser's time zone. */
export const dayOf = (iso: string) => {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};
