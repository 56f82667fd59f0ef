/** Shapes of the distributions API (src/distributions/*.ts), as the UI uses them. */

export const CHANNELS = ['email', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];
export const KINDS = ['invitation', 'reminder', 'thank_you'] as const;
export type Kind = (typeof KINDS)[number];
export const DISTRIBUTION_STATUSES = [
  'draft',
  'scheduled',
  'building',
  'sending',
  'paused',
  'completed',
  'cancelled',
  'failed',
] as const;
export type DistributionStatus = (typeof DISTRIBUTION_STATUSES)[number];
export const RECIPIENT_STATUSES = [
  'excluded',
  'missing_email',
  'missing_phone',
  'duplicate',
  'frequency_limited',
  'pending',
  'sending',
  'sent',
  'delivered',
  'bounced',
  'failed',
] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

/** The reasons of # opted out (src/distributions/rules.ts); the others are frequency holds. */
export const EXCLUSION_REASONS = [
  'email_opt_out',
  'sms_opt_out',
  'do_not_call',
  'fax_opt_out',
  'email_bounced',
  'no_consent',
  'consent_unknown',
];

export const STATUS_COLORS: Record<DistributionStatus, string> = {
  draft: 'gray',
  scheduled: 'blue',
  building: 'cyan',
  sending: 'indigo',
  paused: 'yellow',
  completed: 'green',
  cancelled: 'gray',
  failed: 'red',
};

export const RECIPIENT_COLORS: Record<RecipientStatus, string> = {
  excluded: 'orange',
  missing_email: 'gray',
  missing_phone: 'gray',
  duplicate: 'gray',
  frequency_limited: 'yellow',
  pending: 'blue',
  sending: 'blue',
  sent: 'teal',
  delivered: 'green',
  bounced: 'red',
  failed: 'red',
};

export type Audience =
  | { type: 'mailingList'; mailingListId: number }
  | { type: 'contacts'; contactIds: number[] }
  | {
      type: 'accountRoles';
      roles: string[];
      accountIds?: number[];
      includeDescendants?: boolean;
      teamMemberEmail?: string;
      teamRole?: string;
    }
  /** A segment (src/segments), evaluated when the distribution starts; roles: see ZAudience. */
  | { type: 'segment'; segmentId: number; roles?: string[] };

export interface EmailMessage {
  fromName: string;
  fromAddress?: string;
  replyTo?: string;
  subject: string;
  html?: string;
  text: string;
  trackOpens: boolean;
}

export const PHONE_FIELDS = ['mobileThenPhone', 'mobilePhone', 'phone'] as const;
export type PhoneField = (typeof PHONE_FIELDS)[number];

export interface SmsMessage {
  mode: 'one_way' | 'two_way';
  phoneField: PhoneField;
  body: string;
}

export interface Distribution {
  id: number;
  directoryId: number;
  surveyId: number;
  parentId: number | null;
  name: string;
  kind: Kind;
  channel: Channel;
  status: DistributionStatus;
  /** An audience for invitations; `{}` for reminders and thank-yous (they follow their invitation). */
  recipients: Partial<Audience> & Record<string, unknown>;
  message: Partial<EmailMessage & SmsMessage>;
  embedded: Record<string, string>;
  linkExpiresInDays: number | null;
  transactional: boolean;
  scheduledAt: string | null;
  timeZone: string;
  /** The schedule as it was given: wall-clock time ("2026-12-01T09:00") in `timeZone`. */
  scheduledLocal: string | null;
  error: string | null;
  createdBy: string;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  completedAt: string | null;
}

export interface DistributionStats {
  selected: number;
  optedOut: number;
  missingEmail: number;
  missingPhone: number;
  duplicates: number;
  frequencyLimited: number;
  excludedByReason: Record<string, number>;
  pending: number;
  inList: number;
  delivered: number;
  bounced: number;
  failed: number;
  opened: number;
  started: number;
  completed: number;
  resentAfterInterruption: number;
}

export interface DistributionDetail extends Distribution {
  stats: DistributionStats;
}

export interface Recipient {
  id: number;
  contactId: number;
  address: string | null;
  status: RecipientStatus;
  reason: string | null;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  openedAt: string | null;
  bouncedAt: string | null;
  failedAt: string | null;
  response: string | null;
}

export interface Preview {
  to: string | null;
  subject: string | null;
  text: string;
  html: string | null;
  segments: number | null;
}

export interface Problem {
  path: string;
  message: string;
}

export const CONDITION_TYPES = ['attribute', 'role'] as const;

export interface FrequencyRule {
  name: string;
  scope: 'directory' | 'survey' | 'mailingList';
  scopeId?: number;
  channel: 'any' | 'email' | 'sms';
  maxMessages?: number;
  withinHours?: number;
  minHoursBetween?: number;
  when?: { type: 'attribute'; attribute: string; values: string[] } | { type: 'role'; roles: string[] };
}

export interface Exclusions {
  doNotCall: boolean;
  faxOptOut: boolean;
  emailBounced: boolean;
  noConsent: boolean;
  requireConsent: boolean;
}

export interface SendingRules {
  exclusions: Exclusions;
  frequencyRules: FrequencyRule[];
}

export interface FunnelStages {
  invitations: number;
  delivered: number;
  opened: number;
  started: number;
  completed: number;
}

export interface ResponseFunnel {
  total: FunnelStages & { responseRate: number | null };
  rows: (FunnelStages & {
    surveyId: number;
    survey: string;
    channel: Channel;
    responseRate: number | null;
  })[];
}

export interface OutboxMessage {
  id: number;
  channel: Channel;
  idempotencyKey: string;
  distributionId: number | null;
  contactId: number | null;
  toAddress: string;
  fromAddress: string | null;
  subject: string | null;
  text: string;
  html: string | null;
  headers: Record<string, string>;
  createdAt: string;
}

export type EmailProviderSettings =
  | { kind: 'outbox'; defaultFrom: string }
  | { kind: 'smtp'; defaultFrom: string; smtp: Record<string, unknown>; user?: string };
export type SmsProviderSettings =
  | { kind: 'outbox'; defaultFrom: string }
  | { kind: 'twilio'; twilio: { accountSid: string; from: string; baseUrl?: string } };

export interface DeliveryProvider {
  channel: Channel;
  settings: EmailProviderSettings | SmsProviderSettings;
  hasSecret: boolean;
  ratePerSecond: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

/** Building or sending, or scheduled to start within a minute: worth following as it moves. */
export const isMoving = (d: Pick<Distribution, 'status' | 'scheduledAt'>) =>
  d.status === 'building' ||
  d.status === 'sending' ||
  (d.status === 'scheduled' && !!d.scheduledAt && Date.parse(d.scheduledAt) < Date.now() + 60_000);
