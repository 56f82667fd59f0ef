import pino, { type Logger } from 'pino';
import type { Config } from '../config/env.ts';

export type { Logger };

/** Paths pino blanks before a line is written: no secret reaches a log. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'newPassword',
  '*.newPassword',
  'currentPassword',
  '*.currentPassword',
  'token',
  '*.token',
  'secret',
  '*.secret',
];

export function createLogger(config: Pick<Config, 'log'>, bindings: Record<string, unknown> = {}): Logger {
  const options: pino.LoggerOptions = {
    level: config.log.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { ...bindings },
  };
  if (config.log.format === 'pretty') {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l' } },
    });
  }
  return pino(options);
}
