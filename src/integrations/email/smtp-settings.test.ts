import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseSmtpUrl, ZSmtpSettings, ZSmtpUrl } from './smtp-settings.ts';

const messagesOf = (input: unknown) => {
  const result = ZSmtpSettings.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('SMTP settings', () => {
  it('defaults to STARTTLS on 587 with TLS required and verified, 5 pooled connections', () => {
    expect(ZSmtpSettings.parse({ host: 'smtp.acme.test' })).toEqual({
      host: 'smtp.acme.test',
      port: 587,
      secure: false,
      requireTLS: true,
      tls: { rejectUnauthorized: true },
      maxConnections: 5,
      maxMessages: 100,
      rateDelta: 1000,
      connectionTimeout: 15_000,
      greetingTimeout: 30_000,
      socketTimeout: 120_000,
    });
    expect(ZSmtpSettings.parse({ host: 'smtp.acme.test', secure: true }).port).toBe(465);
  });

  it('says what is wrong', () => {
    expect(
      messagesOf({ host: ' ', port: 70000, maxConnections: 0, tls: { ca: 'not a pem' }, pool: true }),
    ).toEqual([
      'host: expected the SMTP server host name',
      'port: expected a port of at most 65535',
      'tls.ca: expected one or more PEM certificates (-----BEGIN CERTIFICATE-----)',
      'maxConnections: expected maxConnections of at least 1',
      ': Unrecognized key: "pool"',
    ]);
    expect(messagesOf({ host: 'h', auth: { user: 'u', pass: '' } })).toEqual([
      'auth.pass: expected the SMTP password',
    ]);
  });
});

describe('parseSmtpUrl', () => {
  it('reads smtps:// with percent-encoded credentials and pool options', () => {
    expect(
      parseSmtpUrl(
        'smtps://apikey:p%40ss%3Aw0rd@smtp.provider.test?maxConnections=3&rateLimit=10&rateDelta=2000',
      ),
    ).toMatchObject({
      host: 'smtp.provider.test',
      port: 465,
      secure: true,
      auth: { user: 'apikey', pass: 'p@ss:w0rd' },
      maxConnections: 3,
      rateLimit: 10,
      rateDelta: 2000,
    });
  });

  it('reads smtp:// with STARTTLS options and an IPv6 host', () => {
    expect(
      parseSmtpUrl(
        'smtp://[::1]:2525?requireTLS=false&rejectUnauthorized=false&name=app01.acme.test&pool=true',
      ),
    ).toMatchObject({
      host: '::1',
      port: 2525,
      secure: false,
      requireTLS: false,
      tls: { rejectUnauthorized: false },
      name: 'app01.acme.test',
    });
    expect(parseSmtpUrl('smtp://relay.acme.test').auth).toBeUndefined();
  });

  it('lists every problem without repeating the password', () => {
    let message = '';
    try {
      parseSmtpUrl('smtp://u:s3cret@relay.acme.test?maxConnections=many&tls=yes&port=25');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('maxConnections: expected a whole number, got "many"');
    expect(message).toContain('unknown option "tls"');
    expect(message).toContain('unknown option "port"');
    expect(message).not.toContain('s3cret');
    expect(() => parseSmtpUrl('https://relay.acme.test')).toThrow(
      'expected smtp:// or smtps://, not https://',
    );
    expect(() => parseSmtpUrl('relay.acme.test:587')).toThrow(/smtp:\/\/ or smtps:\/\//);
  });

  it('is a Zod schema too (ZSmtpUrl), for an environment variable', () => {
    expect(
      z.object({ SMTP_URL: ZSmtpUrl }).parse({ SMTP_URL: 'smtp://relay.acme.test:25' }).SMTP_URL.port,
    ).toBe(25);
  });
});
