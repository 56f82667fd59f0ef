// Respondent load: concurrent completed responses over HTTP on loopback against a real
// `rapport start` (a child process), driven by autocannon from this process. Prints responses/s
// and p50/p99 latency, then counts the stored rows: none lost, none duplicated.
// Usage: node bench/responses.ts [pglite|postgres|both] [requests=10000] [connections=32]
// PostgreSQL comes from BENCH_DATABASE_URL or TEST_DATABASE_URL (a scratch database is created).
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { freePort, runRapport, startRapport, tempDir } from '../test/harness/processes.ts';

const engines = (process.argv[2] ?? 'both') === 'both' ? ['pglite', 'postgres'] : [process.argv[2]!];
// A fixed number of requests (not a duration), so every request sent has its answer counted.
const amount = Number(process.argv[3] ?? 10_000);
const connections = Number(process.argv[4] ?? 32);
const LINKS = 20;

const definition = {
  pages: [
    {
      name: 'score',
      elements: [
        { type: 'rating', name: 'nps', rateMin: 0, rateMax: 10, isRequired: true, title: 'Recommend us?' },
        { type: 'comment', name: 'why', visibleIf: '{nps} <= 6', title: 'What should we improve?' },
        { type: 'radiogroup', name: 'renewal', choices: ['likely', 'unsure', 'unlikely'], title: 'Renew?' },
      ],
    },
  ],
};

async function scratchPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('Set BENCH_DATABASE_URL or TEST_DATABASE_URL for the PostgreSQL run');
  const name = `rapport_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      await admin.query(`drop database ${name} with (force)`);
      await admin.end();
    },
  };
}

async function run(engine: string) {
  const scratch = engine === 'postgres' ? await scratchPostgres() : null;
  const env: Record<string, string> = {
    RAPPORT_DATA_DIR: tempDir('rapport-bench-'),
    RAPPORT_LOG_LEVEL: 'warn',
    RAPPORT_SECRET_KEY: randomBytes(32).toString('hex'),
    RAPPORT_ADMIN_EMAIL: 'bench@rapport.example',
    RAPPORT_ADMIN_PASSWORD: randomBytes(16).toString('hex'),
    RAPPORT_DEMO: '0',
    // The bench is one address hammering few links: lift the public limits for it.
    RAPPORT_PUBLIC_RATE_PER_ADDRESS: '10000000',
    RAPPORT_PUBLIC_RATE_PER_LINK: '10000000',
    ...(scratch ? { DATABASE_URL: scratch.url } : {}),
  };
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = startRapport(['start', '--no-build-ui'], { ...env, PORT: String(port) });
  try {
    await server.waitForOutput(/is running at/);
    const created = await runRapport(['token', 'create', '--name', 'bench', '--json'], env);
    if (created.code !== 0) throw new Error(created.output);
    const authorization = `Bearer ${JSON.parse(created.stdout).token}`;
    const call = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
      const r = await fetch(`${base}/api/v1${url}`, {
        method,
        headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${await r.text()}`);
      return (await r.json()) as T;
    };
    await call('POST', '/directories', { name: 'Bench' });
    const survey = await call<{ id: number }>('POST', '/directories/Bench/surveys', {
      name: 'Bench NPS',
      definition,
      metrics: { npsQuestion: 'nps' },
    });
    await call('POST', `/surveys/${survey.id}/activate`);
    const tokens: string[] = [];
    for (let i = 0; i < LINKS; i++)
      tokens.push((await call<{ token: string }>('POST', `/surveys/${survey.id}/links`, {})).token);

    // Each request completes a new response on one of the anonymous links, with a varied score.
    let sent = 0;
    const bodies = Array.from({ length: 11 }, (_, nps) =>
      JSON.stringify({
        answers: { nps, renewal: 'likely', ...(nps <= 6 ? { why: 'Faster onboarding, please' } : {}) },
        complete: true,
        language: 'en',
      }),
    );
    const result = await autocannon({
      url: base,
      connections,
      amount,
      requests: [
        {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => {
            const i = sent++;
            return {
              ...request,
              path: `/api/v1/public/links/${tokens[i % LINKS]}/response`,
              body: bodies[i % 11],
            };
          },
        },
      ],
    });
    const ok = result['2xx'];
    // Count what was stored, through the API's pages.
    let count = 0;
    let cursor: string | null = null;
    do {
      const page: { items: unknown[]; nextCursor: string | null } = await call(
        'GET',
        `/surveys/${survey.id}/responses?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
      );
      count += page.items.length;
      cursor = page.nextCursor;
    } while (cursor);
    const seconds = result.duration;
    console.log(
      `${engine.padEnd(8)} ${connections} connections, ${amount} requests in ${seconds.toFixed(1)} s: ${(ok / seconds).toFixed(0)} completed responses/s, ` +
        `latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms; ` +
        `2xx ${ok}, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}; ` +
        `rows stored ${count} (${count === ok ? 'none lost or duplicated' : 'MISMATCH'})`,
    );
    if (count !== ok) process.exitCode = 1;
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    await scratch?.drop();
  }
}

for (const engine of engines) await run(engine);
