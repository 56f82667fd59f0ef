import { type Command, InvalidArgumentError } from 'commander';
import type { PublicWorkflow } from '../workflows/workflows.service.ts';
import { printResult, table } from './output.ts';
import { runCliOperation } from './run-operation.ts';

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

interface RunView {
  id: number;
  workflowId: number;
  workflowName?: string;
  status: string;
  error: string | null;
  durationMs: number | null;
  tasks: {
    key: string;
    type: string;
    status: string;
    attempts: number;
    durationMs: number | null;
    error: string | null;
    output: unknown;
  }[];
}

function describeRun(run: RunView): string {
  const lines = [
    `Run ${run.id} of workflow ${run.workflowId}${run.workflowName ? ` "${run.workflowName}"` : ''}: ${run.status}${run.durationMs !== null ? ` in ${run.durationMs} ms` : ''}`,
  ];
  for (const t of run.tasks)
    lines.push(
      `  ${t.status.padEnd(9)} ${t.key} (${t.type})${t.attempts > 1 ? `, ${t.attempts} attempts` : ''}${t.durationMs !== null ? `, ${t.durationMs} ms` : ''}${t.error ? ` — ${t.error}` : ''}`,
    );
  if (run.error) lines.push(`  ${run.error}`);
  return lines.join('\n');
}

const triggerText = (w: PublicWorkflow) => {
  const t = w.trigger as {
    type: string;
    event?: string;
    schedule?: { kind: string; time?: string; cron?: string; timeZone: string };
  };
  if (t.type === 'event') return t.event ?? 'event';
  if (t.type === 'schedule' && t.schedule)
    return `${t.schedule.kind} ${t.schedule.time ?? t.schedule.cron ?? ''} ${t.schedule.timeZone}`.trim();
  return t.type;
};

/** `rapport workflow list|run|status`: workflows from the shell (`run` is the seed's "run now"). */
export function registerWorkflowCommand(program: Command) {
  const workflow = program
    .command('workflow')
    .description('Workflows: scheduled and event-started automations');
  workflow
    .command('list')
    .description('List workflows with their trigger and last run')
    .option('--directory <name>', 'only this directory (name or id)')
    .option('--json', 'print as JSON')
    .action(async (options: { directory?: string; json?: boolean }) => {
      const result = (await runCliOperation(
        'workflow.list',
        options.directory ? { directory: options.directory } : {},
      )) as PublicWorkflow[];
      printResult(result, options.json === true, () =>
        table(
          result.map((w) => ({
            id: w.id,
            directory: w.directoryId,
            name: w.name,
            enabled: w.enabled ? 'yes' : 'no',
            trigger: triggerText(w),
            tasks: w.tasks.map((t) => t.key).join(' → '),
            lastRun: w.lastRun ? `${w.lastRun.id} ${w.lastRun.status}` : '',
          })),
          ['id', 'directory', 'name', 'enabled', 'trigger', 'tasks', 'lastRun'],
        ),
      );
    });
  workflow
    .command('run <id>')
    .description('Run a workflow now and follow it to its end (a scheduled one as if its time came)')
    .option('--event <eventId>', 'for a workflow started by events: run it on this domain event', positiveInt)
    .option('--no-wait', 'only queue the run: the workers do it')
    .option('--json', 'print the run as JSON')
    .action(async (id: string, options: { event?: number; wait: boolean; json?: boolean }) => {
      const run = (await runCliOperation('workflow.run', {
        id: positiveInt(id),
        wait: options.wait,
        ...(options.event ? { eventId: options.event } : {}),
      })) as RunView;
      printResult(run, options.json === true, () => describeRun(run));
      if (run.status === 'failed') process.exitCode = 1;
    });
  workflow
    .command('status <runId>')
    .description("Show a run: each task's status, attempts, duration and error")
    .option('--json', 'print the run as JSON')
    .action(async (runId: string, options: { json?: boolean }) => {
      const run = (await runCliOperation('workflow.run-status', { runId: positiveInt(runId) })) as RunView;
      printResult(run, options.json === true, () => describeRun(run));
    });
}
