import type { PipeContext } from '../piping.ts';

/**
 * What the Salesforce connector's templates read for a workflow's source record: the response
 * names as the connector's own response mapping uses them (`{{ response.answers.nps }}`,
 * `{{ embedded.sfContactId }}`, `{{ contact.email }}`), plus the whole event and the earlier
 * tasks' outputs (`{{ event.salesforce.fields.CaseNumber }}`, `{{ tasks.ticket.key }}`).
 */
export function salesforceTemplateData(
  pipe: PipeContext,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const event = (pipe.event ?? {}) as Record<string, unknown>;
  const response = (event.response ?? null) as Record<string, unknown> | null;
  return {
    event,
    tasks: pipe.tasks,
    workflow: pipe.workflow,
    run: pipe.run,
    response,
    answers: response?.answers ?? {},
    embedded: response?.embedded ?? {},
    contact: event.contact ?? null,
    account: event.account ?? null,
    ...extra,
  };
}

/** The record's key for the connector's once-only ledgers: the response when there is one. */
export function sourceKeyOf(pipe: PipeContext, given: string | undefined, fallback: string): string {
  if (given) return given;
  const response = (pipe.event as { response?: { id?: number } } | null)?.response;
  return response?.id ? `response:${response.id}` : fallback;
}
