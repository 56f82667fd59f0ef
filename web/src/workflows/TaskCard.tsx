import {
  ActionIcon,
  Badge,
  Card,
  Collapse,
  Group,
  Modal,
  NumberInput,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  UnstyledButton,
} from '@mantine/core';
import {
  IconArrowDown,
  IconArrowUp,
  IconChevronDown,
  IconChevronRight,
  IconTrash,
} from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Resources } from './resources.ts';
import { SchemaForm } from './SchemaForm.tsx';
import type { Problem, Scope, TaskEntry, TaskType } from './types.ts';

/** One task of the editor: its key (how later tasks pipe its output), its form, its retries. */
export function TaskCard({
  entry,
  position,
  count,
  type,
  scope,
  resources,
  problems,
  onChange,
  onMove,
  onRemove,
}: {
  entry: TaskEntry;
  position: number;
  count: number;
  type: TaskType | undefined;
  scope: Scope | undefined;
  resources: Resources;
  problems: Problem[];
  onChange: (entry: TaskEntry) => void;
  onMove: (delta: -1 | 1) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(true);
  const prefix = `tasks[${position}]`;
  const own = problems.filter((p) => p.path === prefix || p.path.startsWith(`${prefix}.`));
  const inputProblems = own
    .filter((p) => p.path.startsWith(`${prefix}.input.`))
    .map((p) => ({ ...p, path: p.path.slice(`${prefix}.input.`.length) }));
  const other = own.filter((p) => !p.path.startsWith(`${prefix}.input.`));
  return (
    <Card withBorder data-testid={`task-${entry.key}`}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <UnstyledButton onClick={() => setOpen((o) => !o)}>
            <Group gap="xs" wrap="nowrap">
              {open ? <IconChevronDown size={16} /> : <IconChevronRight size={16} />}
              <Badge variant="light">{position + 1}</Badge>
              <Text fw={600}>
                {entry.name ||
                  (type
                    ? t(`workflows.taskTypes.${type.type}.label`, { defaultValue: type.label })
                    : entry.type)}
              </Text>
              <Text size="sm" c="dimmed" ff="monospace">
                tasks.{entry.key}
              </Text>
              {own.length > 0 && (
                <Badge color="red" variant="light">
                  {own.length}
                </Badge>
              )}
            </Group>
          </UnstyledButton>
          <Group gap={4} wrap="nowrap">
            <ActionIcon
              variant="subtle"
              disabled={position === 0}
              aria-label={t('workflows.moveUp')}
              onClick={() => onMove(-1)}
            >
              <IconArrowUp size={16} />
            </ActionIcon>
            <ActionIcon
              variant="subtle"
              disabled={position === count - 1}
              aria-label={t('workflows.moveDown')}
              onClick={() => onMove(1)}
            >
              <IconArrowDown size={16} />
            </ActionIcon>
            <ActionIcon variant="subtle" color="red" aria-label={t('common.delete')} onClick={onRemove}>
              <IconTrash size={16} />
            </ActionIcon>
          </Group>
        </Group>
        <Collapse expanded={open}>
          <Stack gap="sm">
            {type && (
              <Text size="sm" c="dimmed">
                {t(`workflows.taskTypes.${type.type}.description`, { defaultValue: type.description })}
              </Text>
            )}
            <Group grow>
              <TextInput
                label={t('workflows.taskKey')}
                description={t('workflows.taskKeyHelp', { example: `{{ tasks.${entry.key}.… }}` })}
                value={entry.key}
                error={other.find((p) => p.path === `${prefix}.key`)?.message}
                onChange={(e) => onChange({ ...entry, key: e.currentTarget.value })}
              />
              <TextInput
                label={t('workflows.taskName')}
                value={entry.name ?? ''}
                onChange={(e) => onChange({ ...entry, name: e.currentTarget.value || undefined })}
              />
            </Group>
            {other
              .filter((p) => p.path !== `${prefix}.key`)
              .map((p) => (
                <Text key={p.message} size="sm" c="red">
                  {p.message}
                </Text>
              ))}
            {type ? (
              <SchemaForm
                schema={type.input}
                value={entry.input}
                onChange={(input) => onChange({ ...entry, input })}
                ctx={{
                  root: type.input,
                  scope,
                  secrets: type.secrets,
                  templateFields: type.templateFields,
                  resources,
                  problems: inputProblems,
                }}
              />
            ) : (
              <Text c="red">{t('workflows.unknownType', { type: entry.type })}</Text>
            )}
            <Group grow>
              <NumberInput
                label={t('workflows.retryLimit')}
                min={0}
                max={10}
                value={entry.retry?.limit ?? type?.retry?.limit ?? 3}
                onChange={(v) =>
                  onChange({
                    ...entry,
                    retry: {
                      limit: Number(v) || 0,
                      delaySeconds: entry.retry?.delaySeconds ?? type?.retry?.delaySeconds ?? 30,
                    },
                  })
                }
              />
              <NumberInput
                label={t('workflows.retryDelay')}
                min={0}
                max={3600}
                value={entry.retry?.delaySeconds ?? type?.retry?.delaySeconds ?? 30}
                onChange={(v) =>
                  onChange({
                    ...entry,
                    retry: {
                      limit: entry.retry?.limit ?? type?.retry?.limit ?? 3,
                      delaySeconds: Number(v) || 0,
                    },
                  })
                }
              />
            </Group>
          </Stack>
        </Collapse>
      </Stack>
    </Card>
  );
}

/** The task palette, by category. */
export function PaletteModal({
  opened,
  onClose,
  types,
  onPick,
}: {
  opened: boolean;
  onClose: () => void;
  types: TaskType[];
  onPick: (type: TaskType) => void;
}) {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const shown = types.filter((type) =>
    `${type.label} ${type.description} ${t(`workflows.taskTypes.${type.type}.label`, { defaultValue: '' })}`
      .toLowerCase()
      .includes(query.toLowerCase()),
  );
  const categories = [...new Set(shown.map((type) => type.category))];
  return (
    <Modal opened={opened} onClose={onClose} size="xl" title={t('workflows.palette.title')}>
      <Stack>
        <TextInput
          placeholder={t('common.search')}
          value={query}
          onChange={(e) => setQuery(e.currentTarget.value)}
          data-autofocus
        />
        {categories.map((category) => (
          <Stack key={category} gap="xs">
            <Text fw={600} size="sm" tt="uppercase" c="dimmed">
              {t(`workflows.palette.categories.${category}`, { defaultValue: category })}
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              {shown
                .filter((type) => type.category === category)
                .map((type) => (
                  <Card
                    key={type.type}
                    withBorder
                    component="button"
                    style={{ textAlign: 'left', cursor: 'pointer' }}
                    onClick={() => onPick(type)}
                    data-testid={`palette-${type.type}`}
                  >
                    <Text fw={600} size="sm">
                      {t(`workflows.taskTypes.${type.type}.label`, { defaultValue: type.label })}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {t(`workflows.taskTypes.${type.type}.description`, { defaultValue: type.description })}
                    </Text>
                  </Card>
                ))}
            </SimpleGrid>
          </Stack>
        ))}
      </Stack>
    </Modal>
  );
}
