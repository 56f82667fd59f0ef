import {
  ActionIcon,
  Button,
  Card,
  Group,
  MultiSelect,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { type Account, type AttributeDefinition, CLIENT_ROLES, TEAM_ROLES } from '../api/types.ts';
import {
  ACCOUNT_CONDITIONS,
  ACCOUNT_FIELDS,
  ACCOUNT_HISTORY_FIELDS,
  CONTACT_CONDITIONS,
  CONTACT_FIELDS,
  CONTACT_HISTORY_FIELDS,
  type Condition,
  type Entity,
  emptyGroup,
  isDaysOp,
  KIND_OF_TYPE,
  NPS_CATEGORIES,
  needsNoValue,
  newCondition,
  newId,
  OPERATORS_BY_KIND,
  SCORE_OPERATORS,
  subjectOf,
  type UiNode,
  type ValueKind,
  whatOf,
} from './model.ts';

/** What the builder offers in its pickers: the directory's attributes, surveys and lists. */
export interface BuilderData {
  directoryId: number;
  attributes: AttributeDefinition[];
  surveys: { id: number; name: string }[];
  lists: { id: number; name: string }[];
  readOnly: boolean;
}

const MAX_DEPTH = 6;

/** A group: all/any of its rules, optionally negated, with rules and sub-groups to add. */
export function RuleGroup({
  node,
  entity,
  data,
  onChange,
  onRemove,
  depth = 0,
}: {
  node: Extract<UiNode, { kind: 'group' }>;
  entity: Entity;
  data: BuilderData;
  onChange: (node: UiNode) => void;
  onRemove?: (() => void) | undefined;
  depth?: number;
}) {
  const { t } = useTranslation();
  const setItem = (index: number, item: UiNode) =>
    onChange({ ...node, items: node.items.map((x, i) => (i === index ? item : x)) });
  const removeItem = (index: number) =>
    onChange({ ...node, items: node.items.filter((_, i) => i !== index) });
  const addCondition = () => {
    const first = entity === 'contact' ? 'field:email' : 'field:displayName';
    onChange({
      ...node,
      items: [
        ...node.items,
        {
          kind: 'condition',
          id: newId(),
          negate: false,
          condition: newCondition(entity, first, data.attributes),
        },
      ],
    });
  };
  return (
    <Card withBorder padding="xs" bg={depth % 2 ? 'gray.0' : undefined} data-testid={`rule-group-${depth}`}>
      <Stack gap="xs">
        <Group gap="xs" justify="space-between">
          <Group gap="xs">
            <Switch
              size="xs"
              label={t('segments.negate')}
              checked={node.negate}
              disabled={data.readOnly}
              onChange={(e) => onChange({ ...node, negate: e.currentTarget.checked })}
            />
            <SegmentedControl
              size="xs"
              value={node.match}
              disabled={data.readOnly}
              onChange={(value) => onChange({ ...node, match: value as 'all' | 'any' })}
              data={[
                { value: 'all', label: t('segments.matchAll') },
                { value: 'any', label: t('segments.matchAny') },
              ]}
              data-testid="group-match"
            />
          </Group>
          {onRemove && !data.readOnly && (
            <Tooltip label={t('segments.removeGroup')}>
              <ActionIcon
                variant="subtle"
                color="red"
                onClick={onRemove}
                aria-label={t('segments.removeGroup')}
              >
                <IconTrash size={16} />
              </ActionIcon>
            </Tooltip>
          )}
        </Group>
        {node.items.length === 0 && (
          <Text size="sm" c="dimmed">
            {node.match === 'all' ? t('segments.emptyAll') : t('segments.emptyAny')}
          </Text>
        )}
        {node.items.map((item, index) =>
          item.kind === 'group' ? (
            <RuleGroup
              key={item.id}
              node={item}
              entity={entity}
              data={data}
              depth={depth + 1}
              onChange={(next) => setItem(index, next)}
              onRemove={() => removeItem(index)}
            />
          ) : (
            <ConditionRow
              key={item.id}
              node={item}
              entity={entity}
              data={data}
              depth={depth}
              onChange={(next) => setItem(index, next)}
              onRemove={() => removeItem(index)}
            />
          ),
        )}
        {!data.readOnly && (
          <Group gap="xs">
            <Button
              size="xs"
              variant="light"
              leftSection={<IconPlus size={14} />}
              onClick={addCondition}
              data-testid="add-condition"
            >
              {t('segments.addCondition')}
            </Button>
            {depth < MAX_DEPTH && (
              <Button
                size="xs"
                variant="subtle"
                leftSection={<IconPlus size={14} />}
                onClick={() => onChange({ ...node, items: [...node.items, emptyGroup()] })}
                data-testid="add-group"
              >
                {t('segments.addGroup')}
              </Button>
            )}
          </Group>
        )}
      </Stack>
    </Card>
  );
}

/** The "what" picker: fields, the directory's attributes, then relations and facts. */
function whatOptions(entity: Entity, attributes: AttributeDefinition[], t: (k: string) => string) {
  const fields = entity === 'contact' ? CONTACT_FIELDS : ACCOUNT_FIELDS;
  const facts = entity === 'contact' ? CONTACT_CONDITIONS : ACCOUNT_CONDITIONS;
  const attrs = attributes.filter((a) => a.entity === entity);
  return [
    {
      group: t('segments.groupFields'),
      items: Object.keys(fields).map((f) => ({ value: `field:${f}`, label: t(`segments.fields.${f}`) })),
    },
    ...(attrs.length
      ? [
          {
            group: t('segments.groupAttributes'),
            items: attrs.map((a) => ({ value: `attribute:${a.name}`, label: a.name })),
          },
        ]
      : []),
    {
      group: t('segments.groupFacts'),
      items: facts.map((c) => ({ value: c, label: t(`segments.conditions.${c}`) })),
    },
  ];
}

function ConditionRow({
  node,
  entity,
  data,
  depth,
  onChange,
  onRemove,
}: {
  node: Extract<UiNode, { kind: 'condition' }>;
  entity: Entity;
  data: BuilderData;
  depth: number;
  onChange: (node: UiNode) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation();
  const c = node.condition;
  const set = (patch: Record<string, unknown>) => {
    const next = { ...c, ...patch } as Condition;
    for (const [k, v] of Object.entries(patch)) if (v === undefined) delete next[k];
    onChange({ ...node, condition: next });
  };
  const other: Entity = entity === 'contact' ? 'account' : 'contact';
  const nested = c.type === 'account' || c.type === 'contacts';
  return (
    <Stack gap={4} data-testid="condition-row">
      <Group gap="xs" align="flex-end" wrap="wrap">
        <Switch
          size="xs"
          label={t('segments.negate')}
          checked={node.negate}
          disabled={data.readOnly}
          onChange={(e) => onChange({ ...node, negate: e.currentTarget.checked })}
          mb={8}
        />
        <Select
          size="xs"
          w={220}
          searchable
          allowDeselect={false}
          label={t('segments.what')}
          value={whatOf(c)}
          disabled={data.readOnly}
          data={whatOptions(entity, data.attributes, t)}
          onChange={(value) =>
            value &&
            onChange({
              kind: 'condition',
              id: node.id,
              negate: node.negate,
              condition: newCondition(entity, value, data.attributes),
            })
          }
          data-testid="condition-what"
        />
        <ConditionInputs condition={c} entity={entity} data={data} set={set} />
        {!data.readOnly && (
          <Tooltip label={t('segments.removeCondition')}>
            <ActionIcon
              variant="subtle"
              color="red"
              mb={4}
              onClick={onRemove}
              aria-label={t('segments.removeCondition')}
            >
              <IconTrash size={16} />
            </ActionIcon>
          </Tooltip>
        )}
      </Group>
      {nested && (
        <Stack gap={2} pl="lg">
          <Text size="xs" c="dimmed">
            {c.type === 'account' ? t('segments.accountWhere') : t('segments.contactsWhere')}
          </Text>
          <RuleGroup
            node={
              (node.where?.kind === 'group' ? node.where : emptyGroup()) as Extract<UiNode, { kind: 'group' }>
            }
            entity={other}
            data={data}
            depth={depth + 1}
            onChange={(where) => onChange({ ...node, where })}
          />
        </Stack>
      )}
    </Stack>
  );
}

/** The inputs after the "what" picker, by condition type. */
function ConditionInputs({
  condition: c,
  entity,
  data,
  set,
}: {
  condition: Condition;
  entity: Entity;
  data: BuilderData;
  set: (patch: Record<string, unknown>) => void;
}) {
  const { t } = useTranslation();
  const ro = data.readOnly;
  const subject = subjectOf(entity, c, data.attributes);
  const roles = (
    <MultiSelect
      size="xs"
      w={260}
      label={t('segments.roles')}
      placeholder={t('segments.anyRole')}
      disabled={ro}
      value={(c.roles as string[] | undefined) ?? []}
      data={CLIENT_ROLES.map((value) => ({ value, label: t(`clientRoles.${value}`) }))}
      onChange={(values) => set({ roles: values.length ? values : undefined })}
    />
  );
  switch (c.type) {
    case 'field':
    case 'attribute':
      if (!subject)
        return (
          <Text size="xs" c="red" mb={6}>
            {t('segments.unknownAttribute')}
          </Text>
        );
      return (
        <Comparison
          kind={subject.kind}
          enumValues={subject.enumValues}
          condition={c}
          set={set}
          readOnly={ro}
        />
      );
    case 'account':
      return roles;
    case 'contacts':
      return (
        <>
          {roles}
          <NumberInput
            size="xs"
            w={100}
            min={1}
            label={t('segments.atLeast')}
            disabled={ro}
            value={Number(c.min ?? 1)}
            onChange={(v) => set({ min: typeof v === 'number' ? v : 1 })}
          />
        </>
      );
    case 'mailingList':
      return (
        <Select
          size="xs"
          w={240}
          searchable
          label={t('segments.list')}
          placeholder={t('segments.pickList')}
          disabled={ro}
          value={c.mailingListId ? String(c.mailingListId) : null}
          data={data.lists.map((l) => ({ value: String(l.id), label: l.name }))}
          onChange={(v) => set({ mailingListId: v ? Number(v) : undefined })}
        />
      );
    case 'responded':
    case 'invitedNoResponse':
    case 'noResponse':
      return <ResponseScope condition={c} data={data} set={set} daysRequired={c.type === 'noResponse'} />;
    case 'npsCategory':
      return (
        <>
          <MultiSelect
            size="xs"
            w={240}
            label={t('segments.categories')}
            disabled={ro}
            value={(c.categories as string[] | undefined) ?? []}
            data={NPS_CATEGORIES.map((value) => ({ value, label: t(`segments.npsCategories.${value}`) }))}
            onChange={(values) => set({ categories: values })}
          />
          <ResponseScope condition={c} data={data} set={set} />
        </>
      );
    case 'npsScore':
    case 'csatScore':
    case 'nps':
      return (
        <>
          <Comparison
            kind="number"
            enumValues={null}
            condition={c}
            set={set}
            readOnly={ro}
            operators={SCORE_OPERATORS}
          />
          <ResponseScope condition={c} data={data} set={set} />
          {c.type === 'nps' && (
            <>
              <NumberInput
                size="xs"
                w={110}
                min={1}
                label={t('segments.minResponses')}
                disabled={ro}
                value={Number(c.minResponses ?? 1)}
                onChange={(v) => set({ minResponses: typeof v === 'number' ? v : 1 })}
              />
              <Switch
                size="xs"
                mb={8}
                label={t('segments.includeDescendants')}
                disabled={ro}
                checked={c.includeDescendants === true}
                onChange={(e) => set({ includeDescendants: e.currentTarget.checked })}
              />
            </>
          )}
        </>
      );
    case 'root':
      return null;
    case 'descendantOf':
      return (
        <>
          <AccountPicker
            directoryId={data.directoryId}
            value={c.accountId ? Number(c.accountId) : null}
            readOnly={ro}
            onChange={(id) => set({ accountId: id ?? undefined })}
          />
          <Switch
            size="xs"
            mb={8}
            label={t('segments.includeSelf')}
            disabled={ro}
            checked={c.includeSelf === true}
            onChange={(e) => set({ includeSelf: e.currentTarget.checked })}
          />
        </>
      );
    case 'depth':
      return (
        <Comparison
          kind="number"
          enumValues={null}
          condition={c}
          set={set}
          readOnly={ro}
          operators={SCORE_OPERATORS}
        />
      );
    case 'team':
      return (
        <>
          <TextInput
            size="xs"
            w={220}
            label={t('segments.teamEmail')}
            placeholder={t('segments.anyone')}
            disabled={ro}
            value={String(c.email ?? '')}
            onChange={(e) => set({ email: e.currentTarget.value.trim() || undefined })}
          />
          <Select
            size="xs"
            w={220}
            clearable
            label={t('segments.teamRole')}
            placeholder={t('segments.anyTeamRole')}
            disabled={ro}
            value={(c.role as string | undefined) ?? null}
            data={TEAM_ROLES.map((value) => ({ value, label: t(`teamRoles.${value}`) }))}
            onChange={(v) => set({ role: v ?? undefined })}
          />
        </>
      );
    case 'changed':
      return <ChangedInputs condition={c} entity={entity} data={data} set={set} />;
    default:
      return null;
  }
}

function ResponseScope({
  condition: c,
  data,
  set,
  daysRequired = false,
}: {
  condition: Condition;
  data: BuilderData;
  set: (patch: Record<string, unknown>) => void;
  daysRequired?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <>
      <Select
        size="xs"
        w={220}
        clearable
        searchable
        label={t('segments.survey')}
        placeholder={t('segments.anySurvey')}
        disabled={data.readOnly}
        value={c.surveyId ? String(c.surveyId) : null}
        data={data.surveys.map((s) => ({ value: String(s.id), label: s.name }))}
        onChange={(v) => set({ surveyId: v ? Number(v) : undefined })}
      />
      <NumberInput
        size="xs"
        w={130}
        min={1}
        max={36500}
        label={t('segments.withinDays')}
        placeholder={daysRequired ? undefined : t('segments.ever')}
        disabled={data.readOnly}
        value={typeof c.withinDays === 'number' ? c.withinDays : ''}
        onChange={(v) => set({ withinDays: typeof v === 'number' ? v : daysRequired ? 30 : undefined })}
      />
    </>
  );
}

/** Operator and value inputs for a kind of value. */
function Comparison({
  kind,
  enumValues,
  condition: c,
  set,
  readOnly,
  operators,
}: {
  kind: ValueKind;
  enumValues: string[] | null;
  condition: Condition;
  set: (patch: Record<string, unknown>) => void;
  readOnly: boolean;
  operators?: string[];
}) {
  const { t } = useTranslation();
  const ops = operators ?? OPERATORS_BY_KIND[kind];
  const op = ops.includes(String(c.op)) ? String(c.op) : ops[0]!;
  const changeOp = (next: string) => {
    // Keep the value when it still fits the operator; start again otherwise.
    const list = (o: string) => o === 'in' || o === 'not_in' || o === 'between';
    const keep = !needsNoValue(next) && list(next) === list(op) && isDaysOp(next) === isDaysOp(op);
    set({ op: next, value: keep ? c.value : isDaysOp(next) ? 30 : undefined });
  };
  return (
    <>
      <Select
        size="xs"
        w={170}
        allowDeselect={false}
        label={t('segments.operator')}
        disabled={readOnly}
        value={op}
        data={ops.map((value) => ({ value, label: t(`segments.ops.${value}`) }))}
        onChange={(v) => v && changeOp(v)}
        data-testid="condition-op"
      />
      {!needsNoValue(op) && (
        <ValueInput
          kind={kind}
          enumValues={enumValues}
          op={op}
          value={c.value}
          onChange={(value) => set({ value })}
          readOnly={readOnly}
        />
      )}
    </>
  );
}

function ValueInput({
  kind,
  enumValues,
  op,
  value,
  onChange,
  readOnly,
}: {
  kind: ValueKind;
  enumValues: string[] | null;
  op: string;
  value: unknown;
  onChange: (value: unknown) => void;
  readOnly: boolean;
}) {
  const { t } = useTranslation();
  const label = t('segments.value');
  if (isDaysOp(op))
    return (
      <NumberInput
        size="xs"
        w={110}
        min={1}
        label={t('segments.days')}
        disabled={readOnly}
        value={typeof value === 'number' ? value : ''}
        onChange={(v) => onChange(typeof v === 'number' ? v : undefined)}
        data-testid="condition-value"
      />
    );
  if (op === 'between') {
    const pair = Array.isArray(value) ? value : [undefined, undefined];
    const one = (i: 0 | 1) => (v: unknown) => {
      const next = [...pair];
      next[i] = v;
      onChange(next);
    };
    return (
      <>
        <ValueInput
          kind={kind}
          enumValues={enumValues}
          op="eq"
          value={pair[0]}
          onChange={one(0)}
          readOnly={readOnly}
        />
        <ValueInput
          kind={kind}
          enumValues={enumValues}
          op="eq"
          value={pair[1]}
          onChange={one(1)}
          readOnly={readOnly}
        />
      </>
    );
  }
  if (op === 'in' || op === 'not_in') {
    const values = Array.isArray(value) ? value.map(String) : [];
    if (kind === 'enum')
      return (
        <MultiSelect
          size="xs"
          w={240}
          label={label}
          disabled={readOnly}
          value={values}
          data={enumValues ?? []}
          onChange={onChange}
          data-testid="condition-value"
        />
      );
    return (
      <TagsInput
        size="xs"
        w={260}
        label={label}
        disabled={readOnly}
        value={values}
        onChange={(vs) => onChange(kind === 'number' ? vs.map(Number).filter((n) => Number.isFinite(n)) : vs)}
        data-testid="condition-value"
      />
    );
  }
  switch (kind) {
    case 'number':
      return (
        <NumberInput
          size="xs"
          w={140}
          label={label}
          disabled={readOnly}
          value={typeof value === 'number' ? value : ''}
          onChange={(v) => onChange(typeof v === 'number' ? v : undefined)}
          data-testid="condition-value"
        />
      );
    case 'date':
      return (
        <TextInput
          size="xs"
          w={160}
          type="date"
          label={label}
          disabled={readOnly}
          value={typeof value === 'string' ? value.slice(0, 10) : ''}
          onChange={(e) => onChange(e.currentTarget.value || undefined)}
          data-testid="condition-value"
        />
      );
    case 'boolean':
      return (
        <Select
          size="xs"
          w={110}
          label={label}
          disabled={readOnly}
          value={value === true ? 'true' : value === false ? 'false' : null}
          data={[
            { value: 'true', label: t('common.yes') },
            { value: 'false', label: t('common.no') },
          ]}
          onChange={(v) => onChange(v === null ? undefined : v === 'true')}
          data-testid="condition-value"
        />
      );
    case 'enum':
      return (
        <Select
          size="xs"
          w={200}
          label={label}
          disabled={readOnly}
          value={typeof value === 'string' ? value : null}
          data={enumValues ?? []}
          onChange={(v) => onChange(v ?? undefined)}
          data-testid="condition-value"
        />
      );
    default:
      return (
        <TextInput
          size="xs"
          w={200}
          label={label}
          disabled={readOnly}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value)}
          data-testid="condition-value"
        />
      );
  }
}

