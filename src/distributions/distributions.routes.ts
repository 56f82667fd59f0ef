import { z } from 'zod';
import { ZAudience } from '../directory/audiences.ts';
import { findDirectory } from '../directory/directories.service.ts';
import { actorOf } from '../platform/http/access.ts';
import type { RouteModule } from '../platform/http/types.ts';
import { CHANNELS } from './distributions.schema.ts';
import {
  createDistribution,
  deleteDistribution,
  listDistributions,
  setPaused,
  updateDistribution,
  ZDistributionQuery,
} from './distributions.service.ts';
import { ZDistribution, ZStats } from './distributions.zod.ts';
import { audiencePreview, previewMessage, sendTest, ZPreview, ZSendTest } from './preview.service.ts';
import { describeProvider, updateProvider, ZProviderUpdate } from './providers.ts';
import { ZSendingRules } from './rules.ts';
import { readSendingRules, saveSendingRules } from './settings.service.ts';
import { publicUrlOf } from './start.jobs.ts';
import {
  distributionStatsMany,
  getDistribution,
  listRecipients,
  responseFunnel,
  ZFunnelQuery,
  ZRecipientQuery,
} from './stats.service.ts';

const ZDirParams = z.object({ dir: z.string().min(1).max(200) });
const ZIdParams = z.object({ id: z.coerce.number().int().positive() });
const ZChannelParams = z.object({ channel: z.enum(CHANNELS) });

