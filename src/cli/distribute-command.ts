import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { printResult } from './output.ts';
import { runCliOperation } from './run-operation.ts';

interface DistributeOptions {
  directory?: string;
  survey?: string;
  name?: string;
  list?: string;
  contacts?: string;
  roles?: string;
  channel: 'email' | 'sms';
  subject?: string;
  text?: string;
  textFile?: string;
  htmlFile?: string;
  fromName?: string;
  from?: string;
  replyTo?: string;
  smsMode?: 'one_way' | 'two_way';
  phoneField?: 'mobilePhone' | 'phone' | 'mobileThenPhone';
  at?: string;
  tz?: string;
  draft?: boolean;
  json?: boolean;
}

interface Shown {
  id: number;
  name: string;
  status: string;
  channel: string;
  scheduledLocal: string | null;
  timeZone: string;
  error: string | null;
  stats: Record<string, unknown>;
}

function describe(d: Shown): string {
  const s = d.stats as Record<string, number>;
  return [
    `Distribution ${d.id} "${d.name}" (${d.channel}): ${d.status}${d.error ? ` — ${d.error}` : ''}`,
    d.scheduledLocal ? `  scheduled ${d.scheduledLocal} ${d.timeZone}` : '',
    `  selected ${s.selected}, opted out ${s.optedOut}, missing email ${s.missingEmail}, missing phone ${s.missingPhone}, in list ${s.inList}`,
    `  delivered ${s.delivered}, bounced ${s.bounced}, failed ${s.failed}, started ${s.started}, completed ${s.completed}`,
  ]
    .filter(Boolean)
    .join('\n');
}

const list = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/** `rapport distribute …`: send a survey by email or SMS from the shell, and follow it. */
export function registerDistributeCommand(program: Command) {
  const distribute = program
    .command('distribute')
    .description(
      'Send a survey to a mailing list, contacts or client roles by email or SMS (now, later or as a draft)',
    )
    .option('--directory <name>', 'directory (required)')
    .option('--survey <id|name>', 'the survey, active (required)')
    .option('--name <name>', 'name of the distribution')
    .option('--list <id|name>', 'recipients: a mailing list')
    .option('--contacts <ids>', 'recipients: contact ids, comma-separated')
    .option(
      '--roles <roles>',
      'recipients: contacts holding these client roles, e.g. DECISION_MAKER,INFLUENCER',
    )
    .option('--channel <email|sms>', 'email or sms', 'email')
    .option('--subject <text>', 'email subject (LiquidJS: {{ contact.firstName }} …)')
    .option('--text <text>', 'the plain-text body or SMS, with {{ link }}')
    .option('--text-file <file>', 'read the plain-text body or SMS from a file')
    .option('--html-file <file>', 'read the HTML body from a file')
    .option('--from-name <name>', 'sender name')
    .option('--from <address>', 'sender address (default: the provider’s)')
    .option('--reply-to <address>', 'reply-to address')
    .option('--sms-mode <one_way|two_way>', 'SMS: a link, or the survey answered by text')
    .option('--phone-field <field>', 'SMS: mobilePhone, phone or mobileThenPhone')
    .option('--at <time>', 'send later: local time 2026-12-01T09:00 (with --tz) or an ISO instant')
    .option('--tz <zone>', 'IANA time zone of --at, e.g. Europe/Paris', 'UTC')
    .option('--draft', 'save as a draft, do not send')
    .option('--json', 'print the distribution as JSON')
    .action(async (options: DistributeOptions) => {
      if (!options.directory || !options.survey) throw new Error('Give --directory and --survey');
      const text = options.textFile ? readFileSync(options.textFile, 'utf8') : options.text;
      if (!text) throw new Error('Give the message with --text or --text-file');
      const result = (await runCliOperation('distribution.create', {
        directory: options.directory,
        survey: options.survey,
        name: options.name,
        list: options.list,
        contacts: options.contacts ? list(options.contacts).map(Number) : undefined,
        roles: options.roles ? list(options.roles) : undefined,
        channel: options.channel,
        subject: options.subject,
        text,
        html: options.htmlFile ? readFileSync(options.htmlFile, 'utf8') : undefined,
        fromName: options.fromName,
        from: options.from,
        replyTo: options.replyTo,
        smsMode: options.smsMode,
        phoneField: options.phoneField,
        at: options.at,
        timeZone: options.tz,
        draft: options.draft,
      })) as Shown;
      printResult(result, options.json === true, () => describe(result));
    });

  distribute
    .command('status <id>')
    .description('A distribution’s status and statistics')
    .option('--json', 'print as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const result = (await runCliOperation('distribution.status', { id: Number(id) })) as Shown;
      // `distribute` has its own --json, which commander gives the flag to wherever it stands.
      const json = options.json === true || distribute.opts().json === true;
      printResult(result, json, () => describe(result));
    });
}
