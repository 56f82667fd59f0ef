import type {
  Audience,
  Channel,
  Distribution,
  EmailMessage,
  Kind,
  PhoneField,
  Problem,
  SmsMessage,
} from './types.ts';

/**
 * The distribution form's state, and its translation to and from the API's input
 * (src/distributions/distributions.service.ts ZDistributionInput). Inputs keep strings (what
 * Mantine's selects hold); `toInput` leaves empty optional fields out, as the API expects.
 */

export type AudienceType = Audience['type'];
export type When = 'now' | 'schedule' | 'draft';

export interface EmbeddedRow {
  name: string;
  /** A source the API knows (contact.externalRef …, contact.attributes.<name>), or `const`. */
  source: string;
  /** The text of a `const:` source. */
  constant: string;
}

export interface Draft {
  surveyId: string | null;
  name: string;
  channel: Channel;
  kind: Kind;
  parentId: string | null;
  audienceType: AudienceType;
  mailingListId: string | null;
  segmentId: string | null;
  contactIds: string[];
  roles: string[];
  accountIds: string[];
  includeDescendants: boolean;
  onlyMine: boolean;
  teamRole: string | null;
  email: {
    fromName: string;
    fromAddress: string;
    replyTo: string;
    subject: string;
    html: string;
    text: string;
    trackOpens: boolean;
  };
  sms: SmsMessage;
  embedded: EmbeddedRow[];
  linkExpiresInDays: number | '';
  transactional: boolean;
  when: When;
  at: string;
  timeZone: string;
}

export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** Every zone the browser knows (UTC first), for the schedule's explicit time zone. */
export function timeZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...zones.filter((z) => z !== 'UTC')];
}

