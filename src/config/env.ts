import path from 'node:path';
import { z } from 'zod';

/** Booleans as people write them in env files. */
const ZBool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], {
    error: 'expected one of 1/0, true/false, yes/no, on/off',
  })
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const ZInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: `expected a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `expected at least ${min}` })
        .max(max, { error: `expected at most ${max}` }),
    );

const ZPostgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\/.+/.test(v), { error: 'expected a postgres:// or postgresql:// URL' });

/** 32 bytes, as 64 hex characters or base64 (44 characters). */
export const ZSecretKey = z.string().refine((v) => decodeSecretKey(v) !== null, {
  error: 'expected 32 random bytes as 64 hex characters or base64 (e.g. `openssl rand -base64 32`)',
});

export function decodeSecretKey(text: string): Buffer | null {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return bytes.length === 32 ? bytes : null;
  }
  return null;
}

/** Every environment variable Rapport reads. Documented in README.md (keep both in step). */
export const ZEnv = z.object({
  PORT: ZInt(1, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: ZPostgresUrl.optional(),
  RAPPORT_DATA_DIR: z.string().min(1).default('./data'),
  RAPPORT_SECRET_KEY: ZSecretKey.optional(),
  RAPPORT_PREVIOUS_SECRET_KEYS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
    )
    .pipe(z.array(ZSecretKey))
    .optional(),
  RAPPORT_ADMIN_EMAIL: z.email({ error: 'expected an email address' }).optional(),
  RAPPORT_ADMIN_PASSWORD: z.string().min(12, { error: 'expected at least 12 characters' }).optional(),
  RAPPORT_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
    .optional(),
  RAPPORT_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RAPPORT_LOG_FORMAT: z.enum(['pretty', 'json']).optional(),
  RAPPORT_BODY_LIMIT_BYTES: ZInt(1024, 1024 * 1024 * 1024).default(1024 * 1024),
  RAPPORT_SESSION_IDLE_HOURS: ZInt(1, 24 * 90).default(24 * 7),
  RAPPORT_LOGIN_MAX_ATTEMPTS: ZInt(1, 10_000).default(10),
  /** Respondent pages (public): requests per minute from one address, and to one survey link. */
  RAPPORT_PUBLIC_RATE_PER_ADDRESS: ZInt(1, 10_000_000).default(300),
  RAPPORT_PUBLIC_RATE_PER_LINK: ZInt(1, 10_000_000).default(600),
  RAPPORT_TRUST_PROXY: ZBool.default(false),
  /**
   * Who may frame embeddable widgets (/embed/…): CSP frame-ancestors sources, space-separated,
   * e.g. "https://*.lightning.force.com https://*.my.salesforce.com". Default: only Rapport itself.
   */
  RAPPORT_EMBED_FRAME_ANCESTORS: z
    .string()
    .transform((v) => v.split(/\s+/).filter(Boolean))
    .pipe(
      z.array(
        z
          .string()
          .regex(/^(https:\/\/(\*\.)?[a-z0-9.-]+(:\d+)?|http:\/\/(localhost|127\.0\.0\.1)(:\d+)?|'self')$/i, {
            error: "expected https:// origins (a leading *. is allowed) or 'self'",
          }),
      ),
    )
    .optional(),
  RAPPORT_WORKERS: ZBool.default(true),
  /** First start on an empty database loads the demo directory (0 = start empty). */
  RAPPORT_DEMO: ZBool.default(true),
  RAPPORT_SHUTDOWN_TIMEOUT_SECONDS: ZInt(1, 3600).default(30),
});

export type Env = z.output<typeof ZEnv>;

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface Config {
  http: {
    port: number;
    host: string;
    bodyLimitBytes: number;
    trustProxy: boolean;
    publicUrl: string | undefined;
    /** Requests per minute on public respondent endpoints. */
    publicRate: { perAddress: number; perLink: number };
    /** CSP frame-ancestors of /embed/ pages. */
    embedFrameAncestors: string[];
  };
  database: { url: string | undefined; dataDir: string };
  secrets: { key: string | undefined; previousKeys: string[] };
  admin: { email: string | undefined; password: string | undefined };
  log: { level: Env['RAPPORT_LOG_LEVEL']; format: 'pretty' | 'json' };
  auth: { sessionIdleHours: number; loginMaxAttempts: number };
  workers: { enabled: boolean; shutdownTimeoutSeconds: number };
  demo: { enabled: boolean };
}

/**
 * Parses the environment once, at start. Empty values count as unset, so `PORT=` in an env file
 * means "default", not "invalid".
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const present = Object.fromEntries(
    Object.keys(ZEnv.shape)
      .map((key) => [key, env[key]] as const)
      .filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = ZEnv.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '');
        const secret = /SECRET|PASSWORD|DATABASE_URL/.test(key);
        const shown = secret ? '' : `=${JSON.stringify(present[key])}`;
        return `${key}${shown}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  return {
    http: {
      port: e.PORT,
      host: e.HOST,
      bodyLimitBytes: e.RAPPORT_BODY_LIMIT_BYTES,
      trustProxy: e.RAPPORT_TRUST_PROXY,
      publicUrl: e.RAPPORT_PUBLIC_URL?.replace(/\/+$/, ''),
      publicRate: { perAddress: e.RAPPORT_PUBLIC_RATE_PER_ADDRESS, perLink: e.RAPPORT_PUBLIC_RATE_PER_LINK },
      embedFrameAncestors: e.RAPPORT_EMBED_FRAME_ANCESTORS ?? ["'self'"],
    },
    database: { url: e.DATABASE_URL, dataDir: path.resolve(cwd, e.RAPPORT_DATA_DIR) },
    secrets: { key: e.RAPPORT_SECRET_KEY, previousKeys: e.RAPPORT_PREVIOUS_SECRET_KEYS ?? [] },
    admin: { email: e.RAPPORT_ADMIN_EMAIL, password: e.RAPPORT_ADMIN_PASSWORD },
    log: {
      level: e.RAPPORT_LOG_LEVEL,
      format: e.RAPPORT_LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json'),
    },
    auth: { sessionIdleHours: e.RAPPORT_SESSION_IDLE_HOURS, loginMaxAttempts: e.RAPPORT_LOGIN_MAX_ATTEMPTS },
    workers: { enabled: e.RAPPORT_WORKERS, shutdownTimeoutSeconds: e.RAPPORT_SHUTDOWN_TIMEOUT_SECONDS },
    demo: { enabled: e.RAPPORT_DEMO },
  };
}

