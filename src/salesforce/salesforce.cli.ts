import { type Command, InvalidArgumentError } from 'commander';
import { printResult, table } from '../cli/output.ts';
import { runCliOperation } from '../cli/run-operation.ts';
import type { PublicSyncRun } from './sync/sync-config.service.ts';

const whole = (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
};

interface SyncOutput {
  run: PublicSyncRun;
  import: {
    runId: number;
    status: string;
    objects: Record<string, Record<string, number>> | null;
    mailingListId: number | null;
    failure: string | null;
    errorCount: number;
    warningCount: number;
    errors: {
      object: string;
      line: number | null;
      field: string | null;
      value: string | null;
      reason: string;
    }[];
    warnings: {
      object: string;
      line: number | null;
      field: string | null;
      value: string | null;
      reason: string;
    }[];
  } | null;
}

export function describeSync(result: SyncOutput): string {
  const { run } = result;
  const lines = [
    `Salesforce sync run ${run.id} (${run.mode}${run.reconciled ? ', reconciled' : ''}): ${run.status}` +
      (run.timings.totalMs ? ` in ${(run.timings.totalMs / 1000).toFixed(1)} s` : ''),
  ];
  if (run.error) lines.push(`  ${run.error}`);
  const extracted = Object.entries(run.extracted).map(([object, e]) => ({ object, ...e }));
  if (extracted.length) {
    lines.push(
      '',
      table(extracted as Record<string, unknown>[], [
        'object',
        'method',
        'pages',
        'rows',
        'deleted',
        'getDeleted',
        'gone',
        'fileRows',
      ]),
    );
  }
  const lists = run.extracted.Campaign?.lists as
    | { lists: number; added: number; removed: number }
    | undefined;
  if (lists)
    lines.push('', `Campaign mailing lists: ${lists.lists} (+${lists.added} −${lists.removed} members)`);
  if (run.apiUsage)
    lines.push(
      '',
      `API: ${run.apiCalls} call(s); the org has used ${run.apiUsage.after ?? '?'} of ${run.apiUsage.max ?? '?'} daily requests (this sync may use ${run.apiUsage.percent}%)`,
    );
  const report = result.import;
  if (report) {
    lines.push(
      '',
      `Import run ${report.runId}: ${report.status}${report.failure ? ` — ${report.failure}` : ''}`,
    );
    if (report.objects)
      lines.push(
        table(
          Object.entries(report.objects).map(([object, counts]) => ({ object, ...counts })),
          ['object', 'created', 'updated', 'unchanged', 'deleted', 'rejected'],
        ),
      );
    if (report.mailingListId) lines.push(`New mailing list: ${report.mailingListId}`);
    lines.push(`${report.errorCount} error(s), ${report.warningCount} warning(s)`);
    for (const issue of [...report.errors, ...report.warnings].slice(0, 20))
      lines.push(
        `  ${issue.object}${issue.line ? ` line ${issue.line}` : ''}${issue.field ? ` ${issue.field}` : ''}: ${issue.reason}`,
      );
  } else if (run.status === 'succeeded') {
    lines.push('', 'Nothing changed in Salesforce since the last run: no import was needed.');
  }
  return lines.join('\n');
}

/** `rapport sync salesforce …` and `rapport demo salesforce`. */
export function registerSalesforceCommands(program: Command) {
  const sync = program.command('sync').description('Synchronise a directory with an outside system');
  sync
    .command('salesforce')
    .description(
      "Run a directory's Salesforce sync now (delta since the last run, or --full) and print the import summary",
    )
    .requiredOption('--directory <name>', 'directory name or id')
    .option('--full', 're-extract every record instead of the changes since the last run')
    .option('--reconcile', 'also list every Id to find records purged from Salesforce')
    .option('--json', 'print the run and its import summary as JSON')
    .action(async (options: { directory: string; full?: boolean; reconcile?: boolean; json?: boolean }) => {
      const result = (await runCliOperation('salesforce.sync', {
        directory: options.directory,
        full: options.full === true,
        reconcile: options.reconcile === true,
      })) as SyncOutput;
      printResult(result, options.json === true, () => describeSync(result));
      if (result.run.status !== 'succeeded') process.exitCode = 1;
    });

  const demo = program.command('demo').description('Offline demos');
  demo
    .command('salesforce')
    .description("Start a Salesforce API emulator with the seed's Cloud Kicks org, to connect Rapport to it")
    .option('--port <port>', 'port on 127.0.0.1', whole, 8484)
    .option(
      '--accounts <n>',
      'also generate this many accounts (5 contacts and 2 team members each)',
      whole,
      0,
    )
    .option('--client-id <key>', 'consumer key of the emulated connected app', 'RapportDemoConsumerKey')
    .option('--client-secret <secret>', 'consumer secret', 'RapportDemoConsumerSecret')
    .option('--json', 'print the connection details as JSON')
    .action(
      async (options: {
        port: number;
        accounts: number;
        clientId: string;
        clientSecret: string;
        json?: boolean;
      }) => {
        const { startDemoEmulator, demoInstructions } = await import('./demo.ts');
        const demo = await startDemoEmulator(options);
        printResult(demo.details, options.json === true, () => demoInstructions(demo.details));
        const stop = () => {
          void demo.close().then(() => process.exit(0));
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      },
    );
}
