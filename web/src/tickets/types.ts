/** Tickets as the API returns them (GET /directories/:dir/tickets, GET /tickets/:id). */

export const TICKET_STATUSES = ['open', 'in_progress', 'waiting', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const ACTIVE_STATUSES: readonly TicketStatus[] = ['open', 'in_progress', 'waiting'];
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

export const STATUS_COLORS: Record<TicketStatus, string> = {
  open: 'blue',
  in_progress: 'indigo',
  waiting: 'yellow',
  resolved: 'green',
  closed: 'gray',
};
export const PRIORITY_COLORS: Record<TicketPriority, string> = {
  low: 'gray',
  normal: 'blue',
  high: 'orange',
  urgent: 'red',
};

export interface Ticket {
  id: number;
  directoryId: number;
  number: number;
  key: string;
  title: string;
  description: string;
  status: TicketStatus;
  priority: TicketPriority;
  ownerEmail: string | null;
  owner: { email: string; name: string | null; hasAccount: boolean } | null;
  accountId: number | null;
  account: { id: number; externalRef: string; name: string } | null;
  contactId: number | null;
  contact: { id: number; externalRef: string | null; email: string | null; name: string | null } | null;
  responseId: number | null;
  source: 'manual' | 'workflow' | 'api';
  dueAt: string;
  dueFromSla: boolean;
  overdue: boolean;
  tags: string[];
  allowedTransitions: TicketStatus[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
}

export interface TicketDetail extends Ticket {
  notes: { id: number; author: string; text: string; createdAt: string }[];
  history: { id: number; field: string; oldValue: unknown; newValue: unknown; by: string; at: string }[];
  notifications: {
    id: number;
    event: 'created' | 'assigned' | 'overdue';
    to: string;
    status: string;
    locale: string | null;
    subject: string | null;
    error: string | null;
    createdAt: string;
    sentAt: string | null;
  }[];
  response: {
    id: number;
    surveyId: number;
    status: string;
    npsScore: number | null;
    npsCategory: string | null;
    csatScore: number | null;
    completedAt: string | null;
  } | null;
}

export interface TicketSummary {
  total: number;
  active: number;
  overdue: number;
  byStatus: Record<TicketStatus, number>;
  byPriority: Record<TicketPriority, { active: number; overdue: number }>;
  byOwner: { ownerEmail: string | null; ownerName: string | null; active: number; overdue: number }[];
}

/** What "Open a ticket" starts from: the record it was opened on. */
export interface TicketPrefill {
  directoryId: number;
  accountId?: number | null;
  accountName?: string | null;
  contactId?: number | null;
  contactName?: string | null;
  responseId?: number | null;
  title?: string;
}
