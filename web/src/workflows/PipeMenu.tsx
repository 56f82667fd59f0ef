import { ActionIcon, Menu, ScrollArea, Text, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Scope, Variable } from './types.ts';

/**
 * The seed's `{a}` menu: the values a task may pipe in — the event's fields, the earlier tasks'
 * outputs, the workflow and the run — each inserted as `{{ path }}`. `wholeValue`: the field takes
 * a value of its own type (a number, a list), so objects and lists are offered too.
 */
export function PipeMenu({
  scope,
  onPick,
  wholeValue = false,
}: {
  scope: Scope | undefined;
  onPick: (reference: string) => void;
  wholeValue?: boolean;
}) {
  const { t } = useTranslation();
  const usable = (vars: Variable[]) => vars.filter((v) => wholeValue || v.leaf);
  const section = (label: string, vars: Variable[], key: string) => {
    const items = usable(vars);
    if (items.length === 0) return null;
    return [
      <Menu.Label key={`${key}-label`}>{label}</Menu.Label>,
      ...items.map((v) => (
        <Menu.Item key={`${key}-${v.path}`} onClick={() => onPick(`{{ ${v.path} }}`)} data-testid="pipe-item">
          <Text size="sm" ff="monospace">
            {v.path}
          </Text>
          <Text size="xs" c="dimmed">
            {v.type}
          </Text>
        </Menu.Item>
      )),
    ];
  };
  return (
    <Menu position="bottom-end" withinPortal shadow="md" width={380}>
      <Menu.Target>
        <Tooltip label={t('workflows.pipe.tooltip')}>
          <ActionIcon
            variant="light"
            size="sm"
            aria-label={t('workflows.pipe.tooltip')}
            data-testid="pipe-menu"
          >
            <Text size="xs" fw={700}>
              {'{a}'}
            </Text>
          </ActionIcon>
        </Tooltip>
      </Menu.Target>
      <Menu.Dropdown>
        <ScrollArea.Autosize mah={360}>
          {!scope && <Menu.Label>{t('workflows.pipe.none')}</Menu.Label>}
          {scope && section(t('workflows.pipe.event'), scope.event, 'event')}
          {scope?.tasks.map((task) =>
            section(`${t('workflows.pipe.task')} ${task.label} (${task.key})`, task.variables, task.key),
          )}
          {scope && section(t('workflows.pipe.workflow'), [...scope.workflow, ...scope.run], 'workflow')}
        </ScrollArea.Autosize>
      </Menu.Dropdown>
    </Menu>
  );
}

/** Puts `text` at the cursor of an input (or at its end). */
export function insertAt(
  current: string,
  text: string,
  element: HTMLInputElement | HTMLTextAreaElement | null,
): string {
  if (!element || element.selectionStart === null)
    return `${current}${current && !current.endsWith(' ') ? ' ' : ''}${text}`;
  const start = element.selectionStart;
  const end = element.selectionEnd ?? start;
  return `${current.slice(0, start)}${text}${current.slice(end)}`;
}
