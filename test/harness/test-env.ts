/** Which engine this run of the suite uses: PGlite by default, PostgreSQL with RAPPORT_TEST_DB=postgres. */
export type TestEngine = 'pglite' | 'postgres';

export function testEngine(): TestEngine {
  const engine = process.env.RAPPORT_TEST_DB ?? 'pglite';
  if (engine !== 'pglite' && engine !== 'postgres') {
    throw new Error(`RAPPORT_TEST_DB must be pglite or postgres, not ${engine}`);
  }
  if (engine === 'postgres' && !process.env.TEST_DATABASE_URL) {
    throw new Error(
      'RAPPORT_TEST_DB=postgres needs TEST_DATABASE_URL (e.g. postgres://root@127.0.0.1:5432/test)',
    );
  }
  return engine;
}

/** The same server, another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** PGlite: a migrated data folder dumped to this file. */
    pgliteTemplateFile: string;
    /** PostgreSQL: a migrated template database to clone. */
    postgresTemplateDb: string;
  }
}
