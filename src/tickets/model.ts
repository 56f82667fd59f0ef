/**
 * The ticket model without the database: statuses and the moves between them, priorities and
 * their default service levels, sources. The schema, the services and the web UI share it.
 */

export const TICKET_STATUSES = ['open', 'in_progress', 'waiting', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Statuses in which a ticket is still someone's work: it can be overdue. */
export const ACTIVE_STATUSES = ['open', 'in_progress', 'waiting'] as const satisfies readonly TicketStatus[];

/**
 * Where each status may go. A resolved ticket is closed or reopened; a closed one can only be
 * reopened (to open). Staying in the same status is not a move.
 */
export const TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  open: ['in_progress', 'waiting', 'resolved', 'closed'],
  in_progress: ['open', 'waiting', 'resolved', 'closed'],
  waiting: ['open', 'in_progress', 'resolved', 'closed'],
  resolved: ['open', 'in_progress', 'closed'],
  closed: ['open'],
};

export const canTransition = (from: TicketStatus, to: TicketStatus) => TRANSITIONS[from].includes(to);

/** In increasing urgency: the database enum keeps this order, so ORDER BY priority DESC is "most urgent first". */
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/** How a ticket came to be: by hand in the UI, by an automation, or through the API with a token. */
export const TICKET_SOURCES = ['manual', 'workflow', 'api'] as const;
export type TicketSource = (typeof TICKET_SOURCES)[number];

/** Days to resolve a ticket of each priority, unless the directory sets its own. */
export const DEFAULT_SLA_DAYS: Record<TicketPriority, number> = { urgent: 1, high: 3, normal: 7, low: 14 };

export const NOTIFICATION_EVENTS = ['created', 'assigned', 'overdue'] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** A ticket's human-friendly name within its directory: T-42. */
export const ticketKey = (number: number) => `T-${number}`;

const DAY_MS = 24 * 3600 * 1000;

/** The due date a ticket of this priority gets when it is opened at `from`. */
export function slaDueAt(
  from: Date,
  priority: TicketPriority,
  slaDays: Record<TicketPriority, number>,
): Date {
  return new Date(from.getTime() + slaDays[priority] * DAY_MS);
}
