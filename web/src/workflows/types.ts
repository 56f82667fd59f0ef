/** The workflows API's shapes, as the UI uses them. */

export type JsonSchema = Record<string, unknown>;

export interface Variable {
  path: string;
  type: string;
  leaf: boolean;
}

export interface Scope {
  event: Variable[];
  tasks: { key: string; label: string; variables: Variable[] }[];
  workflow: Variable[];
  run: Variable[];
}

export interface Problem {
  path: string;
  message: string;
}

export interface TaskEntry {
  key: string;
  type: string;
  name?: string;
  input: Record<string, unknown>;
  retry?: { limit: number; delaySeconds: number };
}

export type Schedule =
  | { kind: 'daily'; time: string; timeZone: string }
  | { kind: 'weekly'; days: string[]; time: string; timeZone: string }
  | { kind: 'cron'; cron: string; timeZone: string };

export type Trigger =
  | { type: 'schedule'; schedule: Schedule }
  | {
      type: 'event';
      event: string;
      filter: { surveyId?: number; salesforceTriggerId?: number; field?: string };
    }
  | { type: 'manual' };

export interface ConditionRule {
  field: string;
  op: string;
  value?: unknown;
}
export interface ConditionGroup {
  match: 'all' | 'any';
  rules: (ConditionRule | ConditionGroup)[];
}
export const isGroup = (r: ConditionRule | ConditionGroup): r is ConditionGroup => 'match' in r;

export interface Definition {
  name: string;
  description: string;
  enabled: boolean;
  ownerEmail?: string;
  trigger: Trigger;
  conditions: ConditionGroup | null;
  tasks: TaskEntry[];
}

export interface Workflow extends Definition {
  id: number;
  directoryId: number;
  ownerEmail: string;
  version: number;
  template: string | null;
  enabledAt: string | null;
  nextRuns: string[];
  lastRun: { id: number; status: RunStatus; createdAt: string } | null;
  createdBy: string;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface TaskType {
  type: string;
  category: string;
  label: string;
  description: string;
  input: JsonSchema;
  output: JsonSchema;
  outputVariables: Variable[];
  secrets: string[];
  templateFields: string[];
  retry: { limit: number; delaySeconds: number } | null;
}

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type TaskStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export interface Run {
  id: number;
  workflowId: number;
  workflowName?: string;
  workflowVersion: number;
  status: RunStatus;
  trigger: {
    kind: string;
    key: string;
    eventId: number | null;
    eventType: string | null;
    slot: string | null;
  };
  rerunOf: number | null;
  error: string | null;
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  failureNotifiedAt: string | null;
}

export interface TaskRun {
  position: number;
  key: string;
  type: string;
  name: string | null;
  status: TaskStatus;
  input: unknown;
  output: unknown;
  error: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface RunDetail extends Run {
  directoryId: number;
  triggerData: unknown;
  tasks: TaskRun[];
}

export interface Template {
  key: string;
  name: string;
  description: string;
  parameters: JsonSchema;
}

export const TRIGGER_EVENTS = [
  'response.created',
  'response.completed',
  'import.completed',
  'salesforce.outbound_message',
  'distribution.completed',
  'contact.attribute_changed',
  'ticket.created',
  'ticket.updated',
  'ticket.resolved',
  'ticket.closed',
  'ticket.overdue',
  'ticket.deleted',
] as const;

export const CONDITION_OPS = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'not_contains',
  'in',
  'not_in',
  'is_empty',
  'is_not_empty',
] as const;

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export const RUN_STATUS_COLOR: Record<string, string> = {
  queued: 'gray',
  running: 'blue',
  succeeded: 'green',
  failed: 'red',
  cancelled: 'gray',
  pending: 'gray',
  skipped: 'gray',
};
