import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ZMapping } from '../imports/mapping.ts';
import { table } from './output.ts';
import { runCliOperation } from './run-operation.ts';
import { downloadSftpUrls, parseSftpUrl } from './sftp-url.ts';

export interface ImportOptions {
  directory: string;
  accounts?: string;
  contacts?: string;
  team?: string;
  mapping?: string;
  mailingList?: string;
  sftpKey?: string;
  sftpHostKey?: string;
  sftpArchive?: string;
  json?: boolean;
}

interface Counts {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  rejected: number;
}

export interface ImportSummaryOutput {
  runId: number;
  status: string;
  objects: Record<string, Counts> | null;
  mailingListId: number | null;
  failure: string | null;
  errorCount: number;
  warningCount: number;
  warnings: {
    object: string;
    file: string;
    line: number | null;
    field: string | null;
    value: string | null;
    reason: string;
  }[];
  errors: {
    object: string;
    file: string;
    line: number | null;
    field: string | null;
    value: string | null;
    reason: string;
  }[];
}

function readMapping(file: string): unknown {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read the mapping ${file}: ${(error as Error).message}`);
  }
  const parsed = ZMapping.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`The mapping ${file} is not valid:\n${lines.join('\n')}`);
  }
  return json;
}

export async function importB2bFromCli(options: ImportOptions): Promise<ImportSummaryOutput> {
  const files: Record<string, string> = {};
  if (options.accounts) files.accounts = options.accounts;
  if (options.contacts) files.contacts = options.contacts;
  if (options.team) files.teamMembers = options.team;
  if (Object.keys(files).length === 0)
    throw new Error('Give at least one file: --accounts, --contacts or --team');
  const mapping = options.mapping ? readMapping(options.mapping) : undefined;

  const oneOff = Object.fromEntries(Object.entries(files).filter(([, f]) => parseSftpUrl(f)));
  const downloads = Object.keys(oneOff).length
    ? await downloadSftpUrls(
        oneOff,
        { keyFile: options.sftpKey, hostKey: options.sftpHostKey, archiveDir: options.sftpArchive },
        (line) => process.stderr.write(`${line}\n`),
      )
    : null;
  try {
    const resolved = Object.fromEntries(
      Object.entries(files).map(([object, f]) => [
        object,
        downloads?.local[object] ?? (f.startsWith('sftp://') ? f : path.resolve(f)),
      ]),
    );
    if (process.stderr.isTTY && !options.json) process.stderr.write('Importing…\n');
    const summary = (await runCliOperation('import.b2b', {
      directory: options.directory,
      ...resolved,
      ...(mapping ? { mapping } : {}),
      ...(options.mailingList ? { mailingList: options.mailingList } : {}),
    })) as ImportSummaryOutput;
    if (summary.status === 'succeeded' && downloads) {
      const moved = await downloads.archive();
      for (const m of moved) process.stderr.write(`archived ${m}\n`);
    }
    return summary;
  } finally {
    await downloads?.cleanup();
  }
}

export function describeImport(summary: ImportSummaryOutput): string {
  const lines = [`Import run ${summary.runId}: ${summary.status}`];
  if (summary.failure) lines.push(summary.failure);
  if (summary.objects) {
    lines.push(
      '',
      table(
        Object.entries(summary.objects).map(([object, c]) => ({ object, ...c })),
        ['object', 'created', 'updated', 'unchanged', 'deleted', 'rejected'],
      ),
    );
  }
  if (summary.mailingListId)
    lines.push('', `Mailing list ${summary.mailingListId} holds the imported contacts.`);
  const show = (label: string, items: ImportSummaryOutput['errors'], total: number) => {
    if (total === 0) return;
    lines.push('', `${label} (${total}):`);
    for (const i of items.slice(0, 20)) {
      const where = [path.basename(i.file), i.line ? `line ${i.line}` : null, i.field]
        .filter(Boolean)
        .join(', ');
      lines.push(`  ${where}: ${i.reason}${i.value ? ` (${JSON.stringify(i.value)})` : ''}`);
    }
    if (total > 20)
      lines.push(`  … and ${total - 20} more (GET /api/v1/imports/${summary.runId}/errors.csv)`);
  };
  show('Errors', summary.errors, summary.errorCount);
  show('Warnings', summary.warnings, summary.warningCount);
  return lines.join('\n');
}
