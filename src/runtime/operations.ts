import { and, asc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { consolidateDuplicates, revertMerge } from '../directory/consolidation.service.ts';
import { distributeFromCli, ZCliDistribute } from '../distributions/distributions.operations.ts';
import { getDistribution } from '../distributions/stats.service.ts';
import { importB2bNow, importSummary, ZCliImport } from '../imports/imports.operations.ts';
import { notFound } from '../platform/errors.ts';
import { syncSalesforceNow, ZCliSync } from '../salesforce/salesforce.operations.ts';
import { createApiToken, listApiTokens, revokeApiToken } from '../users/api-tokens.service.ts';
import { systemActor, USER_ROLES } from '../users/roles.ts';
import { users } from '../users/users.schema.ts';
import { createUser, findUserByEmail, listUsers, resetPassword, ZEmail } from '../users/users.service.ts';
import { getRun } from '../workflows/runs.service.ts';
import { runWorkflowFromCli, ZCliWorkflowRun } from '../workflows/workflows.operations.ts';
import { listAllWorkflows } from '../workflows/workflows.service.ts';
import type { Runtime } from './runtime.ts';

/**
 * What the CLI can do to a Rapport instance. Each operation runs either in the CLI's own process
 * (PostgreSQL, or a data folder nobody holds) or, through the control socket, inside the running
 * server that holds the embedded database, with the same input schema and code either way.
 */
export interface Operation<I extends z.ZodType, O> {
  input: I;
  run(rt: Runtime, input: z.output<I>): Promise<O>;
}

const defineOperation = <I extends z.ZodType, O>(operation: Operation<I, O>) => operation;

// The CLI acts with the rights of whoever can run it on this machine: the operator.
const cli = systemActor('cli');

async function firstAdminId(rt: Runtime): Promise<number> {
  const [admin] = await rt.db.orm
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, 'admin'), isNull(users.disabledAt)))
    .orderBy(asc(users.id))
    .limit(1);
  if (!admin) throw notFound('There is no enabled administrator; create one with `rapport user create`');
  return admin.id;
}

async function userIdByEmail(rt: Runtime, email: string): Promise<number> {
  const user = await findUserByEmail(rt.db.orm, email);
  if (!user) throw notFound(`No user with email ${email}`);
  return user.id;
}

export const operations = {
  'token.create': defineOperation({
    input: z.object({
      name: z.string().trim().min(1).max(100),
      user: ZEmail.optional(),
      expiresInDays: z.number().int().min(1).max(3650).optional(),
    }),
    async run(rt, input) {
      const userId = input.user ? await userIdByEmail(rt, input.user) : await firstAdminId(rt);
      return createApiToken(rt.db, cli, {
        name: input.name,
        userId,
        ...(input.expiresInDays ? { expiresInDays: input.expiresInDays } : {}),
      });
    },
  }),
  'token.list': defineOperation({
    input: z.object({}),
    run: (rt) => listApiTokens(rt.db.orm, cli, { all: true }),
  }),
  'token.revoke': defineOperation({
    input: z.object({ id: z.number().int().positive() }),
    run: (rt, input) => revokeApiToken(rt.db, cli, input.id),
  }),
  'user.create': defineOperation({
    input: z.object({ email: ZEmail, name: z.string().default(''), role: z.enum(USER_ROLES) }),
    run: (rt, input) => createUser(rt.db, cli, input),
  }),
  'user.list': defineOperation({
    input: z.object({}),
    run: (rt) => listUsers(rt.db.orm, cli),
  }),
  'user.reset-password': defineOperation({
    input: z.object({ email: ZEmail }),
    async run(rt, input) {
      return resetPassword(rt.db, cli, await userIdByEmail(rt, input.email));
    },
  }),
  migrate: defineOperation({
    input: z.object({}),
    // The runtime applied them when it opened; this reports what it found.
    run: async (rt) => ({ database: rt.db.kind, ...rt.migrations }),
  }),
  'import.b2b': defineOperation({
    input: ZCliImport,
    run: (rt, input) => importB2bNow(rt, cli, input),
  }),
  'import.status': defineOperation({
    input: z.object({ runId: z.number().int().positive() }),
    run: (rt, input) => importSummary(rt, cli, input.runId),
  }),
  'distribution.create': defineOperation({
    input: ZCliDistribute,
    run: (rt, input) => distributeFromCli(rt.db, rt.jobs, cli, input),
  }),
  'distribution.status': defineOperation({
    input: z.object({ id: z.number().int().positive() }),
    run: (rt, input) => getDistribution(rt.db.orm, cli, input.id),
  }),
  'directory.consolidate': defineOperation({
    input: z.object({ directory: z.string().min(1), dryRun: z.boolean().default(false) }),
    run: (rt, input) => consolidateDuplicates(rt.db, cli, input.directory, { dryRun: input.dryRun }),
  }),
  'directory.unmerge': defineOperation({
    input: z.object({ mergeId: z.number().int().positive() }),
    run: (rt, input) => revertMerge(rt.db, cli, input.mergeId),
  }),
  'salesforce.sync': defineOperation({
    input: ZCliSync,
    run: (rt, input) => syncSalesforceNow(rt, cli, input),
  }),
  'jobs.queues': defineOperation({
    input: z.object({}),
    run: (rt) => rt.jobs.summary(),
  }),
  'workflow.list': defineOperation({
    input: z.object({ directory: z.string().min(1).optional() }),
    run: (rt, input) => listAllWorkflows(rt.db.orm, cli, input.directory),
  }),
  'workflow.run': defineOperation({
    input: ZCliWorkflowRun,
    run: (rt, input) => runWorkflowFromCli(rt, cli, input),
  }),
  'workflow.run-status': defineOperation({
    input: z.object({ runId: z.number().int().positive() }),
    run: (rt, input) => getRun(rt.db.orm, cli, input.runId),
  }),
} as const;

export type OperationName = keyof typeof operations;

export function isOperationName(name: string): name is OperationName {
  return Object.hasOwn(operations, name);
}

export async function runOperation(rt: Runtime, name: string, input: unknown): Promise<unknown> {
  if (!isOperationName(name)) throw notFound(`No operation ${name}`);
  const operation = operations[name] as Operation<z.ZodType, unknown>;
  return operation.run(rt, operation.input.parse(input));
}
