import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    env: { RAPPORT_PUBLIC_RATE_PER_LINK: '3', RAPPORT_PUBLIC_RATE_PER_ADDRESS: '5' },
  });
});
afterAll(() => t.close());

const open = (token: string, remoteAddress = '10.0.0.1') =>
  t.app.inject({ url: `/api/v1/public/links/${token}`, remoteAddress });

describe('respondent endpoints under load from one place', () => {
  it('limit each link and each address per minute, saying when to come back', async () => {
    const a = 'a'.repeat(43);
    const b = 'b'.repeat(43);
    for (let i = 0; i < 3; i++) expect((await open(a)).statusCode).toBe(404);
    const limited = await open(a);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('too_many_requests');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another link from the same address: allowed until the address's budget is spent.
    expect((await open(b)).statusCode).toBe(404);
    expect((await open(b)).statusCode).toBe(429);
    // Another address still reaches link b, within that link's budget.
    expect((await open(b, '10.0.0.2')).statusCode).toBe(404);
    const save = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/public/links/${a}/response`,
      remoteAddress: '10.0.0.3',
      payload: { answers: {} },
    });
    expect(save.statusCode).toBe(429);
  });
});
