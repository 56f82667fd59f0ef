import { createHash } from 'node:crypto';
import { Liquid } from 'liquidjs';
import { z } from 'zod';

/**
 * What a distribution sends, and its rendering. Bodies are LiquidJS templates: `{{ link }}` is the
 * recipient's personal survey link, `{{ unsubscribe_link }}` their opt-out page, and
 * `{{ contact.firstName }}`, `{{ contact.attributes.Region }}`, `{{ account.name }}`,
 * `{{ embedded.sfAccountId }}`, `{{ survey.name }}` pipe the recipient's data in.
 */

const ZText = (max: number) => z.string().max(max);

export const ZEmailMessage = z.object({
  fromName: ZText(200).trim().min(1, { error: 'the sender name is required' }),
  /** Empty: the provider's default sender address. */
  fromAddress: z.email({ error: 'expected an email address' }).optional(),
  replyTo: z.email({ error: 'expected an email address' }).optional(),
  subject: ZText(500).trim().min(1, { error: 'the subject is required' }),
  /** Rich text; the plain-text part is required too (and is what text-only clients show). */
  html: ZText(200_000).optional(),
  text: ZText(50_000).min(1, { error: 'the plain-text body is required' }),
  /** A 1×1 image that records when the message is opened (off by default: privacy). */
  trackOpens: z.boolean().default(false),
});

export const PHONE_FIELDS = ['mobilePhone', 'phone', 'mobileThenPhone'] as const;

export const ZSmsMessage = z.object({
  /** one_way: a text with the link; two_way: the survey is answered by text, question by question. */
  mode: z.enum(['one_way', 'two_way']).default('one_way'),
  phoneField: z.enum(PHONE_FIELDS).default('mobileThenPhone'),
  /** One-way: must hold {{ link }}. Two-way: the opening text sent before the first question. */
  body: ZText(1600).min(1, { error: 'the message is required' }),
});

export type EmailMessage = z.output<typeof ZEmailMessage>;
export type SmsMessage = z.output<typeof ZSmsMessage>;
export type Message = EmailMessage | SmsMessage;

// Templates are written by users: no file may be read through {% include %} or {% render %}.
const NO_FILES = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file: string) => {
    throw new Error(`templates cannot include files (${file})`);
  },
  readFileSync: (file: string) => {
    throw new Error(`templates cannot include files (${file})`);
  },
  resolve: (_root: string, file: string) => file,
};

const LIMITS = {
  // Sandboxed: no file system, bounded work; unknown variables render empty.
  fs: NO_FILES,
  relativeReference: false,
  strictVariables: false,
  strictFilters: true,
  ownPropertyOnly: true,
  renderLimit: 200,
  memoryLimit: 10_000_000,
  parseLimit: 300_000,
} as const;
const liquid = new Liquid(LIMITS);
// In an HTML body every piped value is escaped: a contact named "<script>" stays text.
const liquidHtml = new Liquid({ ...LIMITS, outputEscape: 'escape' });

export interface RenderContext {
  contact: {
    firstName: string | null;
    lastName: string | null;
    email: string | null;
    phone: string | null;
    language: string | null;
    externalRef: string | null;
    attributes: Record<string, unknown>;
  };
  account: { name: string | null; externalRef: string | null; attributes: Record<string, unknown> } | null;
  role: string | null;
  embedded: Record<string, unknown>;
  survey: { name: string };
  link: string;
  unsubscribe_link: string;
}

const templates = new Map<string, ReturnType<Liquid['parse']>>();
function parsed(engine: Liquid, source: string) {
  const key = `${engine === liquidHtml ? 'h' : 't'}:${source}`;
  let template = templates.get(key);
  if (!template) {
    template = engine.parse(source);
    if (templates.size > 1000) templates.clear();
    templates.set(key, template);
  }
  return template;
}

/** Renders a subject or plain-text body; `html: true` escapes every piped value. */
export function renderTemplate(
  source: string,
  context: RenderContext,
  options: { html?: boolean } = {},
): string {
  const engine = options.html ? liquidHtml : liquid;
  return engine.renderSync(parsed(engine, source), context as unknown as Record<string, unknown>) as string;
}

/** A template's syntax problems, for the form (null when it parses). */
export function templateProblem(source: string | undefined): string | null {
  if (!source) return null;
  try {
    liquid.parse(source);
    return null;
  } catch (error) {
    return (error as Error).message.split('\n')[0] ?? 'not a valid template';
  }
}

const LINK = /\{\{-?\s*link\s*-?\}\}/;

/** Problems of a message before it is saved: syntax, and a missing survey link where one is needed. */
export function messageProblems(
  channel: 'email' | 'sms',
  message: Message,
  needsLink: boolean,
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const fields =
    channel === 'email'
      ? (['subject', 'html', 'text'] as const).map((k) => [k, (message as EmailMessage)[k]] as const)
      : ([['body', (message as SmsMessage).body]] as const);
  for (const [field, source] of fields) {
    const problem = templateProblem(source);
    if (problem) problems.push({ path: `message.${field}`, message: problem });
  }
  if (needsLink) {
    if (channel === 'email') {
      const email = message as EmailMessage;
      if (!LINK.test(email.text)) problems.push({ path: 'message.text', message: 'must contain {{ link }}' });
      if (email.html && !LINK.test(email.html))
        problems.push({ path: 'message.html', message: 'must contain {{ link }}' });
    } else if ((message as SmsMessage).mode === 'one_way' && !LINK.test((message as SmsMessage).body)) {
      problems.push({ path: 'message.body', message: 'must contain {{ link }}' });
    }
  }
  return problems;
}

/** Identifies the message as written (before piping): the 12-hour identical-message rule compares it. */
export function messageHash(channel: 'email' | 'sms', message: Message): string {
  const content =
    channel === 'email'
      ? [
          (message as EmailMessage).subject,
          (message as EmailMessage).text,
          (message as EmailMessage).html ?? '',
        ]
      : [(message as SmsMessage).body];
  return createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 32);
}
