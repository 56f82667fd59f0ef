// Engine-independent (the emulator holds its org in memory): run in the PGlite pass, skipped in the PostgreSQL one.

import { Connection, OAuth2 } from '@jsforce/jsforce-node';
import { describe, expect, it } from 'vitest';
import { freePort, startRapport } from '../harness/processes.ts';
import { testEngine } from '../harness/test-env.ts';

interface DemoDetails {
  loginUrl: string;
  orgId: string;
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  records: { accounts: number; contacts: number; accountTeamMembers: number; cases: number };
}

describe.skipIf(testEngine() === 'postgres')('rapport demo salesforce', () => {
  it("serves the seed's Cloud Kicks org on loopback to jsforce, as production connects, and stops cleanly", async () => {
    const port = await freePort();
    const demo = startRapport(
      [
        'demo',
        'salesforce',
        '--port',
        String(port),
        '--json',
        '--client-id',
        'DemoKey',
        '--client-secret',
        'DemoSecret',
      ],
      {},
    );
    try {
      await demo.waitForOutput(/"cases": \d+\s*}\s*}/);
      const details = JSON.parse(demo.output().slice(demo.output().indexOf('{'))) as DemoDetails;
      expect(details).toMatchObject({
        loginUrl: `http://127.0.0.1:${port}`,
        clientId: 'DemoKey',
        clientSecret: 'DemoSecret',
        orgId: expect.stringMatching(/^00D\w{15}$/),
      });

      // Client credentials, as a Rapport connection of that kind asks for its token.
      const oauth2 = new OAuth2({
        loginUrl: details.loginUrl,
        clientId: details.clientId,
        clientSecret: details.clientSecret,
      });
      const token = await oauth2.requestToken({ grant_type: 'client_credentials' });
      expect(token.instance_url).toBe(details.loginUrl);
      const conn = new Connection({
        oauth2,
        instanceUrl: token.instance_url,
        accessToken: token.access_token,
        version: '62.0',
      });
      const identity = await conn.identity();
      expect(identity).toMatchObject({ organization_id: details.orgId, username: details.username });
      expect(details.username).toMatch(/@cloudkicks\.example\.com$/);

      const accounts = await conn.query<{ Name: string; Parent: { Name: string } | null }>(
        'SELECT Name, Parent.Name FROM Account ORDER BY Name',
        { maxFetch: 1000 },
      );
      expect(accounts.totalSize).toBe(details.records.accounts);
      expect(accounts.records.map((a) => a.Name)).toEqual(
        expect.arrayContaining(['Get Cloudy Consulting', 'Get Cloudy Holdings']),
      );
      expect(accounts.records.find((a) => a.Name === 'Get Cloudy Consulting')?.Parent?.Name).toBe(
        'Get Cloudy Holdings',
      );

      const people = await conn.query<{ FirstName: string; LastName: string; Account: { Name: string } }>(
        "SELECT FirstName, LastName, Email, Account.Name FROM Contact WHERE LastName IN ('Johnson', 'Chan') ORDER BY LastName",
      );
      expect(people.records.map((c) => [c.FirstName, c.LastName, c.Account.Name])).toEqual([
        ['Leung', 'Chan', 'Get Cloudy Consulting'],
        ['Alan', 'Johnson', 'Get Cloudy Consulting'],
      ]);
      const count = await conn.query('SELECT COUNT() FROM Contact');
      expect(count.totalSize).toBe(details.records.contacts);

      // The Cloud Kicks people who own the accounts (their team members) are the org's users.
      const team = await conn.query<{ User: { Email: string }; Account: { Name: string } }>(
        "SELECT User.Email, Account.Name FROM AccountTeamMember WHERE Account.Name = 'Get Cloudy Consulting'",
      );
      expect(team.records.length).toBeGreaterThan(0);
      for (const member of team.records) expect(member.User.Email).toMatch(/@cloudkicks\.example\.com$/);

      // Ctrl-C: the emulator closes and the process ends with success; the port is free again.
      demo.child.kill('SIGINT');
      expect(await demo.exited).toEqual({ code: 0, signal: null });
      await expect(fetch(`${details.loginUrl}/services/oauth2/token`, { method: 'POST' })).rejects.toThrow();
    } finally {
      if (demo.child.exitCode === null && demo.child.signalCode === null) demo.child.kill('SIGKILL');
    }
  }, 60_000);
});
