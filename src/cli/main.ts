import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, describeConfig, loadConfig } from '../config/env.ts';
import { DataDirLockedError } from '../platform/db/data-dir-lock.ts';
import type { MigrationReport } from '../platform/db/migrate.ts';
import { AppError } from '../platform/errors.ts';
import type { QueueSummary } from '../platform/jobs/job-queue.ts';
import { createLogger } from '../platform/logger.ts';
import { VERSION } from '../runtime/version.ts';
import { buildWeb, webBuildIsStale } from '../runtime/web-build.ts';
import { registerSalesforceCommands } from '../salesforce/salesforce.cli.ts';
import type { PublicToken } from '../users/api-tokens.service.ts';
import { USER_ROLES } from '../users/roles.ts';
import type { PublicUser } from '../users/users.service.ts';
import { registerDistributeCommand } from './distribute-command.ts';
import {
  describeImport,
  type ImportOptions,
  type ImportSummaryOutput,
  importB2bFromCli,
} from './import-command.ts';
import { printResult, table } from './output.ts';
import { runCliOperation } from './run-operation.ts';
import { registerWorkflowCommand } from './workflow-command.ts';

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

/** Stops cleanly on SIGTERM/SIGINT; a second signal forces the exit. */
function onShutdownSignal(
  stop: () => Promise<void>,
  logger: { info(msg: string): void; error(o: object, msg: string): void },
) {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.info(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    logger.info(`${signal}: finishing running work, then stopping (press Ctrl+C again to force)`);
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

export function buildProgram(): Command {
  const program = new Command('rapport')
    .description('Rapport: B2B account experience platform')
    .version(VERSION)
    .showHelpAfterError();

  program
    .command('start')
    .description('Run the API, the web UI and the job workers (configure with env vars: see README)')
    .option('--no-build-ui', 'do not build the web UI even if it is missing or out of date')
    .addOption(new Option('--no-workers', 'run no job workers in this process (API only)'))
    .action(async (options: { buildUi: boolean; workers: boolean }) => {
      const config = loadConfig();
      const logger = createLogger(config);
      if (options.buildUi && webBuildIsStale()) {
        logger.info('building the web UI (first start or changed sources)…');
        await buildWeb();
      }
      // Loaded when needed: a command handed to a running server should not load the whole product.
      const { startServer } = await import('../runtime/server.ts');
      const server = await startServer(config, {
        logger,
        workers: options.workers && config.workers.enabled,
      });
      onShutdownSignal(server.stop, logger);
      const lines = [
        '',
        `  Rapport ${VERSION} is running at ${server.url}`,
        `  Database: ${server.runtime.db.kind === 'pglite' ? `embedded (${config.database.dataDir})` : 'PostgreSQL'}`,
      ];
      if (server.initialAdmin) {
        lines.push(`  Sign in as ${server.initialAdmin.email}`);
        if (server.initialAdmin.generatedPassword) {
          lines.push(
            `  with the password ${server.initialAdmin.generatedPassword}`,
            '  (shown this once: change it under Settings → Profile)',
          );
        } else {
          lines.push('  with the password from RAPPORT_ADMIN_PASSWORD');
        }
      }
      if (server.demo) {
        lines.push(
          `  Demo data: the directory "${server.demo.directory}" is being imported (import run ${server.demo.runId});`,
          '  start with RAPPORT_DEMO=0 for an empty database.',
        );
      }
      process.stdout.write(`${lines.join('\n')}\n\n`);
    });

  program
    .command('worker')
    .description('Run job workers only (needs DATABASE_URL; scale out beside `rapport start --no-workers`)')
    .action(async () => {
      const config = loadConfig();
      const logger = createLogger(config);
      const { startWorker } = await import('../runtime/server.ts');
      const worker = await startWorker(config, { logger });
      onShutdownSignal(worker.stop, logger);
      logger.info({ queues: worker.runtime.jobs.catalog.map((j) => j.name) }, 'worker running');
    });

  program
    .command('migrate')
    .description('Apply pending database migrations')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const result = (await runCliOperation('migrate', {})) as MigrationReport & { database: string };
      printResult(result, options.json === true, () =>
        result.applied.length
          ? `Applied ${result.applied.length} migration(s) on ${result.database}: ${result.applied.join(', ')}`
          : `The ${result.database} database is up to date (${result.alreadyApplied} migrations).`,
      );
    });

  program
    .command('build-ui')
    .description('Build the web UI into web/dist')
    .action(async () => {
      await buildWeb();
      process.stdout.write('Built the web UI into web/dist\n');
    });

  program
    .command('config')
    .description('Check the configuration from the environment and print it (secrets hidden)')
    .option('--json', 'print as JSON')
    .action((options: { json?: boolean }) => {
      const described = describeConfig(loadConfig());
      printResult(described, options.json === true, () =>
        Object.entries(described)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n'),
      );
    });

  const token = program.command('token').description('API tokens (Authorization: Bearer …)');
  token
    .command('create')
    .description('Create an API token and print it (shown once)')
    .requiredOption('--name <name>', 'what the token is for')
    .option('--user <email>', 'the user it acts as (default: the first administrator)')
    .option('--expires-in-days <days>', 'expire after this many days', positiveInt)
    .option('--json', 'print as JSON')
    .action(async (options: { name: string; user?: string; expiresInDays?: number; json?: boolean }) => {
      const result = (await runCliOperation('token.create', {
        name: options.name,
        ...(options.user ? { user: options.user } : {}),
        ...(options.expiresInDays ? { expiresInDays: options.expiresInDays } : {}),
      })) as { token: string; record: PublicToken };
      printResult(result, options.json === true, () =>
        options.json
          ? ''
          : `${result.token}\n\n(acts as ${result.record.userEmail}; shown once, keep it in a secret store)`,
      );
    });
  token
    .command('list')
    .description('List API tokens')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      const result = (await runCliOperation('token.list', {})) as PublicToken[];
      printResult(result, options.json === true, () =>
        table(
          result.map((t) => ({ ...t, status: t.revokedAt ? 'revoked' : 'active' })),
          ['id', 'name', 'prefix', 'userEmail', 'status', 'lastUsedAt', 'expiresAt'],
        ),
      );
    });
  token
    .command('revoke <id>')
    .description('Revoke an API token')
    .option('--json', 'print as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const result = (await runCliOperation('token.revoke', { id: positiveInt(id) })) as PublicToken;
      printResult(result, options.json === true, () => `Revoked token ${result.id} (${result.name})`);
    });

  const user = program.command('user').description('Users who sign in to Rapport');
  user
    .command('create')
    .description('Create a user with a generated password (printed once)')
    .requiredOption('--email <email>')
    .addOption(new Option('--role <role>').choices(USER_ROLES).makeOptionMandatory())
    .option('--name <name>', 'display name', '')
    .option('--json', 'print as JSON')
    .action(async (options: { email: string; role: string; name: string; json?: boolean }) => {
      const result = (await runCliOperation('user.create', options)) as {
        user: PublicUser;
        generatedPassword: string;
      };
      printResult(
        result,
        options.json === true,
        () =>
          `Created ${result.user.email} (${result.user.role}) with the password ${result.generatedPassword} (shown once)`,
      );
    });
  user
    .command('list')
    .description('List users')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      const result = (await runCliOperation('user.list', {})) as PublicUser[];
      printResult(result, options.json === true, () =>
        table(result, ['id', 'email', 'name', 'role', 'disabled', 'lastLoginAt']),
      );
    });
  user
    .command('reset-password')
    .description('Give a user a new generated password (printed once) and sign them out')
    .requiredOption('--email <email>')
    .option('--json', 'print as JSON')
    .action(async (options: { email: string; json?: boolean }) => {
      const result = (await runCliOperation('user.reset-password', { email: options.email })) as {
        generatedPassword: string;
      };
      printResult(
        result,
        options.json === true,
        () => `New password for ${options.email}: ${result.generatedPassword}`,
      );
    });

  const importCommand = program.command('import').description('Import data into a directory');
  importCommand
    .command('b2b')
    .description('Import Salesforce-shaped Account, Contact and AccountTeamMember files (paths or sftp://…)')
    .requiredOption('--directory <name>', 'directory to import into (created if it does not exist)')
    .option(
      '--accounts <file>',
      'Account file: a path, sftp://user@host[:port]/path, or sftp://<saved source>/path',
    )
    .option('--contacts <file>', 'Contact file')
    .option('--team <file>', 'AccountTeamMember file')
    .option(
      '--mapping <file.json>',
      "mapping file (default: the directory's saved mapping, else the standard one)",
    )
    .option(
      '--mailing-list <template>',
      'put the imported contacts in a new mailing list, e.g. "Import {{date}}"',
    )
    .option('--sftp-key <file>', 'private key for sftp://user@host files (else RAPPORT_SFTP_PASSWORD)')
    .option('--sftp-host-key <fingerprint>', 'expected SHA256:… host key of the one-off SFTP server')
    .option(
      '--sftp-archive <dir>',
      'after a successful import, move the one-off SFTP files into this remote folder',
    )
    .option('--json', 'print the run summary as JSON')
    .action(async (options: ImportOptions) => {
      const summary = await importB2bFromCli(options);
      printResult(summary, options.json === true, () => describeImport(summary));
      if (summary.status !== 'succeeded') process.exitCode = 1;
    });

  importCommand
    .command('status <runId>')
    .description('Show an import run: status, counts per object, first errors and warnings')
    .option('--json', 'print the run summary as JSON')
    .action(async (runId: string, options: { json?: boolean }) => {
      const summary = (await runCliOperation('import.status', {
        runId: positiveInt(runId),
      })) as ImportSummaryOutput;
      printResult(summary, options.json === true, () => describeImport(summary));
    });

  const directory = program.command('directory').description('Directory maintenance');
  directory
    .command('consolidate')
    .description("Merge duplicate contacts by the directory's deduplication rules (each merge can be undone)")
    .requiredOption('--directory <name>', 'directory name or id')
    .option('--dry-run', 'only list the groups that would be merged')
    .option('--json', 'print as JSON')
    .action(async (options: { directory: string; dryRun?: boolean; json?: boolean }) => {
      const result = (await runCliOperation('directory.consolidate', {
        directory: options.directory,
        dryRun: options.dryRun === true,
      })) as {
        dryRun: boolean;
        merged: number;
        groups: { matchedOn: string; key: string; survivorId: number; mergedIds: number[] }[];
      };
      printResult(result, options.json === true, () =>
        [
          `${result.dryRun ? 'Would merge' : 'Merged'} ${result.merged} duplicate contact(s) in ${result.groups.length} group(s).`,
          ...result.groups
            .slice(0, 50)
            .map((g) => `  ${g.matchedOn} ${g.key}: ${g.mergedIds.join(', ')} → ${g.survivorId}`),
          result.dryRun
            ? ''
            : 'Undo one with `rapport directory unmerge <merge id>` (ids in GET /api/v1/directories/<dir>/contact-merges).',
        ].join('\n'),
      );
    });
  directory
    .command('unmerge <mergeId>')
    .description('Undo one merge of a consolidation')
    .option('--json', 'print as JSON')
    .action(async (mergeId: string, options: { json?: boolean }) => {
      const result = (await runCliOperation('directory.unmerge', { mergeId: positiveInt(mergeId) })) as {
        restoredId: number;
        survivorId: number;
        restoredFields: string[];
      };
      printResult(
        result,
        options.json === true,
        () => `Contact ${result.restoredId} is back, separate from ${result.survivorId}.`,
      );
    });

  registerDistributeCommand(program);
  registerWorkflowCommand(program);
  registerSalesforceCommands(program);

  program
    .command('jobs')
    .description('Background job queues: counts and schedules')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      const result = (await runCliOperation('jobs.queues', {})) as QueueSummary[];
      printResult(result, options.json === true, () =>
        table(
          result.map((q) => ({ ...q, schedule: q.schedule ? `${q.schedule.cron} (${q.schedule.tz})` : '' })),
          ['name', 'queued', 'active', 'completed', 'failed', 'schedule'],
        ),
      );
    });

  return program;
}

/** Turns an error into a message a person can act on, and the process's exit code. */
export function describeFailure(error: unknown): { message: string; exitCode: number } {
  if (error instanceof ConfigError) return { message: error.message, exitCode: 2 };
  if (error instanceof DataDirLockedError) return { message: error.message, exitCode: 1 };
  if (error instanceof AppError) {
    const details = error.details ? `\n${JSON.stringify(error.details, null, 2)}` : '';
    return { message: `${error.message}${details}`, exitCode: 1 };
  }
  if (error instanceof Error && error.name === 'ZodError') {
    return { message: `Invalid input: ${error.message}`, exitCode: 2 };
  }
  return { message: error instanceof Error ? (error.stack ?? error.message) : String(error), exitCode: 1 };
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    const { message, exitCode } = describeFailure(error);
    process.stderr.write(`rapport: ${message}\n`);
    process.exitCode = exitCode;
  }
}
