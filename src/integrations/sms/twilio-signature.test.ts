import { describe, expect, it } from 'vitest';
import {
  twilioBodyHash,
  twilioSignature,
  verifyTwilioJsonSignature,
  verifyTwilioRequest,
  verifyTwilioSignature,
} from './twilio-signature.ts';

// The example of Twilio's "Validating requests" documentation (also the vector of twilio-python's
// and twilio-node's own tests): Auth Token 12345, this URL and these POST parameters.
const authToken = '12345';
const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const params = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+14158675309',
  Digits: '1234',
  From: '+14158675309',
  To: '+18005551212',
};
const expected = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';

describe('X-Twilio-Signature', () => {
  it("computes the documented signatures (Twilio's example, both published versions)", () => {
    expect(twilioSignature(authToken, url, params)).toBe(expected);
    const current = { ...params, Caller: '+12349013030', From: '+12349013030' };
    expect(twilioSignature(authToken, url, current)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });

  it('signs a repeated parameter once per value, values sorted', () => {
    const form = new URLSearchParams('Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234');
    expect(twilioSignature(authToken, url, form)).toBe('IK+Dwps556ElfBT0I3Rgjkr1wJU=');
  });

  it('accepts the genuine request, from an object or a raw form body', () => {
    expect(verifyTwilioSignature({ authToken, signature: expected, url, params })).toBe(true);
    const raw = new URLSearchParams(params).toString();
    expect(verifyTwilioRequest({ authToken, signature: expected, url, rawBody: raw })).toBe(true);
  });

  it('refuses any tampering: a parameter, an added parameter, the URL, the token, no signature', () => {
    const verify = (over: Partial<Parameters<typeof verifyTwilioSignature>[0]>) =>
      verifyTwilioSignature({ authToken, signature: expected, url, params, ...over });
    expect(verify({ params: { ...params, Digits: '1235' } })).toBe(false);
    expect(verify({ params: { ...params, Body: 'hello' } })).toBe(false);
    expect(verify({ url: 'https://mycompany.com/myapp.php?foo=1&bar=3' })).toBe(false);
    expect(verify({ url: 'http://mycompany.com/myapp.php?foo=1&bar=2' })).toBe(false);
    expect(verify({ authToken: '12346' })).toBe(false);
    expect(verify({ signature: `${expected.slice(0, -2)}A=` })).toBe(false);
    expect(verify({ signature: '' })).toBe(false);
    expect(verify({ signature: undefined })).toBe(false);
  });

  it('accepts the URL with or without its port, as Twilio signs either (twilio-python vectors)', () => {
    const verify = (u: string, signature: string) =>
      verifyTwilioSignature({ authToken, signature, url: u, params });
    expect(verify('https://mycompany.com:1234/myapp.php?foo=1&bar=2', expected)).toBe(true);
    expect(verify(url, 'kvajT1Ptam85bY51eRf/AJRuM3w=')).toBe(true); // signed with :443
    expect(verify('http://mycompany.com/myapp.php?foo=1&bar=2', '0ZXoZLH/DfblKGATFgpif+LLRf4=')).toBe(true); // :80
    expect(verify('http://mycompany.com:1234/myapp.php?foo=1&bar=2', 'Zmvh+3yNM1Phv2jhDCwEM3q5ebU=')).toBe(
      true,
    );
  });

  it('checks JSON-bodied webhooks through bodySHA256 (twilio-python vector)', () => {
    const body = '{"property": "value", "boolean": true}';
    const hash = '0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620';
    expect(twilioBodyHash(body)).toBe(hash);
    const signedUrl = `${url}&bodySHA256=${hash}`;
    const signature = 'a9nBmqA0ju/hNViExpshrM61xv4=';
    expect(verifyTwilioJsonSignature({ authToken, signature, url: signedUrl, body })).toBe(true);
    expect(verifyTwilioRequest({ authToken, signature, url: signedUrl, rawBody: body })).toBe(true);
    expect(verifyTwilioJsonSignature({ authToken, signature, url: signedUrl, body: `${body} ` })).toBe(false);
    expect(verifyTwilioJsonSignature({ authToken, signature, url, body })).toBe(false); // no bodySHA256
  });
});
