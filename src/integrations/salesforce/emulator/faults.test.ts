import { Connection, OAuth2 } from '@jsforce/jsforce-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SalesforceEmulator, startSalesforceEmulator } from './salesforce-emulator.ts';

/**
 * Injected faults and the daily limit, to prove a client refreshes expired sessions, retries
 * server errors and stops cleanly when the org's API allocation is used up.
 */

let emulator: SalesforceEmulator;

beforeAll(async () => {
  emulator = await startSalesforceEmulator({ dailyApiRequests: 1000 });
});

afterAll(() => emulator.close());

beforeEach(() => {
  emulator.faults.clear();
  emulator.setApiUsage({ used: 0, max: 1000 });
});

async function refreshingConnection() {
  const oauth2 = new OAuth2({
    loginUrl: emulator.loginUrl,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
  });
  const conn = new Connection({ oauth2, version: '62.0' });
  await conn.login(emulator.username, emulator.password);
  return conn;
}

const plainConnection = () =>
  new Connection({
    instanceUrl: emulator.instanceUrl,
    accessToken: emulator.issueAccessToken(),
    version: '62.0',
  });

describe('faults', () => {
  it('expires the session of the next call: 401 INVALID_SESSION_ID, then jsforce logs in again', async () => {
    const conn = await refreshingConnection();
    const before = conn.accessToken;
    emulator.faults.inject({ kind: 'expireSession' });
    expect((await conn.query('SELECT Id FROM User')).totalSize).toBe(1);
    expect(conn.accessToken).not.toBe(before);

    const stale = new Connection({
      instanceUrl: emulator.instanceUrl,
      accessToken: before!,
      version: '62.0',
    });
    await expect(stale.query('SELECT Id FROM User')).rejects.toMatchObject({
      errorCode: 'INVALID_SESSION_ID',
      message: 'Session expired or invalid',
    });
  });

  it('answers REQUEST_LIMIT_EXCEEDED for the matching path only', async () => {
    const conn = plainConnection();
    const fault = emulator.faults.inject({
      kind: 'requestLimitExceeded',
      path: /\/sobjects\/Account\/describe/,
      times: 2,
    });
    await expect(conn.sobject('Account').describe()).rejects.toMatchObject({
      errorCode: 'REQUEST_LIMIT_EXCEEDED',
      message: 'TotalRequests Limit exceeded.',
    });
    expect(fault.remaining()).toBe(1);
    expect((await conn.query('SELECT COUNT() FROM User')).totalSize).toBe(1);
    await expect(conn.sobject('Account').describe()).rejects.toMatchObject({
      errorCode: 'REQUEST_LIMIT_EXCEEDED',
    });
    await expect(conn.sobject('Account').describe()).resolves.toMatchObject({ name: 'Account' });
  });

  it('fails with 503 or 500: jsforce retries GETs itself, a POST surfaces the error', async () => {
    const conn = plainConnection();
    emulator.faults.inject({ kind: 'serverError', status: 503, method: 'GET' });
    expect((await conn.query('SELECT COUNT() FROM User')).totalSize).toBe(1);
    const statuses = emulator
      .requests()
      .slice(-2)
      .map((r) => r.status);
    expect(statuses).toEqual([503, 200]);

    emulator.faults.inject({ kind: 'serverError', method: 'POST' });
    await expect(
      conn.sobject('Lead').create({ LastName: 'Retry', Company: 'Later Ltd' }),
    ).rejects.toMatchObject({
      errorCode: 'UNKNOWN_EXCEPTION',
      message: expect.stringMatching(
        /^An unexpected error occurred\. Please include this ErrorId if you contact support: \d+-\d+ \(-\d+\)$/,
      ),
    });
    expect(emulator.store.count('Lead')).toBe(0);
  });

  it('adds latency', async () => {
    const conn = plainConnection();
    emulator.faults.inject({ kind: 'latency', ms: 150 });
    const started = performance.now();
    await conn.query('SELECT COUNT() FROM User');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('daily API limit', () => {
  it('counts every API call in Sforce-Limit-Info, which jsforce keeps in limitInfo', async () => {
    const conn = plainConnection();
    await conn.query('SELECT COUNT() FROM User');
    expect(conn.limitInfo).toEqual({ apiUsage: { used: 1, limit: 1000 } });
    await conn.sobject('User').describe();
    expect(conn.limitInfo.apiUsage).toEqual({ used: 2, limit: 1000 });

    // Neither the version list nor a refused session counts.
    await fetch(`${emulator.instanceUrl}/services/data/`);
    await fetch(`${emulator.instanceUrl}/services/data/v62.0/limits`, {
      headers: { Authorization: 'Bearer nope' },
    });
    const limits = await conn.limits();
    expect(limits.DailyApiRequests).toEqual({ Max: 1000, Remaining: 997 });
    expect(emulator.apiUsage()).toEqual({ used: 3, max: 1000, remaining: 997 });
  });

  it('refuses calls with REQUEST_LIMIT_EXCEEDED once the allocation is used up', async () => {
    const conn = plainConnection();
    emulator.setApiUsage({ used: 999 });
    await conn.query('SELECT COUNT() FROM User');
    expect(conn.limitInfo.apiUsage).toEqual({ used: 1000, limit: 1000 });
    await expect(conn.query('SELECT COUNT() FROM User')).rejects.toMatchObject({
      errorCode: 'REQUEST_LIMIT_EXCEEDED',
    });
    expect(emulator.apiUsage().used).toBe(1000);
  });
});

describe('session timeout', () => {
  it('ends a session left idle longer than the timeout', async () => {
    let clock = Date.parse('2026-03-02T09:00:00Z');
    const idle = await startSalesforceEmulator({ now: () => clock, sessionTimeoutMs: 15 * 60_000 });
    try {
      const conn = new Connection({
        instanceUrl: idle.instanceUrl,
        accessToken: idle.issueAccessToken(),
        version: '62.0',
      });
      clock += 14 * 60_000;
      await conn.query('SELECT COUNT() FROM User');
      clock += 14 * 60_000;
      await conn.query('SELECT COUNT() FROM User');
      clock += 16 * 60_000;
      await expect(conn.query('SELECT COUNT() FROM User')).rejects.toMatchObject({
        errorCode: 'INVALID_SESSION_ID',
      });
    } finally {
      await idle.close();
    }
  });
});
