import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDsn } from './dsn.ts';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'dsn-fixtures', `${name}.eml`));
/** Mail arrives with CRLF line ends; the fixtures are stored with LF. */
const crlf = (raw: Buffer) => raw.toString('utf8').replace(/\r?\n/g, '\r\n');

describe('parseDsn', () => {
  it('reads a Postfix "User unknown" bounce quoting the whole message', async () => {
    const expected = {
      originalMessageId: '<inv-7f3a9c2e@rapport.example>',
      recipients: [
        {
          recipient: 'jane.doe@customer.example',
          action: 'failed',
          status: '5.1.1',
          diagnostic:
            '550 5.1.1 <jane.doe@customer.example>: Recipient address rejected: User unknown in virtual mailbox table',
          permanent: true,
        },
      ],
    };
    expect(await parseDsn(fixture('postfix-user-unknown'))).toEqual(expected);
    expect(await parseDsn(crlf(fixture('postfix-user-unknown')))).toEqual(expected);
  });

  it('reads a Postfix delay warning quoting only the headers', async () => {
    expect(await parseDsn(fixture('postfix-delayed'))).toEqual({
      originalMessageId: '<inv-2b7d41aa@rapport.example>',
      recipients: [
        {
          recipient: 'p.rossi@slow.example',
          action: 'delayed',
          status: '4.4.1',
          diagnostic: 'connect to mx.slow.example[198.51.100.7]:25: Connection timed out',
          permanent: false,
        },
      ],
    });
  });

  it('reads a Gmail bounce: nested parts, a multi-line reply folded into Diagnostic-Code', async () => {
    expect(await parseDsn(crlf(fixture('gmail-no-such-user')))).toEqual({
      originalMessageId: '<inv-91b2e0d4@rapport.example>',
      recipients: [
        {
          recipient: 'nobody.here@gmail.com',
          action: 'failed',
          status: '5.1.1',
          diagnostic:
            "550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. For more information, go to https://support.google.com/mail/?p=NoSuchUser 4fb4d7f45d1cf-5d4e1f3c2a1si1234567a12.1 - gsmtp",
          permanent: true,
        },
      ],
    });
  });

  it('reads an Exchange Online NDR with text/rfc822-headers', async () => {
    expect(await parseDsn(crlf(fixture('exchange-online-recipient-not-found')))).toEqual({
      originalMessageId: '<inv-c0ffee42@rapport.example>',
      recipients: [
        {
          recipient: 'j.martin@customer.example',
          action: 'failed',
          status: '5.1.10',
          diagnostic:
            '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient j.martin@customer.example not found by SMTP address lookup',
          permanent: true,
        },
      ],
    });
  });

  it('is null for mail that is not a delivery status notification', async () => {
    expect(await parseDsn(fixture('out-of-office'))).toBeNull();
    const readReceipt = dsn({
      reportType: 'disposition-notification',
      status: 'Final-Recipient: rfc822; a@b.example',
    });
    expect(await parseDsn(readReceipt)).toBeNull();
    expect(await parseDsn('not mail at all')).toBeNull();
  });

  it('handles several recipients, Original-Recipient, utf-8 addresses, odd fields, and no quoted message', async () => {
    const raw = dsn({
      inReplyTo: '<inv-55aa@rapport.example>',
      statusType: 'message/global-delivery-status',
      status: [
        'Reporting-MTA: dns; mx.relay.example',
        '',
        'Final-Recipient: RFC822; <bob@customer.example>',
        'Original-Recipient: rfc822; sales@customer.example',
        'Action: failed (mailbox disabled)',
        'Status: 5.2.1 (mailbox disabled)',
        '',
        'Final-Recipient: utf-8; j\\x{FC}rgen@b\\x{FC}ro.example',
        'Action: delivered',
        'Status: 2.0.0',
        '',
        'Final-Recipient: rfc822;late@customer.example',
        'Action: failed',
        'Status: 4.4.7',
        'Diagnostic-Code: X-Postfix; delivery temporarily suspended: connect to',
        '\tmx.customer.example[192.0.2.9]:25: Connection refused',
        '',
        'Final-Recipient: rfc822;guess@customer.example',
        'Diagnostic-Code: smtp; 552 5.2.2 Mailbox full',
      ].join('\r\n'),
    });
    expect(await parseDsn(raw)).toEqual({
      originalMessageId: '<inv-55aa@rapport.example>',
      recipients: [
        {
          recipient: 'sales@customer.example',
          action: 'failed',
          status: '5.2.1',
          diagnostic: null,
          permanent: true,
        },
        {
          recipient: 'jürgen@büro.example',
          action: 'delivered',
          status: '2.0.0',
          diagnostic: null,
          permanent: false,
        },
        {
          recipient: 'late@customer.example',
          action: 'failed',
          status: '4.4.7',
          diagnostic:
            'delivery temporarily suspended: connect to mx.customer.example[192.0.2.9]:25: Connection refused',
          // the relay gave up retrying, but nothing says the address is bad
          permanent: false,
        },
        {
          recipient: 'guess@customer.example',
          action: 'failed',
          status: '5.2.2',
          diagnostic: '552 5.2.2 Mailbox full',
          permanent: true,
        },
      ],
    });
  });
});

/** A minimal multipart/report around the given delivery-status fields. */
function dsn(options: { status: string; reportType?: string; statusType?: string; inReplyTo?: string }) {
  return [
    'From: MAILER-DAEMON@mx.relay.example',
    'To: bounces@rapport.example',
    'Subject: Delivery report',
    ...(options.inReplyTo ? [`In-Reply-To: ${options.inReplyTo}`] : []),
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=${options.reportType ?? 'delivery-status'}; boundary="b1"`,
    '',
    '--b1',
    'Content-Type: text/plain',
    '',
    'Report.',
    '--b1',
    `Content-Type: ${options.statusType ?? 'message/delivery-status'}`,
    '',
    options.status,
    '',
    '--b1--',
    '',
  ].join('\r\n');
}
