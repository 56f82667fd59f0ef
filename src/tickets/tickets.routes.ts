import { z } from 'zod';
import { actorOf } from '../platform/http/access.ts';
import { page } from '../platform/http/paging.ts';
import type { RouteModule } from '../platform/http/types.ts';
import { NOTIFICATION_EVENTS, TICKET_PRIORITIES, TICKET_SOURCES, TICKET_STATUSES } from './model.ts';
import { getTicketSettings, updateTicketSettings, ZTicketSettingsUpdate } from './settings.service.ts';
import {
  addTicketNote,
  createTicketFor,
  deleteTicket,
  getTicket,
  listTickets,
  reassignTicket,
  ticketSummary,
  transitionTicket,
  updateTicket,
  ZNoteCreate,
  ZReassign,
  ZTicketCreate,
  ZTicketQuery,
  ZTicketUpdate,
  ZTransition,
} from './tickets.service.ts';

const ZDirParams = z.object({ dir: z.string().min(1).max(200) });
const ZIdParams = z.object({ id: z.coerce.number().int().positive() });

const ZTicket = z.object({
  id: z.number(),
  directoryId: z.number(),
  number: z.number(),
  key: z.string().describe('T-42: the ticket number in its directory'),
  title: z.string(),
  description: z.string(),
  status: z.enum(TICKET_STATUSES),
  priority: z.enum(TICKET_PRIORITIES),
  ownerEmail: z.string().nullable(),
  owner: z
    .object({
      email: z.string(),
      name: z.string().nullable(),
      hasAccount: z.boolean().describe('Whether the owner can sign in to Rapport'),
    })
    .nullable(),
  accountId: z.number().nullable(),
  account: z.object({ id: z.number(), externalRef: z.string(), name: z.string() }).nullable(),
  contactId: z.number().nullable(),
  contact: z
    .object({
      id: z.number(),
      externalRef: z.string().nullable(),
      email: z.string().nullable(),
      name: z.string().nullable(),
    })
    .nullable(),
  responseId: z.number().nullable(),
  source: z.enum(TICKET_SOURCES),
  dueAt: z.string(),
  dueFromSla: z.boolean().describe('The due date follows the priority’s service level'),
  overdue: z.boolean(),
  tags: z.array(z.string()),
  allowedTransitions: z.array(z.enum(TICKET_STATUSES)),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  resolvedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
});

const ZNote = z.object({ id: z.number(), author: z.string(), text: z.string(), createdAt: z.string() });

const ZTicketDetail = ZTicket.extend({
  notes: z.array(ZNote),
  history: z.array(
    z.object({
      id: z.number(),
      field: z.string(),
      oldValue: z.unknown(),
      newValue: z.unknown(),
      by: z.string(),
      at: z.string(),
    }),
  ),
  notifications: z.array(
    z.object({
      id: z.number(),
      event: z.enum(NOTIFICATION_EVENTS),
      to: z.string(),
      status: z.string(),
      locale: z.string().nullable(),
      subject: z.string().nullable(),
      error: z.string().nullable(),
      createdAt: z.string(),
      sentAt: z.string().nullable(),
    }),
  ),
  response: z
    .object({
      id: z.number(),
      surveyId: z.number(),
      status: z.string(),
      npsScore: z.number().nullable(),
      npsCategory: z.string().nullable(),
      csatScore: z.number().nullable(),
      completedAt: z.string().nullable(),
    })
    .nullable()
    .describe('The response the ticket was opened on'),
});

const ZCounts = z.object({ active: z.number(), overdue: z.number() });
const ZSummary = z.object({
  total: z.number(),
  active: z.number().describe('open, in progress or waiting'),
  overdue: z.number(),
  byStatus: z.record(z.enum(TICKET_STATUSES), z.number()),
  byPriority: z.record(z.enum(TICKET_PRIORITIES), ZCounts),
  byOwner: z.array(ZCounts.extend({ ownerEmail: z.string().nullable(), ownerName: z.string().nullable() })),
});

