import { z } from 'zod';

const ZMs = (what: string, max: number) =>
  z
    .number({ error: `expected the ${what} in milliseconds` })
    .int({ error: `expected the ${what} as a whole number of milliseconds` })
    .min(100, { error: `expected a ${what} of at least 100 ms` })
    .max(max, { error: `expected a ${what} of at most ${max} ms` });

const ZWhole = (what: string, min: number, max: number) =>
  z
    .number({ error: `expected ${what} as a number` })
    .int({ error: `expected ${what} as a whole number` })
    .min(min, { error: `expected ${what} of at least ${min}` })
    .max(max, { error: `expected ${what} of at most ${max}` });

/**
 * How Rapport reaches its SMTP relay (the organisation's mail server or a provider's submission
 * endpoint). Always a pool of reused connections: opening one per message would cost a TCP and
 * TLS handshake and an AUTH each time, and providers throttle clients that reconnect constantly.
 */
export const ZSmtpSettings = z
  .strictObject({
    host: z.string({ error: 'expected the SMTP server host name' }).trim().min(1, {
      error: 'expected the SMTP server host name',
    }),
    /** Defaults to 465 with `secure`, else 587 (submission with STARTTLS). */
    port: ZWhole('a port', 1, 65535).optional(),
    /** Implicit TLS from the first byte (port 465); false = plain connection upgraded by STARTTLS. */
    secure: z.boolean().default(false),
    /**
     * Without `secure`: refuse to go on unless STARTTLS succeeds, so the password and the
     * recipients' data never cross the network in clear. Turn off only for a relay on localhost.
     */
    requireTLS: z.boolean().default(true),
    tls: z
      .strictObject({
        /** False accepts any certificate (a man in the middle too): for tests and emergencies. */
        rejectUnauthorized: z.boolean().default(true),
        /** PEM certificate(s) to trust besides the system's, e.g. an internal CA or a self-signed relay. */
        ca: z
          .string()
          .refine((v) => v.includes('-----BEGIN CERTIFICATE-----'), {
            error: 'expected one or more PEM certificates (-----BEGIN CERTIFICATE-----)',
          })
          .optional(),
        /** Name the certificate must carry when `host` is an IP address or an alias. */
        servername: z.string().min(1).optional(),
      })
      .default({ rejectUnauthorized: true }),
    auth: z
      .strictObject({
        user: z.string().min(1, { error: 'expected the SMTP user name' }),
        pass: z.string().min(1, { error: 'expected the SMTP password' }),
      })
      .optional(),
    /** Host name we announce in EHLO; the machine's name (often a container id) otherwise. */
    name: z.string().min(1).optional(),
    maxConnections: ZWhole('maxConnections', 1, 100).default(5),
    /** Messages a connection sends before it is replaced (some relays cap messages per session). */
    maxMessages: ZWhole('maxMessages', 1, 1_000_000).default(100),
    /** At most `rateLimit` messages per `rateDelta` ms over the whole pool; unlimited when absent. */
    rateLimit: ZWhole('rateLimit', 1, 1_000_000).optional(),
    rateDelta: ZMs('rateDelta', 24 * 3600 * 1000).default(1000),
    connectionTimeout: ZMs('connection timeout', 10 * 60 * 1000).default(15_000),
    greetingTimeout: ZMs('greeting timeout', 10 * 60 * 1000).default(30_000),
    /**
     * Inactivity allowed on an open connection. Generous: a relay that scans content may take a
     * while to answer the end of DATA, and giving up then risks a duplicate (the message may be in).
     */
    socketTimeout: ZMs('socket timeout', 60 * 60 * 1000).default(120_000),
  })
  .transform((s) => ({ ...s, port: s.port ?? (s.secure ? 465 : 587) }));

export type SmtpSettingsInput = z.input<typeof ZSmtpSettings>;
export type SmtpSettings = z.output<typeof ZSmtpSettings>;

const NUMERIC_URL_OPTIONS = [
  'maxConnections',
  'maxMessages',
  'rateLimit',
  'rateDelta',
  'connectionTimeout',
  'greetingTimeout',
  'socketTimeout',
] as const;
const BOOLEAN_URL_OPTIONS = ['requireTLS', 'rejectUnauthorized'] as const;
const TEXT_URL_OPTIONS = ['name', 'servername'] as const;
const KNOWN_URL_OPTIONS = [...NUMERIC_URL_OPTIONS, ...BOOLEAN_URL_OPTIONS, ...TEXT_URL_OPTIONS, 'pool'];

/**
 * `smtp://user:pass@host:587?maxConnections=3&rateLimit=10` (STARTTLS) or `smtps://…` (implicit
 * TLS) as settings input. User and password are percent-decoded (`p%40ss` for `p@ss`). Problems
 * become Zod issues that never quote the URL, which carries the password.
 */
export const ZSmtpUrl = z
  .string()
  .transform((text, ctx): SmtpSettingsInput => {
    let url: URL;
    try {
      url = new URL(text.trim());
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected a URL such as smtp://user:password@host:587' });
      return z.NEVER;
    }
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
      ctx.addIssue({ code: 'custom', message: `expected smtp:// or smtps://, not ${url.protocol}//` });
      return z.NEVER;
    }
    const input: SmtpSettingsInput = {
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      secure: url.protocol === 'smtps:',
      ...(url.port ? { port: Number(url.port) } : {}),
    };
    if (url.username || url.password) {
      input.auth = { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) };
    }
    const tls: { rejectUnauthorized?: boolean; servername?: string } = {};
    for (const [key, value] of url.searchParams) {
      if ((NUMERIC_URL_OPTIONS as readonly string[]).includes(key)) {
        if (!/^\d+$/.test(value)) {
          ctx.addIssue({ code: 'custom', message: `${key}: expected a whole number, got "${value}"` });
          continue;
        }
        input[key as (typeof NUMERIC_URL_OPTIONS)[number]] = Number(value);
      } else if ((BOOLEAN_URL_OPTIONS as readonly string[]).includes(key) || key === 'pool') {
        if (value !== 'true' && value !== 'false') {
          ctx.addIssue({ code: 'custom', message: `${key}: expected true or false, got "${value}"` });
          continue;
        }
        if (key === 'requireTLS') input.requireTLS = value === 'true';
        else if (key === 'rejectUnauthorized') tls.rejectUnauthorized = value === 'true';
        // nodemailer's own URLs say pool=true; we always pool, and cannot do without it
        else if (value === 'false')
          ctx.addIssue({ code: 'custom', message: 'pool: sending always uses a pool' });
      } else if (key === 'name') {
        input.name = value;
      } else if (key === 'servername') {
        tls.servername = value;
      } else {
        ctx.addIssue({
          code: 'custom',
          message: `unknown option "${key}" (known: ${KNOWN_URL_OPTIONS.join(', ')})`,
        });
      }
    }
    if (Object.keys(tls).length) input.tls = tls;
    return input;
  })
  .pipe(ZSmtpSettings);

/** Parses an SMTP URL into settings; throws an Error listing every problem (never the password). */
export function parseSmtpUrl(url: string): SmtpSettings {
  const result = ZSmtpUrl.safeParse(url);
  if (!result.success) throw new Error(`Invalid SMTP URL:\n${z.prettifyError(result.error)}`);
  return result.data;
}
