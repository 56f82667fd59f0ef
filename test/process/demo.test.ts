// Engine-independent (own data folders): run in the PGlite pass, skipped in the PostgreSQL one.

import { describe, expect, it } from 'vitest';
import { freePort, runRapport, startRapport, tempDir } from '../harness/processes.ts';
import { testEngine } from '../harness/test-env.ts';

describe.skipIf(testEngine() === 'postgres')('the demo directory', () => {
  // Two starts, the demo import, two years of answers and the health computation: slow on a busy machine.
  it('is imported on the first start of an empty database, cleanly, and only once', async () => {
    const env = { RAPPORT_DATA_DIR: tempDir(), RAPPORT_DEMO: '1' };
    const port = await freePort();
    const base = `http://127.0.0.1:${port}/api/v1`;
    let server = startRapport(['start', '--no-build-ui'], { ...env, PORT: String(port) });
    try {
      const [, runId] = (await server.waitForOutput(/is being imported \(import run (\d+)\)/)) as unknown as [
        string,
        string,
      ];
      const created = await runRapport(['token', 'create', '--name', 'demo-check', '--json'], env);
      const headers = { authorization: `Bearer ${JSON.parse(created.stdout).token}` };
      const get = async <T>(path: string) => (await (await fetch(`${base}${path}`, { headers })).json()) as T;

      type Run = {
        status: string;
        errorCount: number;
        warningCount: number;
        objects: Record<string, Record<string, number>>;
      };
      let run: Run;
      for (;;) {
        run = await get<Run>(`/imports/${runId}`);
        if (run.status === 'succeeded' || run.status === 'failed') break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(run.status).toBe('succeeded');
      expect({ errors: run.errorCount, warnings: run.warningCount }).toEqual({ errors: 0, warnings: 0 });
      expect(run.objects.accounts!.created).toBeGreaterThan(80);
      expect(run.objects.contacts!.created).toBeGreaterThan(400);

      const accounts = await get<{ items: { id: number; displayName: string }[] }>(
        '/directories/Cloud%20Kicks%20customers/accounts?q=get%20cloudy',
      );
      const getCloudy = accounts.items.find((a) => a.displayName === 'Get Cloudy Consulting');
      const account = await get<{
        contactsByRole: { name: string; role: string }[];
        team: { role: string; email: string }[];
        children: { displayName: string }[];
      }>(`/accounts/${getCloudy!.id}`);
      expect(account.contactsByRole).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'Alan Johnson', role: 'DECISION_MAKER' }),
          expect.objectContaining({ name: 'Leung Chan', role: 'INFLUENCER' }),
        ]),
      );
      expect(account.team).toContainEqual(
        expect.objectContaining({ role: 'ACCOUNT_OWNER', email: 'olivia.owner@cloudkicks.example' }),
      );
      expect(account.children.map((c) => c.displayName)).toEqual(['Get Cloudy Consulting – Reno']);

      // Then the demo's feedback: a relationship NPS survey with answers, and every account's health,
      // Get Cloudy at high risk because Alan Johnson, its decision maker, is a detractor.
      type Health = {
        own: { risk: string; reasons: { code: string; contact?: string }[]; arr: number | null } | null;
      };
      let health: Health = { own: null };
      for (const deadline = Date.now() + 60_000; Date.now() < deadline && !health.own; ) {
        await new Promise((r) => setTimeout(r, 500));
        health = await get<Health>(`/accounts/${getCloudy!.id}/health`);
      }
      expect(health.own?.risk).toBe('high');
      expect(health.own?.reasons).toContainEqual(
        expect.objectContaining({ code: 'detractor_key_role', contact: 'Alan Johnson' }),
      );
      expect(health.own?.arr).toBe(480000);
      const fit = await get<{ fitted: boolean; labelled: number }>(
        '/directories/Cloud%20Kicks%20customers/health-model/fit',
      );
      expect(fit.labelled).toBeGreaterThan(40);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }

    // A second start finds users: no second demo.
    server = startRapport(['start', '--no-build-ui'], { ...env, PORT: String(port) });
    try {
      const output = await server.waitForOutput(/is running at/);
      expect(output.input ?? '').not.toMatch(/Demo data/);
      const list = await runRapport(['import', 'status', '2'], env);
      expect(list.code).not.toBe(0);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 120_000);
});