const ZSla = z.record(z.enum(TICKET_PRIORITIES), z.number());
const ZSettings = z.object({
  directoryId: z.number(),
  slaDays: ZSla,
  defaults: ZSla,
  custom: z.boolean(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
});

export const ticketsRoutes: RouteModule = (app, { db, jobs }) => {
  const deps = { db, jobs };

  app.get(
    '/directories/:dir/tickets',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['tickets'],
        summary:
          'Tickets of a directory, filtered (status, priority, owner, mine, account and subtree, overdue, text) and sorted (due, priority, updated)',
        params: ZDirParams,
        querystring: ZTicketQuery,
        response: { 200: page(ZTicket) },
      },
    },
    async (request) => listTickets(db.orm, actorOf(request), request.params.dir, request.query),
  );

  app.get(
    '/directories/:dir/tickets/summary',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['tickets'],
        summary: 'Ticket counts by status, and of the active ones by priority and owner, with the overdue',
        params: ZDirParams,
        querystring: ZTicketQuery.omit({
          sort: true,
          limit: true,
          cursor: true,
          status: true,
          overdue: true,
        }),
        response: { 200: ZSummary },
      },
    },
    async (request) => ticketSummary(db.orm, actorOf(request), request.params.dir, request.query),
  );

  app.post(
    '/directories/:dir/tickets',
    {
      config: { access: 'data:write' },
      schema: {
        tags: ['tickets'],
        summary:
          'Open a ticket (201); with an idempotencyKey already used in the directory, the existing ticket (200)',
        params: ZDirParams,
        body: ZTicketCreate,
        response: { 200: ZTicket, 201: ZTicket },
      },
    },
    async (request, reply) => {
      const { ticket, created } = await createTicketFor(
        deps,
        actorOf(request),
        request.params.dir,
        request.body,
      );
      return reply.status(created ? 201 : 200).send(ticket);
    },
  );

  app.get(
    '/directories/:dir/ticket-settings',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['tickets'],
        summary: 'The service levels (days to resolve, by priority) new tickets get their due date from',
        params: ZDirParams,
        response: { 200: ZSettings },
      },
    },
    async (request) => getTicketSettings(db.orm, actorOf(request), request.params.dir),
  );

  app.put(
    '/directories/:dir/ticket-settings',
    {
      config: { access: 'data:write' },
      schema: {
        tags: ['tickets'],
        summary: 'Change the service levels (null: back to 1, 3, 7 and 14 days)',
        params: ZDirParams,
        body: ZTicketSettingsUpdate,
        response: { 200: ZSettings },
      },
    },
    async (request) => updateTicketSettings(db, actorOf(request), request.params.dir, request.body),
  );

  app.get(
    '/tickets/:id',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['tickets'],
        summary: 'A ticket with its notes, history, notices sent and source response',
        params: ZIdParams,
        response: { 200: ZTicketDetail },
      },
    },
    async (request) => getTicket(db.orm, actorOf(request), request.params.id),
  );

  app.patch(
    '/tickets/:id',
    {
      config: { access: 'data:write' },
      schema: {
        tags: ['tickets'],
        summary:
          'Change fields: title, description, priority, due date (null: from the SLA), tags, account, contact',
        params: ZIdParams,
        body: ZTicketUpdate,
        response: { 200: ZTicket },
      },
    },
    async (request) => updateTicket(deps, actorOf(request), request.params.id, request.body),
  );

  app.post(
    '/tickets/:id/transition',
    {
      config: { access: 'tickets:work' },
      schema: {
        tags: ['tickets'],
        summary: 'Move to another status (409 when the move is not allowed), with an optional note',
        params: ZIdParams,
        body: ZTransition,
        response: { 200: ZTicket },
      },
    },
    async (request) => transitionTicket(deps, actorOf(request), request.params.id, request.body),
  );

  app.post(
    '/tickets/:id/notes',
    {
      config: { access: 'tickets:work' },
      schema: {
        tags: ['tickets'],
        summary: 'Add an internal note',
        params: ZIdParams,
        body: ZNoteCreate,
        response: { 201: ZNote },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await addTicketNote(db, actorOf(request), request.params.id, request.body)),
  );

  app.post(
    '/tickets/:id/reassign',
    {
      config: { access: 'data:write' },
      schema: {
        tags: ['tickets'],
        summary:
          'Give the ticket to someone (by email, or the account team’s member of a role); they get an email',
        params: ZIdParams,
        body: ZReassign,
        response: { 200: ZTicket },
      },
    },
    async (request) => reassignTicket(deps, actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/tickets/:id',
    {
      config: { access: 'data:write' },
      schema: { tags: ['tickets'], summary: 'Delete a ticket', params: ZIdParams },
    },
    async (request, reply) => {
      await deleteTicket(db, actorOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
};
