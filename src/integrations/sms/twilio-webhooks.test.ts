import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { parseInboundSms, parseStatusCallback, twimlMessage } from './twilio-webhooks.ts';

const messageSid = `SM${'1'.repeat(32)}`;
const accountSid = `AC${'a'.repeat(32)}`;

describe('Twilio webhooks', () => {
  it('builds TwiML replies, escaping XML and dropping characters XML cannot carry', () => {
    expect(twimlMessage([])).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(twimlMessage(['Thanks <3 & "see you"', "Q2: what's next?\u0007"])).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response>' +
        '<Message>Thanks &lt;3 &amp; &quot;see you&quot;</Message>' +
        '<Message>Q2: what&apos;s next?</Message></Response>',
    );
  });

  it('parses an incoming message webhook from its raw form body', () => {
    const raw =
      `ToCountry=US&ToState=CA&SmsMessageSid=${messageSid}&NumMedia=0&ToCity=&FromZip=&SmsSid=${messageSid}` +
      '&FromState=&SmsStatus=received&FromCity=&Body=9+-+great+support%21&FromCountry=FR&To=%2B14155550100' +
      `&ToZip=&NumSegments=1&MessageSid=${messageSid}&AccountSid=${accountSid}&From=%2B33612345678&ApiVersion=2010-04-01`;
    expect(parseInboundSms(raw)).toEqual({
      messageSid,
      accountSid,
      messagingServiceSid: null,
      from: '+33612345678',
      to: '+14155550100',
      body: '9 - great support!',
      numMedia: 0,
      numSegments: 1,
      optOutType: null,
      fromCountry: 'FR',
    });
  });

  it('falls back to SmsSid, reads OptOutType, and refuses a webhook without sender or SID', () => {
    const base = { SmsSid: messageSid, AccountSid: accountSid, From: '+33612345678', To: '+14155550100' };
    expect(parseInboundSms({ ...base, Body: 'stop', OptOutType: 'STOP' })).toMatchObject({
      messageSid,
      optOutType: 'STOP',
    });
    expect(() => parseInboundSms({ AccountSid: accountSid, From: '+1', To: '+2' })).toThrow(ZodError);
    expect(() => parseInboundSms({ ...base, From: '' })).toThrow(/phone number or channel address/);
  });

  it('parses status callbacks, with their delivery error code', () => {
    const raw =
      `ErrorCode=30003&SmsSid=${messageSid}&SmsStatus=undelivered&MessageStatus=undelivered&To=%2B33612345678` +
      `&MessageSid=${messageSid}&AccountSid=${accountSid}&From=%2B14155550100&ApiVersion=2010-04-01`;
    expect(parseStatusCallback(raw)).toEqual({
      messageSid,
      accountSid,
      status: 'undelivered',
      errorCode: 30003,
      from: '+14155550100',
      to: '+33612345678',
    });
    expect(
      parseStatusCallback({ MessageSid: messageSid, AccountSid: accountSid, MessageStatus: 'delivered' }),
    ).toMatchObject({ status: 'delivered', errorCode: null });
    expect(() =>
      parseStatusCallback({ MessageSid: messageSid, AccountSid: accountSid, MessageStatus: 'lost' }),
    ).toThrow(/expected one of accepted/);
  });
});
