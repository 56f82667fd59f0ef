import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { createDirectory } from '../../src/directory/directories.service.ts';
import { keepMailingList, setKeptListMembers } from '../../src/directory/kept-lists.service.ts';
import { executeImportRun } from '../../src/imports/b2b/run-b2b-import.ts';
import { importDeps } from '../../src/imports/imports.jobs.ts';
import { createImportRun } from '../../src/imports/imports.service.ts';
import { DEFAULT_MAPPING, type MappingInput } from '../../src/imports/mapping.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { pgTextArray } from '../../src/platform/db/sql-text.ts';
import type { SecretBox } from '../../src/platform/secrets/secret-box.ts';
import { systemActor } from '../../src/users/roles.ts';
import { silentLogger } from './logger.ts';

export const FIXTURES = fileURLToPath(new URL('../fixtures/b2b/', import.meta.url));
export const fixture = (name: string) => path.join(FIXTURES, name);
export const testActor = systemActor('test');

/** The fixtures' mapping: the default one, with AnnualRevenue as a decimal attribute ARR. */
export const FIXTURE_MAPPING: MappingInput = {
  ...DEFAULT_MAPPING,
  defaultCountry: 'US',
  accounts: {
    ...DEFAULT_MAPPING.accounts,
    attributes: [{ source: 'AnnualRevenue', name: 'ARR', type: 'decimal' }],
  },
};

/** Writes CSV text to a temporary file and returns its path. */
export function csvFile(name: string, lines: string[], eol = '\r\n'): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'rapport-csv-')), name);
  writeFileSync(file, `${lines.join(eol)}${eol}`);
  return file;
}

export async function makeDirectory(db: Database, name = `Dir ${Math.random().toString(36).slice(2, 8)}`) {
  return createDirectory(db, testActor, { name });
}

/** Runs an import of local files to its end, as the job would, and returns the run row. */
export async function importFiles(
  db: Database,
  secrets: SecretBox,
  directory: string | number,
  files: { accounts?: string; contacts?: string; teamMembers?: string },
  options: { mapping?: MappingInput; mailingList?: string } = {},
) {
  const sources = Object.fromEntries(
    Object.entries(files).map(([k, p]) => [k, { kind: 'path' as const, path: p }]),
  );
  const run = await createImportRun(db, testActor, {
    directory,
    sources,
    mapping: options.mapping ?? FIXTURE_MAPPING,
    options: { mailingList: options.mailingList ?? null },
  });
  await executeImportRun(importDeps({ db, logger: silentLogger, secrets }), run.runId).catch(() => {});
  const [row] = await db.query<{
    id: number;
    status: string;
    summary: Record<string, Record<string, number>>;
    failure: string | null;
    mailing_list_id: number | null;
  }>('SELECT id, status, summary, failure, mailing_list_id FROM import_runs WHERE id = $1', [run.runId]);
  const issues = await db.query<{
    severity: string;
    object: string;
    line: number | null;
    field: string | null;
    value: string | null;
    reason: string;
  }>(
    'SELECT severity, object, line, field, value, reason FROM import_issues WHERE run_id = $1 ORDER BY severity, object, line, id',
    [run.runId],
  );
  return { run: row!, issues };
}

/** A list kept in step with a CRM campaign (kept-lists.service.ts) naming these contacts by reference. */
export function keepCampaignList(
  db: Database,
  directoryId: number,
  name: string,
  refs: string[],
): Promise<number> {
  return db.orm.transaction(async (tx) => {
    const id = await keepMailingList(tx, directoryId, null, name);
    await setKeptListMembers(
      tx,
      directoryId,
      [id],
      sql`SELECT ${id}::bigint AS list_id, ref AS external_ref FROM unnest(${pgTextArray(refs)}::text[]) ref`,
    );
    return id;
  });
}
