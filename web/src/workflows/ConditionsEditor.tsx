import {
  ActionIcon,
  Button,
  Card,
  Group,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { CONDITION_OPS, type ConditionGroup, type ConditionRule, isGroup, type Variable } from './types.ts';

const NO_VALUE = new Set(['is_empty', 'is_not_empty']);
const LIST_VALUE = new Set(['in', 'not_in']);

/** What a value typed in the form means: a number when it looks like one, a list for in / not in. */
function parseValue(op: string, text: string): unknown {
  const one = (s: string) => (/^-?\d+(\.\d+)?$/.test(s.trim()) ? Number(s) : s.trim());
  if (LIST_VALUE.has(op))
    return text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(one);
  return text === '' ? undefined : one(text);
}
const valueText = (value: unknown) =>
  Array.isArray(value) ? value.join(', ') : value === undefined || value === null ? '' : String(value);

/** Conditions on the event's data: all / any of rules (field, comparison, value), groups nested. */
export function ConditionsEditor({
  group,
  onChange,
  fields,
  error,
  path = 'conditions',
  nested = false,
}: {
  group: ConditionGroup;
  onChange: (group: ConditionGroup | null) => void;
  fields: Variable[];
  error: (path: string) => string | undefined;
  path?: string;
  nested?: boolean;
}) {
  const { t } = useTranslation();
  const options = fields
    .filter((f) => f.leaf || f.type.startsWith('list'))
    .map((f) => ({
      value: f.path.replace(/^event\./, ''),
      label: `${f.path.replace(/^event\./, '')} (${f.type})`,
    }));
  const setRule = (i: number, rule: ConditionRule | ConditionGroup | null) => {
    const rules = group.rules.flatMap((r, j) => (j === i ? (rule ? [rule] : []) : [r]));
    onChange(rules.length || nested ? { ...group, rules } : null);
  };
  return (
    <Card withBorder p="xs" bg={nested ? 'gray.0' : undefined}>
      <Stack gap="xs">
        <Group gap="xs">
          <SegmentedControl
            size="xs"
            value={group.match}
            data={[
              { value: 'all', label: t('workflows.conditions.all') },
              { value: 'any', label: t('workflows.conditions.any') },
            ]}
            onChange={(match) => onChange({ ...group, match: match as 'all' | 'any' })}
          />
          <Text size="xs" c="dimmed">
            {t('workflows.conditions.ofThese')}
          </Text>
        </Group>
        {group.rules.map((rule, i) =>
          isGroup(rule) ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: rules are positions
            <Group key={`g${i}`} align="flex-start" wrap="nowrap">
              <div style={{ flex: 1 }}>
                <ConditionsEditor
                  group={rule}
                  nested
                  fields={fields}
                  error={error}
                  path={`${path}.rules[${i}]`}
                  onChange={(g) => setRule(i, g)}
                />
              </div>
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={t('common.delete')}
                onClick={() => setRule(i, null)}
              >
                <IconTrash size={16} />
              </ActionIcon>
            </Group>
          ) : (
            // biome-ignore lint/suspicious/noArrayIndexKey: rules are positions
            <Group key={i} align="flex-start" gap="xs" wrap="nowrap" data-testid="condition-rule">
              <Select
                w={320}
                searchable
                placeholder={t('workflows.conditions.field')}
                data={
                  options.some((o) => o.value === rule.field) || !rule.field
                    ? options
                    : [...options, { value: rule.field, label: rule.field }]
                }
                value={rule.field || null}
                error={error(`${path}.rules[${i}].field`)}
                onChange={(field) => setRule(i, { ...rule, field: field ?? '' })}
              />
              <Select
                w={170}
                data={CONDITION_OPS.map((op) => ({ value: op, label: t(`workflows.conditions.ops.${op}`) }))}
                value={rule.op}
                error={error(`${path}.rules[${i}].op`)}
                onChange={(op) =>
                  op &&
                  setRule(i, { field: rule.field, op, ...(NO_VALUE.has(op) ? {} : { value: rule.value }) })
                }
              />
              {!NO_VALUE.has(rule.op) && (
                <TextInput
                  style={{ flex: 1 }}
                  placeholder={
                    LIST_VALUE.has(rule.op)
                      ? t('workflows.conditions.listHint')
                      : t('workflows.conditions.value')
                  }
                  value={valueText(rule.value)}
                  error={error(`${path}.rules[${i}].value`)}
                  onChange={(e) => setRule(i, { ...rule, value: parseValue(rule.op, e.currentTarget.value) })}
                />
              )}
              <ActionIcon
                variant="subtle"
                color="red"
                mt={6}
                aria-label={t('common.delete')}
                onClick={() => setRule(i, null)}
              >
                <IconTrash size={16} />
              </ActionIcon>
            </Group>
          ),
        )}
        <Group gap="xs">
          <Button
            size="xs"
            variant="light"
            leftSection={<IconPlus size={14} />}
            onClick={() =>
              onChange({ ...group, rules: [...group.rules, { field: '', op: 'eq', value: '' }] })
            }
            data-testid="add-condition"
          >
            {t('workflows.conditions.add')}
          </Button>
          {!nested && (
            <Button
              size="xs"
              variant="subtle"
              onClick={() =>
                onChange({
                  ...group,
                  rules: [...group.rules, { match: group.match === 'all' ? 'any' : 'all', rules: [] }],
                })
              }
            >
              {t('workflows.conditions.addGroup')}
            </Button>
          )}
        </Group>
      </Stack>
    </Card>
  );
}
