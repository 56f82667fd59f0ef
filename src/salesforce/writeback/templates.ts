import { type RenderContext, renderTemplate, templateProblem } from '../../distributions/message.ts';

/**
 * Piped text for Salesforce fields, with the LiquidJS sandbox distributions use:
 * `{{ response.answers.nps }}`, `{{ embedded.sfContactId }}`, `{{ contact.email }}`,
 * `{{ event.fields.CaseNumber }}` … A condition is a Liquid expression
 * (`response.answers.nps >= 9 and embedded.sfContactId != blank`).
 */

export type TemplateData = Record<string, unknown>;

export const render = (source: string, data: TemplateData): string =>
  renderTemplate(source, data as unknown as RenderContext).trim();

const conditionTemplate = (condition: string) => `{% if ${condition} %}1{% endif %}`;

export function conditionHolds(condition: string | null | undefined, data: TemplateData): boolean {
  if (!condition?.trim()) return true;
  return render(conditionTemplate(condition), data) === '1';
}

/** Problems of templates and a condition, by path (null when they parse). */
export function templateProblems(
  fields: Record<string, string>,
  condition: string | null | undefined,
  extra: Record<string, string | null | undefined> = {},
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  for (const [name, source] of Object.entries(fields)) {
    const problem = templateProblem(source);
    if (problem) problems.push({ path: `fields.${name}`, message: problem });
  }
  for (const [path, source] of Object.entries(extra)) {
    const problem = source ? templateProblem(source) : null;
    if (problem) problems.push({ path, message: problem });
  }
  if (condition?.trim()) {
    if (/%\}|\{%|\}\}|\{\{/.test(condition))
      problems.push({
        path: 'condition',
        message: 'write the condition as a bare expression (no {% %} or {{ }})',
      });
    else {
      const problem = templateProblem(conditionTemplate(condition));
      if (problem) problems.push({ path: 'condition', message: problem });
    }
  }
  return problems;
}

/** A rendered value as Salesforce wants it for the field's type ('' is null: the field is cleared). */
export function fieldValue(text: string, type: string | undefined): string | number | boolean | null {
  if (text === '') return null;
  switch (type) {
    case 'double':
    case 'currency':
    case 'percent':
    case 'int': {
      const n = Number(text.replace(',', '.'));
      return Number.isFinite(n) ? n : text;
    }
    case 'boolean':
      return /^(true|1|yes)$/i.test(text) ? true : /^(false|0|no)$/i.test(text) ? false : text;
    default:
      return text;
  }
}
