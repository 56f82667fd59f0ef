// A send worker in a process of its own, as each `rapport worker` is: for send-rate.test.ts.
// Usage: node src/distributions/rate-sender.fixture.ts <postgres url> <distribution id>
// Prints "ready", waits until the distribution is `sending`, sends all its recipients, prints "done".
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { queryRows } from '../platform/db/database.ts';
import { openPostgres } from '../platform/db/postgres-database.ts';
import { createSecretBox } from '../platform/secrets/secret-box.ts';
import { sendBatch } from './send.ts';
import { closeTransports } from './transport-cache.ts';

const [url, id] = process.argv.slice(2);
const distributionId = Number(id);
const db = await openPostgres(url!, { max: 2 });
const deps = {
  db,
  secrets: createSecretBox(randomBytes(32)),
  logger: pino({ level: 'silent' }),
  publicUrl: 'http://127.0.0.1:1',
};
process.stdout.write('ready\n');
const status = async () =>
  (
    await queryRows<{ status: string }>(
      db.orm,
      sql`SELECT status::text AS status FROM distributions WHERE id = ${distributionId}`,
    )
  )[0]?.status;
while ((await status()) !== 'sending') await new Promise((r) => setTimeout(r, 10));
for (;;) {
  const outcome = await sendBatch(deps, distributionId, 1, 2 ** 31 - 1);
  if ('completed' in outcome && outcome.completed) break;
}
process.stdout.write('done\n');
await closeTransports(db);
await db.close();
