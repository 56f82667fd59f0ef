import { ActionIcon, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { itemsOf, locText, withLocText } from './definition-edit.ts';

/** Choices, rows or columns: the stored value and the text shown (default language). */
export function ItemsEditor({
  label,
  items,
  readOnly,
  onChange,
}: {
  label: string;
  items: unknown;
  readOnly: boolean;
  onChange: (items: { value: unknown; text?: unknown }[]) => void;
}) {
  const { t } = useTranslation();
  const list = itemsOf(items);
  const set = (index: number, change: Partial<{ value: unknown; text: unknown }>) =>
    onChange(list.map((item, i) => (i === index ? { ...item, ...change } : item)));
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500}>
        {label}
      </Text>
      {list.map((item, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: values are being edited, the position is the identity
        <Group key={index} gap="xs" wrap="nowrap">
          <TextInput
            size="xs"
            w={140}
            ff="monospace"
            aria-label={t('surveys.itemValue')}
            value={String(item.value ?? '')}
            readOnly={readOnly}
            // A number stays a number, so answers compare as the respondent's page sends them.
            onChange={(e) => {
              const raw = e.currentTarget.value;
              set(index, { value: /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw });
            }}
          />
          <TextInput
            size="xs"
            style={{ flex: 1 }}
            aria-label={t('surveys.itemText')}
            value={locText(item.text, 'default')}
            placeholder={String(item.value ?? '')}
            readOnly={readOnly}
            onChange={(e) => set(index, { text: withLocText(item.text, 'default', e.currentTarget.value) })}
          />
          {!readOnly && (
            <ActionIcon
              variant="subtle"
              color="red"
              aria-label={t('common.remove')}
              onClick={() => onChange(list.filter((_, i) => i !== index))}
            >
              <IconTrash size={14} />
            </ActionIcon>
          )}
        </Group>
      ))}
      {!readOnly && (
        <Button
          size="xs"
          variant="subtle"
          w="fit-content"
          leftSection={<IconPlus size={14} />}
          onClick={() =>
            onChange([...list, { value: `option_${list.length + 1}`, text: `Option ${list.length + 1}` }])
          }
        >
          {t('surveys.addItem')}
        </Button>
      )}
    </Stack>
  );
}
