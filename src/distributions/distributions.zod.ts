import { z } from 'zod';
import { DISTRIBUTION_STATUSES } from './distributions.schema.ts';

/** Response shapes of the distributions API (what leaves the server, and nothing else). */

export const ZDistribution = z.object({
  id: z.number(),
  directoryId: z.number(),
  surveyId: z.number(),
  parentId: z.number().nullable(),
  name: z.string(),
  kind: z.enum(['invitation', 'reminder', 'thank_you']),
  channel: z.enum(['email', 'sms']),
  status: z.enum(DISTRIBUTION_STATUSES),
  recipients: z.record(z.string(), z.unknown()),
  message: z.record(z.string(), z.unknown()),
  embedded: z.record(z.string(), z.string()),
  linkExpiresInDays: z.number().nullable(),
  transactional: z.boolean(),
  scheduledAt: z.string().nullable(),
  timeZone: z.string(),
  scheduledLocal: z.string().nullable(),
  error: z.string().nullable(),
  createdBy: z.string(),
  updatedBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  stats: z.unknown().optional(),
});

export const ZStats = z.object({
  selected: z.number().describe('# selected: every record chosen for the distribution'),
  optedOut: z.number().describe('# opted out: excluded by the exclusion rules'),
  missingEmail: z.number(),
  missingPhone: z.number(),
  duplicates: z.number().describe('Records sharing an address already in the list: sent once'),
  frequencyLimited: z.number().describe('Held back by a contact frequency rule'),
  excludedByReason: z.record(z.string(), z.number()),
  pending: z.number(),
  inList: z.number().describe('# in list: messages actually sent'),
  delivered: z.number(),
  bounced: z.number(),
  failed: z.number(),
  opened: z.number(),
  started: z.number(),
  completed: z.number(),
  resentAfterInterruption: z.number(),
});
