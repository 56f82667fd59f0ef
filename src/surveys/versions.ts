import { and, eq } from 'drizzle-orm';
import { type Executor, type StatementRunner, statement } from '../platform/db/database.ts';
import { surveyVersions } from './surveys.schema.ts';

// A stored version never changes: keep recent ones in memory (and with them their reusable Model).
const versionCache = new Map<string, object>();

/** The definition of one saved version of a survey. */
export async function surveyDefinition(db: Executor, surveyId: number, version: number): Promise<object> {
  const key = `${surveyId}:${version}`;
  const cached = versionCache.get(key);
  if (cached) return cached;
  const [row] = await db
    .select()
    .from(surveyVersions)
    .where(and(eq(surveyVersions.surveyId, surveyId), eq(surveyVersions.version, version)));
  return remember(key, row!.definition as object);
}

function remember(key: string, definition: object): object {
  if (versionCache.size >= 500) versionCache.delete(versionCache.keys().next().value!);
  versionCache.set(key, definition);
  return definition;
}

const VERSION_DEFINITION = statement(
  'surveys.version-definition',
  'SELECT definition FROM survey_versions WHERE survey_id = $1 AND version = $2',
);

/** surveyDefinition for the respondent path: the same cache, read through the driver. */
export async function versionDefinition(
  db: StatementRunner,
  surveyId: number,
  version: number,
): Promise<object> {
  const key = `${surveyId}:${version}`;
  const cached = versionCache.get(key);
  if (cached) return cached;
  const [row] = await db.run<{ definition: object }>(VERSION_DEFINITION, [surveyId, version]);
  return remember(key, row!.definition);
}
