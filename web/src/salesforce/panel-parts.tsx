import { ActionIcon, Badge, Button, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useConnections } from './ConnectionsPanel.tsx';

/** Pieces the trigger, write-back and lead-form panels share. */

/** The connections a task may use (authorized ones), as Select options. */
export function useConnectionOptions() {
  const connections = useConnections();
  return {
    isPending: connections.isPending,
    options: (connections.data?.items ?? [])
      .filter((c) => c.status !== 'pending')
      .map((c) => ({ value: String(c.id), label: `${c.name}${c.username ? ` (${c.username})` : ''}` })),
  };
}

export function ConnectionSelect({
  value,
  onChange,
  error,
}: {
  value: string | null;
  onChange: (value: string | null) => void;
  error?: string | undefined;
}) {
  const { t } = useTranslation();
  const { options } = useConnectionOptions();
  return (
    <Select
      label={t('salesforce.connection')}
      data={options}
      value={value}
      onChange={onChange}
      error={error}
      required
      data-testid="connection-select"
    />
  );
}

/** An item's name, flagged when its connection was deleted (it does nothing until given another). */
export function NameAndConnection({ name, connectionId }: { name: string; connectionId: number | null }) {
  const { t } = useTranslation();
  return (
    <>
      <Text fw={500}>{name}</Text>
      {!connectionId && (
        <Badge color="orange" size="sm">
          {t('salesforce.noConnection')}
        </Badge>
      )}
    </>
  );
}

export type FieldRow = { name: string; value: string };

export const rowsOf = (fields: Record<string, string>): FieldRow[] =>
  Object.entries(fields).map(([name, value]) => ({ name, value }));

export const fieldsOf = (rows: FieldRow[]) =>
  Object.fromEntries(rows.filter((r) => r.name.trim()).map((r) => [r.name.trim(), r.value]));

/** Salesforce field (or form input) → piped text, one row each. */
export function FieldMapEditor({
  rows,
  onChange,
  namePlaceholder,
  valuePlaceholder,
  error,
}: {
  rows: FieldRow[];
  onChange: (rows: FieldRow[]) => void;
  namePlaceholder: string;
  valuePlaceholder: string;
  error?: string | undefined;
}) {
  const { t } = useTranslation();
  const set = (i: number, patch: Partial<FieldRow>) =>
    onChange(rows.map((r, k) => (k === i ? { ...r, ...patch } : r)));
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500}>
        {t('salesforce.fieldMap')}
      </Text>
      <Text size="xs" c="dimmed">
        {t('salesforce.fieldMapHelp', {
          examples: '{{ response.answers.nps }}, {{ embedded.sfContactId }}, {{ contact.email }}',
        })}
      </Text>
      {rows.map((row, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place and have no identity of their own
        <Group key={i} gap="xs" wrap="nowrap">
          <TextInput
            placeholder={namePlaceholder}
            value={row.name}
            onChange={(e) => set(i, { name: e.currentTarget.value })}
            w={220}
            aria-label={t('salesforce.fieldName')}
            styles={{ input: { fontFamily: 'monospace' } }}
          />
          <TextInput
            placeholder={valuePlaceholder}
            value={row.value}
            onChange={(e) => set(i, { value: e.currentTarget.value })}
            style={{ flex: 1 }}
            aria-label={t('salesforce.fieldValue')}
            styles={{ input: { fontFamily: 'monospace' } }}
          />
          <ActionIcon
            variant="subtle"
            color="red"
            onClick={() => onChange(rows.filter((_, k) => k !== i))}
            aria-label={t('common.delete')}
          >
            ×
          </ActionIcon>
        </Group>
      ))}
      <Group>
        <Button size="xs" variant="light" onClick={() => onChange([...rows, { name: '', value: '' }])}>
          {t('salesforce.addField')}
        </Button>
      </Group>
      {error && (
        <Text size="xs" c="red">
          {error}
        </Text>
      )}
    </Stack>
  );
}

export function ConfirmDelete({
  title,
  body,
  onConfirm,
  onClose,
  loading,
}: {
  title: string | null;
  body: string;
  onConfirm: () => void;
  onClose: () => void;
  loading: boolean;
}) {
  const { t } = useTranslation();
  return (
    <Modal opened={title !== null} onClose={onClose} title={title}>
      <Stack>
        <Text size="sm">{body}</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button color="red" onClick={onConfirm} loading={loading} data-testid="confirm-delete">
            {t('common.delete')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Validation problems of a 400 answer by path prefix (the API's {path, message} details). */
export function problemsAt(problems: { path: string; message: string }[], prefix: string) {
  const found = problems.filter((p) => p.path === prefix || p.path.startsWith(`${prefix}.`));
  return found.length ? found.map((p) => p.message).join(' · ') : undefined;
}