/** What `rapport config` prints: every value, secrets shown only as set/unset. */
export function describeConfig(config: Config): Record<string, string | number | boolean> {
  return {
    PORT: config.http.port,
    HOST: config.http.host,
    DATABASE_URL: config.database.url ? redactUrl(config.database.url) : '(unset: embedded PGlite)',
    RAPPORT_DATA_DIR: config.database.dataDir,
    RAPPORT_SECRET_KEY: config.secrets.key ? '(set)' : '(unset: generated into the data folder)',
    RAPPORT_ADMIN_EMAIL: config.admin.email ?? '(unset)',
    RAPPORT_ADMIN_PASSWORD: config.admin.password ? '(set)' : '(unset: generated on first start)',
    RAPPORT_PUBLIC_URL: config.http.publicUrl ?? '(unset)',
    RAPPORT_LOG_LEVEL: config.log.level,
    RAPPORT_LOG_FORMAT: config.log.format,
    RAPPORT_BODY_LIMIT_BYTES: config.http.bodyLimitBytes,
    RAPPORT_SESSION_IDLE_HOURS: config.auth.sessionIdleHours,
    RAPPORT_LOGIN_MAX_ATTEMPTS: config.auth.loginMaxAttempts,
    RAPPORT_PUBLIC_RATE_PER_ADDRESS: config.http.publicRate.perAddress,
    RAPPORT_PUBLIC_RATE_PER_LINK: config.http.publicRate.perLink,
    RAPPORT_TRUST_PROXY: config.http.trustProxy,
    RAPPORT_EMBED_FRAME_ANCESTORS: config.http.embedFrameAncestors.join(' '),
    RAPPORT_WORKERS: config.workers.enabled,
    RAPPORT_SHUTDOWN_TIMEOUT_SECONDS: config.workers.shutdownTimeoutSeconds,
    RAPPORT_DEMO: config.demo.enabled,
  };
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