/** "Attribute X changed (within N days) from a to b", over attribute_history. */
function ChangedInputs({
  condition: c,
  entity,
  data,
  set,
}: {
  condition: Condition;
  entity: Entity;
  data: BuilderData;
  set: (patch: Record<string, unknown>) => void;
}) {
  const { t } = useTranslation();
  const fields = entity === 'contact' ? CONTACT_HISTORY_FIELDS : ACCOUNT_HISTORY_FIELDS;
  const attrs = data.attributes.filter((a) => a.entity === entity);
  const picked = c.field
    ? `field:${String(c.field)}`
    : c.attribute
      ? `attribute:${String(c.attribute)}`
      : null;
  const def = attrs.find((a) => a.name === c.attribute);
  const kind: ValueKind = c.field
    ? (fields[String(c.field)] ?? 'string')
    : def
      ? KIND_OF_TYPE[def.type]
      : 'string';
  const side = (key: 'from' | 'to') => (
    <ValueInput
      kind={kind}
      enumValues={def?.enumValues ?? null}
      op="eq"
      value={c[key]}
      onChange={(v) => set({ [key]: v === '' ? undefined : v })}
      readOnly={data.readOnly}
    />
  );
  return (
    <>
      <Select
        size="xs"
        w={200}
        searchable
        label={t('segments.changedWhat')}
        disabled={data.readOnly}
        value={picked}
        data={[
          {
            group: t('segments.groupFields'),
            items: Object.keys(fields).map((f) => ({
              value: `field:${f}`,
              label: t(`segments.fields.${f}`),
            })),
          },
          {
            group: t('segments.groupAttributes'),
            items: attrs.map((a) => ({ value: `attribute:${a.name}`, label: a.name })),
          },
        ]}
        onChange={(v) => {
          if (!v) return;
          const [type, name] = v.split(':', 2);
          set({
            field: type === 'field' ? name : undefined,
            attribute: type === 'attribute' ? name : undefined,
            from: undefined,
            to: undefined,
          });
        }}
      />
      <NumberInput
        size="xs"
        w={130}
        min={1}
        label={t('segments.withinDays')}
        placeholder={t('segments.ever')}
        disabled={data.readOnly}
        value={typeof c.withinDays === 'number' ? c.withinDays : ''}
        onChange={(v) => set({ withinDays: typeof v === 'number' ? v : undefined })}
      />
      {picked && (
        <>
          <Text size="xs" mb={8}>
            {t('segments.from')}
          </Text>
          {side('from')}
          <Text size="xs" mb={8}>
            {t('segments.to')}
          </Text>
          {side('to')}
        </>
      )}
    </>
  );
}

