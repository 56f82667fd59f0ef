import { z } from 'zod';
import { CLIENT_ROLES } from '../directory/roles.ts';

/**
 * Per-directory sending rules. Exclusions keep contacts who opted out (or whose address bounced)
 * from being surveyed; frequency rules keep anyone from being surveyed too often. Both are
 * evaluated in SQL while a distribution's recipient set is built.
 */

export const EXCLUSION_REASONS = [
  'email_opt_out',
  'sms_opt_out',
  'do_not_call',
  'fax_opt_out',
  'email_bounced',
  'no_consent',
  'consent_unknown',
] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

export const ZExclusions = z.object({
  /** The seed's options for contacts (opting out of email or SMS always excludes from that channel). */
  doNotCall: z.boolean().default(true),
  faxOptOut: z.boolean().default(true),
  emailBounced: z.boolean().default(true),
  /** Exclude contacts who refused consent … */
  noConsent: z.boolean().default(true),
  /** … and also those never asked (consent unknown), where the law requires prior consent. */
  requireConsent: z.boolean().default(false),
});
export type Exclusions = z.output<typeof ZExclusions>;

const ZCondition = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('attribute'),
    /** A contact attribute (case-insensitive name) … */
    attribute: z.string().min(1).max(200),
    /** … equal to one of these values (compared as text). */
    values: z.array(z.string().max(1024)).min(1).max(100),
  }),
  z.object({ type: z.literal('role'), roles: z.array(z.enum(CLIENT_ROLES)).min(1) }),
]);

export const ZFrequencyRule = z
  .object({
    name: z.string().trim().min(1).max(200),
    /** directory: every contact; survey/mailingList: an exception for that survey or list. */
    scope: z.enum(['directory', 'survey', 'mailingList']).default('directory'),
    scopeId: z.number().int().positive().optional(),
    channel: z.enum(['any', 'email', 'sms']).default('any'),
    /** At most `maxMessages` invitations within the last `withinHours` (a rolling window) … */
    maxMessages: z.number().int().min(1).max(1000).optional(),
    withinHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 366)
      .optional(),
    /** … and/or at least this many hours since the previous one. */
    minHoursBetween: z
      .number()
      .int()
      .min(1)
      .max(24 * 366)
      .optional(),
    /** Only for the contacts matching (a segment of the directory: attributes or client roles). */
    when: ZCondition.optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.maxMessages === undefined && rule.minHoursBetween === undefined)
      ctx.addIssue({ code: 'custom', message: 'set maxMessages (with withinHours) or minHoursBetween' });
    if ((rule.maxMessages === undefined) !== (rule.withinHours === undefined))
      ctx.addIssue({ code: 'custom', message: 'maxMessages and withinHours go together' });
    if (rule.scope !== 'directory' && rule.scopeId === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['scopeId'],
        message: `a ${rule.scope} rule names its ${rule.scope}`,
      });
  });
export type FrequencyRule = z.output<typeof ZFrequencyRule>;

export const ZSendingRules = z.object({
  exclusions: ZExclusions.default(ZExclusions.parse({})),
  frequencyRules: z.array(ZFrequencyRule).max(20, { error: 'at most 20 frequency rules' }).default([]),
});
export type SendingRules = z.output<typeof ZSendingRules>;

/** A new directory's rules: the seed's exclusions, and one invitation per contact per 30 days. */
export const DEFAULT_RULES: SendingRules = ZSendingRules.parse({
  frequencyRules: [{ name: 'One invitation per 30 days', maxMessages: 1, withinHours: 30 * 24 }],
});

/**
 * The rules that hold for one distribution: its survey's or mailing list's own rules replace the
 * directory's (they are exceptions), as in Qualtrics XM Directory.
 */
export function rulesFor(
  rules: FrequencyRule[],
  target: { surveyId: number; mailingListId: number | null },
): FrequencyRule[] {
  const custom = rules.filter(
    (r) =>
      (r.scope === 'survey' && r.scopeId === target.surveyId) ||
      (r.scope === 'mailingList' && target.mailingListId !== null && r.scopeId === target.mailingListId),
  );
  return custom.length ? custom : rules.filter((r) => r.scope === 'directory');
}

/** Identical messages to the same address within this many hours are always held back. */
export const IDENTICAL_MESSAGE_HOURS = 12;
