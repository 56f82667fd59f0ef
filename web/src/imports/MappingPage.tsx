import {
  ActionIcon,
  Alert,
  Button,
  Card,
  Group,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api/client.ts';
import {
  ATTRIBUTE_TYPES,
  CLIENT_ROLES,
  IMPORT_OBJECTS,
  type ImportObject,
  type Mapping,
  type ObjectMapping,
  TEAM_ROLES,
} from '../api/types.ts';
import { useCan } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { useDirectoryContext } from '../directory/DirectoryLayout.tsx';

/** Directory fields each file can fill (the server's TARGET_FIELDS); * marks the required ones. */
const TARGET_FIELDS: Record<ImportObject, { name: string; required: boolean }[]> = {
  accounts: [
    { name: 'externalRef', required: true },
    { name: 'displayName', required: true },
    { name: 'parentExternalRef', required: false },
    { name: 'isDeleted', required: false },
  ],
  contacts: [
    'externalRef',
    'firstName',
    'lastName',
    'email',
    'phone',
    'mobilePhone',
    'language',
    'title',
    'accountExternalRef',
    'isDeleted',
    'emailOptOut',
    'smsOptOut',
    'doNotCall',
    'faxOptOut',
    'emailBouncedReason',
    'consent',
  ].map((name) => ({ name, required: false })),
  teamMembers: [
    { name: 'accountExternalRef', required: true },
    { name: 'userEmail', required: true },
    { name: 'role', required: true },
    { name: 'isDeleted', required: false },
  ],
};

const splitList = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Edits the directory's import mapping: field sources, typed attributes, role value tables. */
export function MappingPage() {
  const { t } = useTranslation();
  const { directory } = useDirectoryContext();
  const client = useQueryClient();
  const canWrite = useCan('data:write');
  const saved = useQuery({
    queryKey: ['mapping', directory.id],
    queryFn: () => api.get<{ mapping: Mapping; saved: boolean }>(`/directories/${directory.id}/mapping`),
  });
  const [draft, setDraft] = useState<Mapping | null>(null);
  useEffect(() => {
    if (saved.data) setDraft(structuredClone(saved.data.mapping));
  }, [saved.data]);
  const save = useMutation({
    mutationFn: (mapping: Mapping) => api.put(`/directories/${directory.id}/mapping`, mapping),
    onSuccess: () => {
      notifications.show({ message: t('common.saved'), color: 'green' });
      void client.invalidateQueries({ queryKey: ['mapping', directory.id] });
    },
  });

  if (saved.isPending || !draft) return saved.isError ? <ErrorState error={saved.error} /> : <Loading />;

  const setObject = (object: ImportObject, update: (m: ObjectMapping) => ObjectMapping) =>
    setDraft({ ...draft, [object]: update(draft[object]) });

  return (
    <Stack>
      <Text c="dimmed" size="sm">
        {t('mapping.intro')}
      </Text>
      {save.isError && <SaveError error={save.error} />}
      <Tabs defaultValue="contacts">
        <Tabs.List>
          {IMPORT_OBJECTS.map((object) => (
            <Tabs.Tab key={object} value={object}>
              {t(`imports.object.${object}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {IMPORT_OBJECTS.map((object) => (
          <Tabs.Panel key={object} value={object} pt="md">
            <ObjectEditor
              object={object}
              mapping={draft[object]}
              onChange={(update) => setObject(object, update)}
            />
          </Tabs.Panel>
        ))}
      </Tabs>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <ValueTableEditor
          title={t('mapping.clientRoles')}
          roles={CLIENT_ROLES}
          labelKey="clientRoles"
          table={draft.clientRoles}
          onChange={(clientRoles) => setDraft({ ...draft, clientRoles })}
        />
        <ValueTableEditor
          title={t('mapping.teamRoles')}
          roles={TEAM_ROLES}
          labelKey="teamRoles"
          table={draft.teamRoles}
          onChange={(teamRoles) => setDraft({ ...draft, teamRoles })}
        />
      </SimpleGrid>
      <TextInput
        w={320}
        label={t('mapping.defaultCountry')}
        placeholder="US"
        value={draft.defaultCountry ?? ''}
        onChange={(e) => setDraft({ ...draft, defaultCountry: e.currentTarget.value.toUpperCase() || null })}
      />
      {canWrite && (
        <Group>
          <Button onClick={() => save.mutate(draft)} loading={save.isPending} data-testid="save-mapping">
            {t('common.save')}
          </Button>
        </Group>
      )}
    </Stack>
  );
}

function SaveError({ error }: { error: unknown }) {
  const { t } = useTranslation();
  const details = error instanceof ApiError && Array.isArray(error.details) ? error.details : [];
  return (
    <Alert color="red" title={t('mapping.invalid')}>
      <Text size="sm">{error instanceof Error ? error.message : String(error)}</Text>
      {details.map((d: { path?: string; message?: string }) => (
        <Text size="sm" key={`${d.path}-${d.message}`}>
          {d.path ? `${d.path}: ` : ''}
          {d.message}
        </Text>
      ))}
    </Alert>
  );
}

function ObjectEditor({
  object,
  mapping,
  onChange,
}: {
  object: ImportObject;
  mapping: ObjectMapping;
  onChange: (update: (m: ObjectMapping) => ObjectMapping) => void;
}) {
  const { t } = useTranslation();
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }}>
      <Card withBorder>
        <Title order={5} mb="xs">
          {t('mapping.fields')}
        </Title>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('mapping.target')}</Table.Th>
              <Table.Th>{t('mapping.sources')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {TARGET_FIELDS[object].map((field) => (
              <Table.Tr key={field.name}>
                <Table.Td ff="monospace">
                  {field.name}
                  {field.required ? ' *' : ''}
                </Table.Td>
                <Table.Td>
                  <TextInput
                    size="xs"
                    aria-label={`${object}.${field.name}`}
                    defaultValue={(mapping.fields[field.name] ?? []).join(', ')}
                    onBlur={(e) => {
                      const sources = splitList(e.currentTarget.value);
                      onChange((m) => {
                        const fields = { ...m.fields };
                        if (sources.length) fields[field.name] = sources;
                        else delete fields[field.name];
                        return { ...m, fields };
                      });
                    }}
                  />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
      <Card withBorder>
        <Title order={5} mb="xs">
          {t('mapping.attributes')}
        </Title>
        <Stack gap="xs">
          {mapping.attributes.map((attribute, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are controlled inputs; a new row has no name yet
            <Group key={index} gap="xs" align="flex-end" wrap="nowrap">
              <TextInput
                size="xs"
                label={t('mapping.sourceColumn')}
                value={attribute.source}
                onChange={(e) => {
                  const source = e.currentTarget.value;
                  onChange((m) => ({
                    ...m,
                    attributes: m.attributes.map((a, i) => (i === index ? { ...a, source } : a)),
                  }));
                }}
              />
              <TextInput
                size="xs"
                label={t('mapping.attributeName')}
                value={attribute.name}
                onChange={(e) => {
                  const name = e.currentTarget.value;
                  onChange((m) => ({
                    ...m,
                    attributes: m.attributes.map((a, i) => (i === index ? { ...a, name } : a)),
                  }));
                }}
              />
              <Select
                size="xs"
                w={110}
                label={t('mapping.attributeType')}
                allowDeselect={false}
                value={attribute.type}
                data={[...ATTRIBUTE_TYPES]}
                onChange={(value) =>
                  onChange((m) => ({
                    ...m,
                    attributes: m.attributes.map((a, i) =>
                      i === index ? { ...a, type: (value ?? 'string') as typeof a.type } : a,
                    ),
                  }))
                }
              />
              {attribute.type === 'enum' && (
                <TextInput
                  size="xs"
                  label={t('mapping.enumValues')}
                  defaultValue={(attribute.values ?? []).join(', ')}
                  onBlur={(e) => {
                    const values = splitList(e.currentTarget.value);
                    onChange((m) => ({
                      ...m,
                      attributes: m.attributes.map((a, i) => (i === index ? { ...a, values } : a)),
                    }));
                  }}
                />
              )}
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={t('mapping.remove')}
                onClick={() =>
                  onChange((m) => ({ ...m, attributes: m.attributes.filter((_, i) => i !== index) }))
                }
              >
                <IconTrash size={16} />
              </ActionIcon>
            </Group>
          ))}
          <Group>
            <Button
              size="xs"
              variant="light"
              onClick={() =>
                onChange((m) => ({
                  ...m,
                  attributes: [...m.attributes, { source: '', name: '', type: 'string' }],
                }))
              }
            >
              {t('mapping.addAttribute')}
            </Button>
          </Group>
          <Text size="sm" mt="sm">
            {t('mapping.unmapped')}
          </Text>
          <SegmentedControl
            size="xs"
            value={mapping.unmappedCustomFields}
            onChange={(value) =>
              onChange((m) => ({
                ...m,
                unmappedCustomFields: value as ObjectMapping['unmappedCustomFields'],
              }))
            }
            data={[
              { value: 'string-attribute', label: t('mapping.unmappedString') },
              { value: 'ignore', label: t('mapping.unmappedIgnore') },
            ]}
          />
        </Stack>
      </Card>
    </SimpleGrid>
  );
}

function ValueTableEditor({
  title,
  roles,
  labelKey,
  table,
  onChange,
}: {
  title: string;
  roles: readonly string[];
  labelKey: 'clientRoles' | 'teamRoles';
  table: { values: Record<string, string>; default: string | null };
  onChange: (table: { values: Record<string, string>; default: string | null }) => void;
}) {
  const { t } = useTranslation();
  const [newValue, setNewValue] = useState('');
  const roleOptions = roles.map((value) => ({ value, label: t(`${labelKey}.${value}`) }));
  const entries = Object.entries(table.values);
  const setRole = (value: string, role: string) =>
    onChange({ ...table, values: { ...table.values, [value]: role } });

  return (
    <Card withBorder data-testid={`value-table-${labelKey}`}>
      <Title order={5} mb="xs">
        {title}
      </Title>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('mapping.sourceValue')}</Table.Th>
            <Table.Th>{t('mapping.mapsTo')}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {entries.map(([value, role]) => (
            <Table.Tr key={value}>
              <Table.Td ff="monospace">{value}</Table.Td>
              <Table.Td>
                <Select
                  size="xs"
                  aria-label={`${value} → ${t('mapping.mapsTo')}`}
                  allowDeselect={false}
                  value={role}
                  data={roleOptions}
                  onChange={(next) => next && setRole(value, next)}
                />
              </Table.Td>
              <Table.Td>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={t('mapping.remove')}
                  onClick={() => {
                    const { [value]: _removed, ...rest } = table.values;
                    onChange({ ...table, values: rest });
                  }}
                >
                  <IconTrash size={14} />
                </ActionIcon>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group mt="xs" align="flex-end">
        <TextInput
          size="xs"
          label={t('mapping.sourceValue')}
          value={newValue}
          onChange={(e) => setNewValue(e.currentTarget.value)}
        />
        <Button
          size="xs"
          variant="light"
          disabled={!newValue.trim() || newValue.trim() in table.values}
          onClick={() => {
            setRole(newValue.trim(), roles[0]!);
            setNewValue('');
          }}
        >
          {t('mapping.addValue')}
        </Button>
      </Group>
      <Select
        mt="sm"
        size="xs"
        label={t('mapping.defaultRole')}
        value={table.default ?? ''}
        allowDeselect={false}
        data={[{ value: '', label: t('mapping.noRole') }, ...roleOptions]}
        onChange={(value) => onChange({ ...table, default: value || null })}
      />
    </Card>
  );
}
