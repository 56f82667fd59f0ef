import { ActionIcon, Autocomplete, Button, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { EmbeddedRow } from './form-model.ts';

const CONTACT_FIELDS = ['externalRef', 'email', 'firstName', 'lastName', 'language', 'phone'] as const;
const ACCOUNT_FIELDS = ['externalRef', 'name'] as const;

/**
 * Embedded data: named values each personal link carries, taken from the recipient's contact or
 * account (CRM ids, region …) or constant; the survey's declared fields are suggested as names.
 */
export function EmbeddedSection({
  rows,
  onChange,
  suggestions,
  contactAttributes,
  accountAttributes,
  error,
}: {
  rows: EmbeddedRow[];
  onChange: (rows: EmbeddedRow[]) => void;
  suggestions: string[];
  contactAttributes: string[];
  accountAttributes: string[];
  error?: string;
}) {
  const { t } = useTranslation();
  const sources = [
    {
      group: t('distributions.ph.contact'),
      items: [
        ...CONTACT_FIELDS.map((f) => ({ value: `contact.${f}`, label: `contact.${f}` })),
        ...contactAttributes.map((a) => ({
          value: `contact.attributes.${a}`,
          label: `contact.attributes.${a}`,
        })),
      ],
    },
    {
      group: t('distributions.ph.account'),
      items: [
        ...ACCOUNT_FIELDS.map((f) => ({ value: `account.${f}`, label: `account.${f}` })),
        ...accountAttributes.map((a) => ({
          value: `account.attributes.${a}`,
          label: `account.attributes.${a}`,
        })),
      ],
    },
    {
      group: t('distributions.ph.other'),
      items: [
        { value: 'role', label: t('distributions.embeddedRole') },
        { value: 'const', label: t('distributions.embeddedConst') },
      ],
    },
  ];
  const update = (i: number, patch: Partial<EmbeddedRow>) =>
    onChange(rows.map((row, j) => (j === i ? { ...row, ...patch } : row)));
  const names = rows.map((r) => r.name.trim()).filter(Boolean);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  const unused = suggestions.filter((s) => !names.includes(s));

  return (
    <Stack gap="xs" data-testid="embedded-section">
      {rows.map((row, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their position
        <Group key={i} align="flex-start" wrap="nowrap" gap="xs">
          <Autocomplete
            aria-label={t('distributions.embeddedName')}
            placeholder={t('distributions.embeddedName')}
            value={row.name}
            onChange={(name) => update(i, { name })}
            data={unused}
            w={200}
            error={
              row.name && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(row.name)
                ? t('distributions.embeddedNameRule')
                : undefined
            }
          />
          <Text pt={6} c="dimmed">
            ←
          </Text>
          <Select
            aria-label={t('distributions.embeddedSource')}
            placeholder={t('distributions.embeddedSource')}
            searchable
            allowDeselect={false}
            value={row.source || null}
            onChange={(source) => update(i, { source: source ?? '' })}
            data={sources}
            w={240}
          />
          {row.source === 'const' && (
            <TextInput
              aria-label={t('distributions.embeddedConstValue')}
              placeholder={t('distributions.embeddedConstValue')}
              value={row.constant}
              onChange={(e) => update(i, { constant: e.currentTarget.value })}
              w={180}
            />
          )}
          <ActionIcon
            variant="subtle"
            color="red"
            mt={4}
            aria-label={t('common.delete')}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            <IconTrash size={16} />
          </ActionIcon>
        </Group>
      ))}
      {duplicate && (
        <Text size="sm" c="red">
          {t('distributions.embeddedDuplicate', { name: duplicate })}
        </Text>
      )}
      {error && (
        <Text size="sm" c="red">
          {error}
        </Text>
      )}
      <Group gap="xs">
        <Button
          size="xs"
          variant="light"
          leftSection={<IconPlus size={14} />}
          onClick={() => onChange([...rows, { name: unused[0] ?? '', source: '', constant: '' }])}
          disabled={rows.length >= 50}
        >
          {t('distributions.addEmbedded')}
        </Button>
        {rows.length === 0 && unused.length > 0 && (
          <Text size="xs" c="dimmed">
            {t('distributions.surveyDeclares', { fields: unused.join(', ') })}
          </Text>
        )}
      </Group>
    </Stack>
  );
}
