import { createTicketTask } from './create-ticket.ts';
import { distributeSurveyTask } from './distribute-survey.ts';
import { emailTask } from './email.ts';
import { loadB2bTask } from './load-b2b.ts';
import { salesforceLeadTask } from './salesforce-lead.ts';
import { salesforceSyncTask } from './salesforce-sync.ts';
import { salesforceWritebackTask } from './salesforce-writeback.ts';
import { sftpExtractTask } from './sftp-extract.ts';
import { slackTask } from './slack.ts';
import type { AnyTaskType } from './task-type.ts';
import { teamsTask } from './teams.ts';
import { updateContactTask } from './update-contact.ts';
import { webhookTask } from './webhook.ts';

/**
 * Every task type a workflow can use, in palette order. A new type is one file under tasks/
 * (its Zod input and output, its run function) added here; the engine, the save-time checks, the
 * API's palette and the editor's forms all read this list.
 */
export const TASK_TYPES: AnyTaskType[] = [
  salesforceSyncTask,
  sftpExtractTask,
  loadB2bTask,
  distributeSurveyTask,
  updateContactTask,
  createTicketTask,
  salesforceWritebackTask,
  salesforceLeadTask,
  emailTask,
  slackTask,
  teamsTask,
  webhookTask,
];

const byType = new Map(TASK_TYPES.map((t) => [t.type, t]));
if (byType.size !== TASK_TYPES.length) throw new Error('Two workflow task types share a name');

export const taskType = (type: string): AnyTaskType | undefined => byType.get(type);
