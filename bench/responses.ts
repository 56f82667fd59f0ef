// Respondent load: concurrent completed responses over HTTP on loopback against a real
// `rapport start` (a child process), driven by autocannon from this process. Prints responses/s
// and p50/p99 latency, then counts the stored rows: none lost, none duplicated.
// First, in the same run, the ceiling of this machine: the same load against a bare Fastify child
// answering 200 {} (no database, no checks), so each figure reads as a share of what the machine
// (its cores shared by autocannon, Node and the database) can do at all over HTTP.
// Usage: node bench/responses.ts [pglite|postgres|both] [requests=10000] [connections=32]
// PostgreSQL comes from BENCH_DATABASE_URL or TEST_DATABASE_URL (a scratch database is created).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { freePort, runRapport, startProcess, startRapport, tempDir } from '../test/harness/processes.ts';

// The ceiling's server: this file run as a child with --ceiling-server <port>.
if (process.argv[2] === '--ceiling-server') {
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  app.put('/api/v1/public/links/:token/response', async () => ({}));
  await app.listen({ port: Number(process.argv[3]), host: '127.0.0.1' });
  console.log('ceiling server listening');
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
  await new Promise(() => {});
}

const engines = (process.argv[2] ?? 'both') === 'both' ? ['pglite', 'postgres'] : [process.argv[2]!];
// A fixed number of requests (not a duration), so every request sent has its answer counted.
const amount = Number(process.argv[3] ?? 10_000);
const connections = Number(process.argv[4] ?? 32);
const LINKS = 20;
// Requests sent first, unmeasured, so that JIT warm-up is not counted (their rows are counted).
const WARM_UP = Math.max(connections, Math.round(amount / 10));

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

async function scratchPostgres(): Promise<{
  url: string;
  backends(): Promise<number[]>;
  drop(): Promise<void>;
}> {
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
    backends: async () =>
      (
        await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name])
      ).rows.map((r) => r.pid),
    drop: async () => {
      await admin.query(`drop database ${name} with (force)`);
      await admin.end();
    },
  };
}

// Each request completes a new response on one of the links, with a varied score.
const bodies = Array.from({ length: 11 }, (_, nps) =>
  JSON.stringify({
    answers: { nps, renewal: 'likely', ...(nps <= 6 ? { why: 'Faster onboarding, please' } : {}) },
    complete: true,
    language: 'en',
  }),
);

/** CPU seconds used so far by these processes (Linux /proc; 0 where it cannot be read). */
function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // Fields after the command name: state is the 3rd field; utime and stime the 14th and 15th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {}
  }
  return ticks / 100;
}

/** CPU per measured request of the server, the database's backends and this process (autocannon). */
async function measureCpu<T>(server: number[], database: number[], work: () => Promise<T>) {
  const before = { server: cpuSeconds(server), database: cpuSeconds(database), bench: process.cpuUsage() };
  const result = await work();
  const bench = process.cpuUsage(before.bench);
  const perRequest = (seconds: number) => `${((seconds * 1000) / amount).toFixed(2)} ms`;
  const cpu =
    `CPU per request: server ${perRequest(cpuSeconds(server) - before.server)}` +
    (database.length ? `, PostgreSQL backends ${perRequest(cpuSeconds(database) - before.database)}` : '') +
    `, autocannon ${perRequest((bench.user + bench.system) / 1e6)}`;
  return { result, cpu };
}

interface Load {
  ok: number;
  seconds: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** `count` PUTs over `connections` keep-alive connections, spread over the tokens. */
async function load(base: string, tokens: string[], count = amount): Promise<Load> {
  let sent = 0;
  let last = 0;
  let settle: (error: Error | null, result: autocannon.Result) => void = () => {};
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    settle = (error, result) => (error ? reject(error) : resolve(result));
  });
  const started = performance.now();
  const instance = autocannon(
    {
      url: base,
      connections,
      amount: count,
      requests: [
        {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => {
            const i = sent++;
            return {
              ...request,
              path: `/api/v1/public/links/${tokens[i % tokens.length]}/response`,
              body: bodies[i % 11],
            };
          },
        },
      ],
    },
    (error, result) => settle(error, result),
  );
  // autocannon reports its duration in whole sampling intervals (1 s): time the last answer instead.
  instance.on('response', () => {
    last = performance.now();
  });
  const result = await finished;
  return {
    ok: result['2xx'],
    seconds: (last - started) / 1000,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

const describeLoad = (r: Load) =>
  `${amount} requests in ${r.seconds.toFixed(2)} s: ${(r.ok / r.seconds).toFixed(0)} /s, latency p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms; ` +
  `2xx ${r.ok}, non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}`;

/** The machine's ceiling for this load: a bare Fastify child answering 200 {}. */
async function ceiling(): Promise<number> {
  const port = await freePort();
  const server = startProcess(fileURLToPath(import.meta.url), ['--ceiling-server', String(port)], {});
  try {
    await server.waitForOutput(/ceiling server listening/);
    const tokens = Array.from({ length: LINKS }, () => randomBytes(32).toString('base64url'));
    await load(`http://127.0.0.1:${port}`, tokens, WARM_UP);
    const { result: r, cpu } = await measureCpu([server.child.pid!], [], () =>
      load(`http://127.0.0.1:${port}`, tokens),
    );
    console.log(
      `ceiling  ${connections} connections, bare Fastify answering 200 {}, ${describeLoad(r)}; ${cpu}`,
    );
    return r.ok / r.seconds;
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
}

async function run(engine: string, ceilingRate: number) {
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

    const warm = await load(base, tokens, WARM_UP);
    // The database's server processes serving this run (PostgreSQL on this machine).
    const backends = scratch ? await scratch.backends() : [];
    const { result: r, cpu } = await measureCpu([server.child.pid!], backends, () => load(base, tokens));
    const ok = r.ok;
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
    const rate = ok / r.seconds;
    console.log(
      `${engine.padEnd(8)} ${connections} connections, completed responses, ${describeLoad(r)}; ` +
        `${((rate / ceilingRate) * 100).toFixed(0)}% of the ceiling; ` +
        `rows stored ${count} (${count === warm.ok + ok ? 'none lost or duplicated' : 'MISMATCH'}); ${cpu}`,
    );
    if (count !== warm.ok + ok) process.exitCode = 1;
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    await scratch?.drop();
  }
}

const ceilingRate = await ceiling();
for (const engine of engines) await run(engine, ceilingRate);