/** An account of the directory, searched by name. */
function AccountPicker({
  directoryId,
  value,
  onChange,
  readOnly,
}: {
  directoryId: number;
  value: number | null;
  onChange: (id: number | null) => void;
  readOnly: boolean;
}) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const found = useQuery({
    queryKey: ['segment-account-pick', directoryId, search],
    queryFn: () =>
      api.get<{ items: Account[] }>(`/directories/${directoryId}/accounts`, { q: search, limit: 20 }),
    placeholderData: keepPreviousData,
  });
  const current = useQuery({
    queryKey: ['account', String(value)],
    queryFn: () => api.get<Account>(`/accounts/${value}`),
    enabled: value !== null,
    staleTime: 300_000,
  });
  const options = (found.data?.items ?? []).map((a) => ({ value: String(a.id), label: a.displayName }));
  if (value !== null && !options.some((o) => o.value === String(value)))
    options.push({ value: String(value), label: current.data?.displayName ?? `#${value}` });
  return (
    <Select
      size="xs"
      w={240}
      searchable
      label={t('segments.account')}
      placeholder={t('segments.searchAccounts')}
      disabled={readOnly}
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: o }) => o}
      value={value === null ? null : String(value)}
      data={options}
      onChange={(v) => onChange(v ? Number(v) : null)}
    />
  );
}