export const distributionsRoutes: RouteModule = (app, deps) => {
  const { db, jobs, secrets } = deps;
  const publicUrl = publicUrlOf(deps);
  const tags = ['distributions'];

  app.get(
    '/directories/:dir/distributions',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'Distributions of a directory: the scheduled tab (drafts, scheduled) or the sent tab',
        params: ZDirParams,
        querystring: ZDistributionQuery,
        response: { 200: z.object({ items: z.array(ZDistribution), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      const page = await listDistributions(db.orm, actorOf(request), directory.id, request.query);
      // The tabs show each distribution's progress: its statistics come in three grouped queries.
      const stats = await distributionStatsMany(
        db.orm,
        page.items.map((d) => d.id),
      );
      return { ...page, items: page.items.map((d) => ({ ...d, stats: stats.get(d.id) })) };
    },
  );

  app.post(
    '/directories/:dir/distributions',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Create a distribution: send now, schedule (time zone explicit), or keep as a draft',
        params: ZDirParams,
        body: z.record(z.string(), z.unknown()),
        response: { 201: ZDistribution },
      },
    },
    async (request, reply) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      const row = await createDistribution(db, jobs, actorOf(request), directory.id, request.body);
      return reply.status(201).send(await getDistribution(db.orm, actorOf(request), row.id));
    },
  );

  app.get(
    '/distributions/:id',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'One distribution with its statistics (selected, opted out, missing email/phone, in list …)',
        params: ZIdParams,
        response: { 200: ZDistribution.extend({ stats: ZStats }) },
      },
    },
    async (request) => getDistribution(db.orm, actorOf(request), request.params.id),
  );

  app.put(
    '/distributions/:id',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Edit a draft or scheduled distribution (until it starts)',
        params: ZIdParams,
        body: z.record(z.string(), z.unknown()),
        response: { 200: ZDistribution },
      },
    },
    async (request) => {
      const row = await updateDistribution(db, jobs, actorOf(request), request.params.id, request.body);
      return getDistribution(db.orm, actorOf(request), row.id);
    },
  );

  app.delete(
    '/distributions/:id',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Delete a distribution that has not started',
        params: ZIdParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await deleteDistribution(db, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const)
    app.post(
      `/distributions/:id/${action}`,
      {
        config: { access: 'data:write' },
        schema: {
          tags,
          summary: paused ? 'Pause a distribution that is sending' : 'Resume a paused distribution',
          params: ZIdParams,
          response: { 200: ZDistribution },
        },
      },
      async (request) => {
        await setPaused(db, jobs, actorOf(request), request.params.id, paused);
        return getDistribution(db.orm, actorOf(request), request.params.id);
      },
    );

  app.get(
    '/distributions/:id/recipients',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'The recipients of a distribution and what happened to each',
        params: ZIdParams,
        querystring: ZRecipientQuery,
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.number(),
                contactId: z.number(),
                contactName: z.string().nullable(),
                address: z.string().nullable(),
                status: z.string(),
                reason: z.string().nullable(),
                attempts: z.number(),
                lastError: z.string().nullable(),
                sentAt: z.string().nullable(),
                deliveredAt: z.string().nullable(),
                openedAt: z.string().nullable(),
                bouncedAt: z.string().nullable(),
                failedAt: z.string().nullable(),
                response: z.string().nullable(),
              }),
            ),
            nextCursor: z.string().nullable(),
          }),
        },
      },
    },
    async (request) => listRecipients(db.orm, actorOf(request), request.params.id, request.query),
  );

  app.post(
    '/directories/:dir/distributions/preview',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'The message rendered for a real contact (piped text, link), before sending',
        params: ZDirParams,
        body: ZPreview,
        response: {
          200: z.object({
            to: z.string().nullable(),
            subject: z.string().nullable(),
            text: z.string(),
            html: z.string().nullable(),
            segments: z.number().nullable(),
          }),
        },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return previewMessage(db.orm, secrets, actorOf(request), directory.id, request.body, publicUrl);
    },
  );

  app.post(
    '/directories/:dir/audience-count',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'How many contacts a recipient rule names now',
        params: ZDirParams,
        body: ZAudience,
        response: { 200: z.object({ contacts: z.number() }) },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return audiencePreview(db.orm, actorOf(request), directory.id, request.body);
    },
  );

  app.post(
    '/distributions/:id/test',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Send the message once as a test to an address or number (not counted, not a recipient)',
        params: ZIdParams,
        body: ZSendTest,
        response: { 200: z.object({ to: z.string(), providerMessageId: z.string() }) },
      },
    },
    async (request) => sendTest(db, secrets, actorOf(request), request.params.id, request.body, publicUrl),
  );

  app.get(
    '/directories/:dir/sending-rules',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'Exclusion and contact frequency rules',
        params: ZDirParams,
        response: { 200: ZSendingRules },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return readSendingRules(db.orm, actorOf(request), directory.id);
    },
  );

  app.put(
    '/directories/:dir/sending-rules',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Save the exclusion and contact frequency rules (up to 20)',
        params: ZDirParams,
        body: ZSendingRules,
        response: { 200: ZSendingRules },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return saveSendingRules(db, actorOf(request), directory.id, request.body);
    },
  );

  app.get(
    '/directories/:dir/response-funnel',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'Invitations → delivered → opened → started → completed, by survey and channel',
        params: ZDirParams,
        querystring: ZFunnelQuery,
        response: {
          200: z.object({
            total: z.record(z.string(), z.number().nullable()),
            rows: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))),
          }),
        },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return responseFunnel(db.orm, actorOf(request), directory.id, request.query);
    },
  );

  app.get(
    '/delivery-providers/:channel',
    {
      config: { access: 'settings:manage' },
      schema: {
        tags,
        summary: 'Where email or SMS goes (outbox, SMTP, Twilio); secrets are never shown',
        params: ZChannelParams,
        response: { 200: z.record(z.string(), z.unknown()) },
      },
    },
    async (request) => describeProvider(db.orm, actorOf(request), request.params.channel),
  );

  app.put(
    '/delivery-providers/:channel',
    {
      config: { access: 'settings:manage' },
      schema: {
        tags,
        summary: 'Set the email or SMS provider (the password or token is stored encrypted)',
        params: ZChannelParams,
        body: ZProviderUpdate,
        response: { 200: z.record(z.string(), z.unknown()) },
      },
    },
    async (request) => updateProvider(db, secrets, actorOf(request), request.params.channel, request.body),
  );
};
