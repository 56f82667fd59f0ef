import { createHash } from 'node:crypto';
import { badRequest } from '../platform/errors.ts';
import type { SecretBox } from '../platform/secrets/secret-box.ts';
import type { TaskEntry } from './model.ts';
import { taskType } from './tasks/registry.ts';

/**
 * Secret task inputs (a Slack or Teams webhook URL, a webhook signing secret) are sealed with the
 * secret box, bound to their workflow, inside the stored tasks: `{ "$sealed": "v1.…" }`. The API
 * never gives them back: it shows `{ "$secret": "<id>" }`, and a client that sends that marker
 * back keeps the stored value (the id finds it, even if the task was renamed or moved).
 */

const context = (workflowId: number) => `workflows:${workflowId}:secret`;
const idOf = (sealed: string) => createHash('sha256').update(sealed).digest('hex').slice(0, 16);

type Sealed = { $sealed: string };
type Marker = { $secret: string };
const isSealed = (v: unknown): v is Sealed =>
  !!v && typeof v === 'object' && typeof (v as Sealed).$sealed === 'string';
const isMarker = (v: unknown): v is Marker =>
  !!v && typeof v === 'object' && typeof (v as Marker).$secret === 'string';

const secretFields = (entry: Pick<TaskEntry, 'type'>) => taskType(entry.type)?.secrets ?? [];

/** Stored tasks as the API shows them: sealed values replaced by their markers. */
export function maskSecrets(tasks: TaskEntry[]): TaskEntry[] {
  return tasks.map((entry) => {
    const input = { ...entry.input };
    for (const field of secretFields(entry))
      if (isSealed(input[field])) input[field] = { $secret: idOf((input[field] as Sealed).$sealed) };
    return { ...entry, input };
  });
}

/** Tasks from a client with the kept secrets (markers) put back as plain text, for the checks. */
export function revealForCheck(
  tasks: TaskEntry[],
  stored: TaskEntry[],
  secrets: SecretBox,
  workflowId: number | null,
): TaskEntry[] {
  const byId = new Map<string, string>();
  for (const entry of stored)
    for (const field of secretFields(entry)) {
      const value = entry.input[field];
      if (isSealed(value)) byId.set(idOf(value.$sealed), value.$sealed);
    }
  return tasks.map((entry, i) => {
    const input = { ...entry.input };
    for (const field of secretFields(entry)) {
      const value = input[field];
      if (isMarker(value)) {
        const sealed = byId.get(value.$secret);
        if (!sealed || workflowId === null)
          throw badRequest(
            `tasks[${i}].input.${field}: the saved secret is not known here any more: type it again`,
          );
        input[field] = secrets.decrypt(sealed, context(workflowId));
      } else if (isSealed(value)) {
        throw badRequest(`tasks[${i}].input.${field}: give the secret as text`);
      }
    }
    return { ...entry, input };
  });
}

/** Checked tasks as they are stored: each secret field sealed. */
export function sealSecrets(tasks: TaskEntry[], secrets: SecretBox, workflowId: number): TaskEntry[] {
  return tasks.map((entry) => {
    const input = { ...entry.input };
    for (const field of secretFields(entry))
      if (typeof input[field] === 'string')
        input[field] = { $sealed: secrets.encrypt(input[field] as string, context(workflowId)) };
    return { ...entry, input };
  });
}

/** A stored task's input with its secrets opened, for the run. */
export function unsealInput(
  entry: TaskEntry,
  secrets: SecretBox,
  workflowId: number,
): Record<string, unknown> {
  const input = { ...entry.input };
  for (const field of secretFields(entry))
    if (isSealed(input[field]))
      input[field] = secrets.decrypt((input[field] as Sealed).$sealed, context(workflowId));
  return input;
}

/** A resolved input as a run records it: secrets never written in clear. */
export function redactInput(type: string, input: Record<string, unknown>): Record<string, unknown> {
  const out = { ...input };
  for (const field of taskType(type)?.secrets ?? []) if (out[field] !== undefined) out[field] = '[secret]';
  return out;
}
