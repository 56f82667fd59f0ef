import type { SQL } from 'drizzle-orm';
import type { Executor } from '../platform/db/database.ts';
import { notFound, validationFailed } from '../platform/errors.ts';
import { compileSegment, segmentMembersSql } from '../segments/compile.ts';
import { ZSegmentDefinition } from '../segments/rules.ts';
import { getSegment } from '../segments/segments.service.ts';
import type { Actor } from '../users/roles.ts';

/** A segment as a filter: which entity its members are, and the `SELECT x.id` of its members. */
export interface SegmentMembers {
  entity: 'account' | 'contact';
  members: SQL;
}

/**
 * The segment's member query (src/segments), compiled now from its stored rules, for an IN (…)
 * inside the widget's own statement: evaluated with the widget, always current.
 */
export async function segmentMembers(
  db: Executor,
  actor: Actor,
  directoryId: number,
  segmentId: number,
): Promise<SegmentMembers> {
  const segment = await getSegment(db, actor, segmentId);
  if (segment.directoryId !== directoryId) throw notFound(`No segment ${segmentId} in this directory`);
  const definition = ZSegmentDefinition.safeParse({ entity: segment.entity, rules: segment.rules });
  if (!definition.success) throw validationFailed('The segment rules no longer fit this directory', []);
  const compiled = await compileSegment(db, directoryId, definition.data);
  if (!compiled.compiled)
    throw validationFailed('The segment rules no longer fit this directory', compiled.problems);
  return { entity: compiled.compiled.entity, members: segmentMembersSql(directoryId, compiled.compiled) };
}