/** Tomorrow at 09:00, as a datetime-local value: a sensible first schedule. */
export function tomorrowMorning(): string {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T09:00`;
}

export function emptyDraft(defaults: {
  subject: string;
  text: string;
  html: string;
  sms: string;
  fromName: string;
}): Draft {
  return {
    surveyId: null,
    name: '',
    channel: 'email',
    kind: 'invitation',
    parentId: null,
    audienceType: 'mailingList',
    mailingListId: null,
    segmentId: null,
    contactIds: [],
    roles: [],
    accountIds: [],
    includeDescendants: true,
    onlyMine: false,
    teamRole: null,
    email: {
      fromName: defaults.fromName,
      fromAddress: '',
      replyTo: '',
      subject: defaults.subject,
      html: defaults.html,
      text: defaults.text,
      trackOpens: false,
    },
    sms: { mode: 'one_way', phoneField: 'mobileThenPhone', body: defaults.sms },
    embedded: [],
    linkExpiresInDays: '',
    transactional: false,
    when: 'now',
    at: tomorrowMorning(),
    timeZone: browserTimeZone(),
  };
}

/** The recipients rule, or null while it is incomplete (no list picked yet …). */
export function audienceOf(draft: Draft, myEmail: string): Audience | null {
  if (draft.audienceType === 'mailingList')
    return draft.mailingListId ? { type: 'mailingList', mailingListId: Number(draft.mailingListId) } : null;
  if (draft.audienceType === 'contacts')
    return draft.contactIds.length ? { type: 'contacts', contactIds: draft.contactIds.map(Number) } : null;
  if (draft.audienceType === 'segment')
    return draft.segmentId
      ? {
          type: 'segment',
          segmentId: Number(draft.segmentId),
          ...(draft.roles.length ? { roles: draft.roles } : {}),
        }
      : null;
  if (!draft.roles.length) return null;
  return {
    type: 'accountRoles',
    roles: draft.roles,
    ...(draft.accountIds.length
      ? { accountIds: draft.accountIds.map(Number), includeDescendants: draft.includeDescendants }
      : {}),
    ...(draft.onlyMine ? { teamMemberEmail: myEmail } : {}),
    ...(draft.teamRole ? { teamRole: draft.teamRole } : {}),
  };
}

export function messageOf(draft: Draft): EmailMessage | SmsMessage {
  if (draft.channel === 'sms') return draft.sms;
  const e = draft.email;
  return {
    fromName: e.fromName,
    ...(e.fromAddress.trim() ? { fromAddress: e.fromAddress.trim() } : {}),
    ...(e.replyTo.trim() ? { replyTo: e.replyTo.trim() } : {}),
    subject: e.subject,
    ...(e.html.trim() ? { html: e.html } : {}),
    text: e.text,
    trackOpens: e.trackOpens,
  };
}

/** The embedded mapping; `complete` leaves out rows still being filled in (for the preview). */
export function embeddedOf(draft: Draft, complete = false): Record<string, string> {
  return Object.fromEntries(
    draft.embedded
      .filter(
        (row) =>
          row.name.trim() && (!complete || (row.source && /^[A-Za-z_][A-Za-z0-9_]*$/.test(row.name.trim()))),
      )
      .map((row) => [row.name.trim(), row.source === 'const' ? `const:${row.constant}` : row.source]),
  );
}

/** The body of POST /directories/:dir/distributions and PUT /distributions/:id. */
export function toInput(draft: Draft, myEmail: string) {
  const audience = draft.kind === 'invitation' ? audienceOf(draft, myEmail) : null;
  return {
    ...(draft.surveyId ? { surveyId: Number(draft.surveyId) } : {}),
    name: draft.name,
    channel: draft.channel,
    kind: draft.kind,
    ...(draft.kind !== 'invitation' && draft.parentId ? { parentId: Number(draft.parentId) } : {}),
    ...(audience ? { recipients: audience } : {}),
    message: messageOf(draft),
    embedded: embeddedOf(draft),
    ...(draft.linkExpiresInDays !== '' ? { linkExpiresInDays: draft.linkExpiresInDays } : {}),
    transactional: draft.transactional,
    schedule: draft.when === 'schedule' ? { at: draft.at, timeZone: draft.timeZone } : null,
    draft: draft.when === 'draft',
  };
}

/** A saved distribution back in the form, to edit it. */
export function fromDistribution(d: Distribution, base: Draft, myEmail: string): Draft {
  const r = d.recipients;
  const m = d.message;
  return {
    ...base,
    surveyId: String(d.surveyId),
    name: d.name,
    channel: d.channel,
    kind: d.kind,
    parentId: d.parentId ? String(d.parentId) : null,
    audienceType: (r.type as AudienceType | undefined) ?? 'mailingList',
    mailingListId: r.type === 'mailingList' && r.mailingListId ? String(r.mailingListId) : null,
    segmentId: r.type === 'segment' && r.segmentId ? String(r.segmentId) : null,
    contactIds: r.type === 'contacts' && Array.isArray(r.contactIds) ? r.contactIds.map(String) : [],
    roles: (r.type === 'accountRoles' || r.type === 'segment') && Array.isArray(r.roles) ? r.roles : [],
    accountIds: r.type === 'accountRoles' && Array.isArray(r.accountIds) ? r.accountIds.map(String) : [],
    includeDescendants: r.type === 'accountRoles' ? r.includeDescendants !== false : true,
    onlyMine: r.type === 'accountRoles' && !!r.teamMemberEmail && r.teamMemberEmail === myEmail,
    teamRole: r.type === 'accountRoles' && typeof r.teamRole === 'string' ? r.teamRole : null,
    email:
      d.channel === 'email'
        ? {
            fromName: m.fromName ?? '',
            fromAddress: m.fromAddress ?? '',
            replyTo: m.replyTo ?? '',
            subject: m.subject ?? '',
            html: m.html ?? '',
            text: m.text ?? '',
            trackOpens: !!m.trackOpens,
          }
        : base.email,
    sms:
      d.channel === 'sms'
        ? {
            mode: m.mode ?? 'one_way',
            phoneField: (m.phoneField as PhoneField | undefined) ?? 'mobileThenPhone',
            body: m.body ?? '',
          }
        : base.sms,
    embedded: Object.entries(d.embedded).map(([name, source]) =>
      source.startsWith('const:')
        ? { name, source: 'const', constant: source.slice(6) }
        : { name, source, constant: '' },
    ),
    linkExpiresInDays: d.linkExpiresInDays ?? '',
    transactional: d.transactional,
    when: d.status === 'draft' ? 'draft' : d.scheduledLocal ? 'schedule' : 'now',
    at: d.scheduledLocal ?? base.at,
    timeZone: d.scheduledLocal ? d.timeZone : base.timeZone,
  };
}

/** The problems the server reported for one field (exact path, or under it). */
export function problemsAt(problems: Problem[], ...paths: string[]): string | undefined {
  const found = problems.filter((p) =>
    paths.some((path) => p.path === path || p.path.startsWith(`${path}.`) || p.path.startsWith(`${path}[`)),
  );
  return found.length ? found.map((p) => p.message).join('; ') : undefined;
}

/**
 * A wall-clock time in an IANA zone as an instant (the server's zonedTimeToUtc), to show the
 * sender what the schedule means in their own time zone.
 */
export function zonedToInstant(local: string, timeZone: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!match) return null;
  const [y, mo, d, h, mi] = match.slice(1).map(Number) as [number, number, number, number, number];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  const offset = (instant: number) => {
    try {
      const parts = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      }).formatToParts(new Date(instant));
      const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
      return (
        Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) -
        Math.floor(instant / 1000) * 1000
      );
    } catch {
      return Number.NaN;
    }
  };
  let instant = asUtc - offset(asUtc);
  instant = asUtc - offset(instant);
  return Number.isNaN(instant) ? null : new Date(instant);
}

/**
 * What the form can tell before asking the server: required fields, an incomplete recipient
 * rule or embedded row (the server checks everything again, and more: templates, {{ link }} …).
 */
export function localProblems(draft: Draft, myEmail: string, t: (key: string) => string): Problem[] {
  const problems: Problem[] = [];
  const required = (path: string, value: string | null) => {
    if (!value?.trim()) problems.push({ path, message: t('distributions.required') });
  };
  required('surveyId', draft.surveyId);
  required('name', draft.name);
  if (draft.kind === 'invitation' && !audienceOf(draft, myEmail))
    problems.push({ path: 'recipients', message: t('distributions.recipientsRequired') });
  if (draft.kind !== 'invitation') required('parentId', draft.parentId);
  if (draft.channel === 'email') {
    required('message.fromName', draft.email.fromName);
    required('message.subject', draft.email.subject);
    required('message.text', draft.email.text);
  } else required('message.body', draft.sms.body);
  draft.embedded.forEach((row, i) => {
    if (!row.name.trim() || !row.source)
      problems.push({ path: `embedded[${i}]`, message: t('distributions.embeddedIncomplete') });
  });
  if (draft.when === 'schedule' && !zonedToInstant(draft.at, draft.timeZone))
    problems.push({ path: 'schedule.at', message: t('distributions.required') });
  return problems;
}
