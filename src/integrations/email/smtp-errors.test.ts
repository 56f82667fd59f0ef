import { describe, expect, it } from 'vitest';
import { classifySmtpError } from './smtp-errors.ts';

// Replies the test server does not produce; the rest is covered against it in smtp-transport.test.ts.
const server = { host: 'smtp.acme.test', port: 587 };
const error = (fields: Record<string, unknown>) =>
  Object.assign(new Error(String(fields.message ?? 'x')), fields);

describe('classifySmtpError', () => {
  it('keeps 5xx permanent except 503, and 4xx/421 temporary', () => {
    const reply = (responseCode: number, response: string, command = 'DATA') =>
      classifySmtpError(error({ code: 'EMESSAGE', responseCode, response, command }), server);
    expect(reply(554, '554 5.7.1 Message rejected as spam')).toMatchObject({
      permanent: true,
      code: '5.7.1',
    });
    expect(reply(552, '552 Message size exceeds fixed limit')).toMatchObject({
      permanent: true,
      code: '552',
    });
    expect(reply(503, '503 5.5.1 Bad sequence of commands')).toMatchObject({
      permanent: false,
      code: '5.5.1',
    });
    expect(reply(450, '450 4.2.1 Mailbox busy', 'RCPT TO')).toMatchObject({
      permanent: false,
      code: '4.2.1',
    });
    expect(reply(421, '421 4.7.0 Too many connections, slow down')).toMatchObject({
      permanent: false,
      code: '4.7.0',
      message:
        'The SMTP server smtp.acme.test:587 is closing the connection: 421 4.7.0 Too many connections, slow down',
    });
  });

  it('treats a refused sender address as configuration, a size refusal as the message', () => {
    const mailFrom = (responseCode: number, response: string) =>
      classifySmtpError(error({ code: 'EENVELOPE', command: 'MAIL FROM', responseCode, response }), server);
    expect(
      mailFrom(553, '553 5.7.1 <surveys@acme.test>: Sender address rejected: not owned by user'),
    ).toMatchObject({
      permanent: false,
      code: 'ECONFIG',
      message: expect.stringMatching(/refuses the sender address/),
    });
    expect(mailFrom(552, '552 5.3.4 Message size exceeds fixed limit')).toMatchObject({
      permanent: true,
      code: '5.3.4',
    });
    expect(mailFrom(451, '451 4.3.0 Try again later')).toMatchObject({ permanent: false, code: '4.3.0' });
  });

  it('names network failures by their system code', () => {
    expect(
      classifySmtpError(
        error({ code: 'EDNS', originalCode: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND' }),
        server,
      ),
    ).toMatchObject({ permanent: false, code: 'ENOTFOUND' });
    expect(classifySmtpError(error({ code: 'ESOCKET', originalCode: 'ECONNRESET' }), server)).toMatchObject({
      permanent: false,
      code: 'ECONNRESET',
    });
    expect(classifySmtpError(new Error('Connection pool was closed'), server)).toMatchObject({
      permanent: false,
      code: null,
    });
  });
});
