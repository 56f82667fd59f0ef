import {
  ActionIcon,
  Button,
  Fieldset,
  Group,
  PasswordInput,
  Select,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { IconPlus, IconTrash, IconX } from '@tabler/icons-react';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { insertAt, PipeMenu } from './PipeMenu.tsx';
import { PICKERS, type Resources } from './resources.ts';
import type { JsonSchema, Problem, Scope } from './types.ts';

/**
 * A task's (or a template's) input as a form, built from its JSON Schema: text, numbers, yes/no,
 * choices, lists, nested objects, key/value maps, unions chosen by their kind, free JSON. Every
 * text field has the `{a}` menu when piping is possible; a number, list or object field can take
 * one piped value as a whole (`{{ tasks.load.mailingListId }}`).
 */

export interface FormContext {
  root: JsonSchema;
  scope?: Scope | undefined;
  secrets: string[];
  templateFields: string[];
  resources: Resources;
  /** Problems of this input, with paths relative to it (`recipients.mailingListId`). */
  problems: Problem[];
}

const LONG_TEXT = new Set(['text', 'html', 'description', 'body', 'subject']);
const NUMERIC = /^-?\d+(\.\d+)?$/;

function deref(root: JsonSchema, node: JsonSchema): JsonSchema {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  const defs = (root.$defs ?? root.definitions ?? {}) as Record<string, JsonSchema>;
  return defs[ref.replace(/^#\/(\$defs|definitions)\//, '')] ?? {};
}

const typeOf = (node: JsonSchema): string | undefined => {
  const type = node.type;
  if (Array.isArray(type)) return type.find((x) => x !== 'null') as string | undefined;
  return type as string | undefined;
};

const humanize = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .replace(/^./, (c) => c.toUpperCase());

const isPiped = (value: unknown) => typeof value === 'string' && value.includes('{{');

export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}

function useLabel(name: string | number) {
  const { t } = useTranslation();
  if (typeof name === 'number') return `#${name + 1}`;
  return t(`workflows.fields.${name}`, { defaultValue: humanize(name) });
}

function problemAt(ctx: FormContext, path: string) {
  const found = ctx.problems
    .filter((p) => p.path === path)
    .map((p) => p.message.replace(/^task "[^"]+", [^:]+: /, ''));
  return found.length ? found.join('; ') : undefined;
}

interface FieldProps {
  name: string | number;
  path: string;
  schema: JsonSchema;
  value: unknown;
  onChange: (value: unknown) => void;
  required: boolean;
  ctx: FormContext;
  /** Top-level field name (secrets and template modes are declared per top-level field). */
  top: string;
}

export function SchemaForm({
  schema,
  value,
  onChange,
  ctx,
}: {
  schema: JsonSchema;
  value: Record<string, unknown>;
  onChange: (value: Record<string, unknown>) => void;
  ctx: FormContext;
}) {
  return (
    <ObjectFields
      schema={deref(ctx.root, schema)}
      value={value}
      onChange={onChange}
      path=""
      ctx={ctx}
      top={null}
    />
  );
}

function ObjectFields({
  schema,
  value,
  onChange,
  path,
  ctx,
  top,
  omit,
}: {
  schema: JsonSchema;
  value: Record<string, unknown>;
  onChange: (value: Record<string, unknown>) => void;
  path: string;
  ctx: FormContext;
  top: string | null;
  omit?: string;
}) {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return (
    <Stack gap="xs">
      {Object.entries(properties)
        .filter(([key]) => key !== omit)
        .map(([key, child]) => (
          <Field
            key={key}
            name={key}
            path={joinPath(path, key)}
            schema={child}
            value={value?.[key]}
            required={required.has(key)}
            ctx={ctx}
            top={top ?? key}
            onChange={(next) => {
              const copy = { ...(value ?? {}) };
              if (next === undefined) delete copy[key];
              else copy[key] = next;
              onChange(copy);
            }}
          />
        ))}
    </Stack>
  );
}

function Field(props: FieldProps) {
  const { schema, ctx } = props;
  const node = deref(ctx.root, schema);
  const branches = (node.anyOf ?? node.oneOf) as JsonSchema[] | undefined;
  if (branches) {
    const nonNull = branches.map((b) => deref(ctx.root, b)).filter((b) => typeOf(b) !== 'null');
    if (nonNull.length === 1) return <Field {...props} schema={nonNull[0]!} required={false} />;
    const discriminator = discriminatorOf(nonNull);
    if (discriminator) return <UnionField {...props} branches={nonNull} discriminator={discriminator} />;
    return <TextField {...props} parse="scalar" />;
  }
  const type = typeOf(node);
  if (isPiped(props.value) && type !== 'string') return <PipedWhole {...props} />;
  if (type === 'string') {
    if (ctx.secrets.includes(String(props.name)) && props.path === props.top)
      return <SecretField {...props} />;
    if (Array.isArray(node.enum)) return <EnumField {...props} options={node.enum as string[]} />;
    return (
      <TextField
        {...props}
        parse="text"
        long={LONG_TEXT.has(String(props.name)) || Number(node.maxLength ?? 0) > 1000}
      />
    );
  }
  if (type === 'number' || type === 'integer') {
    const resource = PICKERS[String(props.name)];
    if (resource && ctx.resources[resource].length)
      return <PickerField {...props} items={ctx.resources[resource]} />;
    return <TextField {...props} parse="number" />;
  }
  if (type === 'boolean')
    return (
      <Switch
        label={<FieldLabel {...props} />}
        checked={props.value === true || (props.value === undefined && node.default === true)}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
    );
  if (type === 'array')
    return <ArrayField {...props} items={deref(ctx.root, (node.items ?? {}) as JsonSchema)} />;
  if (type === 'object') {
    if (node.properties) return <NestedObject {...props} node={node} />;
    if (node.additionalProperties && typeof node.additionalProperties === 'object')
      return <MapField {...props} valueSchema={node.additionalProperties as JsonSchema} />;
  }
  return <JsonField {...props} />;
}

function discriminatorOf(branches: JsonSchema[]): string | null {
  if (!branches.every((b) => typeOf(b) === 'object' && b.properties)) return null;
  const first = branches[0]!.properties as Record<string, JsonSchema>;
  for (const key of Object.keys(first))
    if (branches.every((b) => (b.properties as Record<string, JsonSchema>)[key]?.const !== undefined))
      return key;
  return null;
}

function FieldLabel({ name, required }: FieldProps) {
  const label = useLabel(name);
  return (
    <>
      {label}
      {required && (
        <Text span c="red">
          {' *'}
        </Text>
      )}
    </>
  );
}

function TextField(props: FieldProps & { parse: 'text' | 'number' | 'scalar'; long?: boolean }) {
  const { value, onChange, ctx, parse, path } = props;
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const text = value === undefined || value === null ? '' : typeof value === 'string' ? value : String(value);
  const set = (next: string) => {
    if (next === '') return onChange(undefined);
    if ((parse === 'number' || parse === 'scalar') && NUMERIC.test(next.trim()))
      return onChange(Number(next));
    onChange(next);
  };
  const template = ctx.templateFields.includes(props.top);
  const menu = ctx.scope ? (
    <PipeMenu
      scope={ctx.scope}
      wholeValue={parse !== 'text' && !template}
      onPick={(ref2) => set(insertAt(text, ref2, ref.current))}
    />
  ) : undefined;
  const common = {
    label: <FieldLabel {...props} />,
    value: text,
    error: problemAt(ctx, path),
    'data-field': path,
  };
  return props.long ? (
    <Textarea
      ref={ref}
      autosize
      minRows={2}
      maxRows={12}
      {...common}
      onChange={(e) => set(e.currentTarget.value)}
      rightSection={menu}
      rightSectionPointerEvents="all"
    />
  ) : (
    <TextInput
      ref={ref}
      {...common}
      onChange={(e) => set(e.currentTarget.value)}
      rightSection={menu}
      rightSectionPointerEvents="all"
    />
  );
}

function SecretField(props: FieldProps) {
  const { t } = useTranslation();
  const saved = props.value && typeof props.value === 'object' && '$secret' in (props.value as object);
  const [kept] = useState(saved ? props.value : null);
  return (
    <PasswordInput
      label={<FieldLabel {...props} />}
      placeholder={saved ? t('workflows.secretSaved') : ''}
      description={t('workflows.secretHelp')}
      value={typeof props.value === 'string' ? props.value : ''}
      error={problemAt(props.ctx, props.path)}
      data-field={props.path}
      onChange={(e) =>
        props.onChange(e.currentTarget.value === '' ? (kept ?? undefined) : e.currentTarget.value)
      }
    />
  );
}

function EnumField(props: FieldProps & { options: string[] }) {
  const { t } = useTranslation();
  return (
    <Select
      label={<FieldLabel {...props} />}
      data={props.options.map((o) => ({ value: o, label: t(`workflows.values.${o}`, { defaultValue: o }) }))}
      value={typeof props.value === 'string' ? props.value : null}
      clearable={!props.required}
      error={problemAt(props.ctx, props.path)}
      data-field={props.path}
      onChange={(v) => props.onChange(v ?? undefined)}
    />
  );
}

function PickerField(props: FieldProps & { items: { id: number; name: string }[] }) {
  return (
    <Group align="flex-end" gap="xs" wrap="nowrap">
      <Select
        style={{ flex: 1 }}
        label={<FieldLabel {...props} />}
        searchable
        data={props.items.map((i) => ({ value: String(i.id), label: `${i.name} (#${i.id})` }))}
        value={typeof props.value === 'number' ? String(props.value) : null}
        error={problemAt(props.ctx, props.path)}
        data-field={props.path}
        onChange={(v) => props.onChange(v ? Number(v) : undefined)}
      />
      {props.ctx.scope && (
        <PipeMenu scope={props.ctx.scope} wholeValue onPick={(ref) => props.onChange(ref)} />
      )}
    </Group>
  );
}

/** A number, list or object field holding one piped value: `{{ tasks.load.mailingListId }}`. */
function PipedWhole(props: FieldProps) {
  const { t } = useTranslation();
  return (
    <Group align="flex-end" gap="xs" wrap="nowrap">
      <TextInput
        style={{ flex: 1 }}
        label={<FieldLabel {...props} />}
        value={String(props.value)}
        error={problemAt(props.ctx, props.path)}
        data-field={props.path}
        onChange={(e) => props.onChange(e.currentTarget.value || undefined)}
      />
      {props.ctx.scope && (
        <PipeMenu scope={props.ctx.scope} wholeValue onPick={(ref) => props.onChange(ref)} />
      )}
      <ActionIcon
        variant="subtle"
        aria-label={t('workflows.unpipe')}
        onClick={() => props.onChange(undefined)}
      >
        <IconX size={16} />
      </ActionIcon>
    </Group>
  );
}

function PipeWholeButton(props: FieldProps) {
  if (!props.ctx.scope) return null;
  return <PipeMenu scope={props.ctx.scope} wholeValue onPick={(ref) => props.onChange(ref)} />;
}

function NestedObject(props: FieldProps & { node: JsonSchema }) {
  return (
    <Fieldset
      legend={
        <Group gap="xs">
          <FieldLabel {...props} />
          <PipeWholeButton {...props} />
        </Group>
      }
      p="xs"
    >
      <ObjectFields
        schema={props.node}
        value={(props.value as Record<string, unknown>) ?? {}}
        onChange={props.onChange}
        path={props.path}
        ctx={props.ctx}
        top={props.top}
      />
      {problemAt(props.ctx, props.path) && (
        <Text size="xs" c="red">
          {problemAt(props.ctx, props.path)}
        </Text>
      )}
    </Fieldset>
  );
}

function UnionField(props: FieldProps & { branches: JsonSchema[]; discriminator: string }) {
  const { t } = useTranslation();
  const value = (props.value as Record<string, unknown>) ?? {};
  const kinds = props.branches.map((b) =>
    String((b.properties as Record<string, JsonSchema>)[props.discriminator]!.const),
  );
  const current = typeof value[props.discriminator] === 'string' ? String(value[props.discriminator]) : null;
  const branch = props.branches[kinds.indexOf(current ?? '')];
  return (
    <Fieldset legend={<FieldLabel {...props} />} p="xs">
      <Stack gap="xs">
        <Select
          label={t(`workflows.fields.${props.discriminator}`, {
            defaultValue: humanize(props.discriminator),
          })}
          data={kinds.map((k) => ({
            value: k,
            label: t(`workflows.values.${k}`, { defaultValue: humanize(k) }),
          }))}
          value={current}
          data-field={joinPath(props.path, props.discriminator)}
          onChange={(k) => props.onChange(k ? { [props.discriminator]: k } : undefined)}
        />
        {branch && (
          <ObjectFields
            schema={branch}
            value={value}
            onChange={props.onChange}
            path={props.path}
            ctx={props.ctx}
            top={props.top}
            omit={props.discriminator}
          />
        )}
      </Stack>
    </Fieldset>
  );
}

function ArrayField(props: FieldProps & { items: JsonSchema }) {
  const { t } = useTranslation();
  const list = Array.isArray(props.value) ? props.value : [];
  const objectItems = typeOf(props.items) === 'object';
  const set = (next: unknown[]) => props.onChange(next.length ? next : undefined);
  return (
    <Fieldset
      legend={
        <Group gap="xs">
          <FieldLabel {...props} />
          <PipeWholeButton {...props} />
        </Group>
      }
      p="xs"
    >
      <Stack gap="xs">
        {list.map((item, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the list
          <Group key={i} align="flex-start" gap="xs" wrap="nowrap">
            <div style={{ flex: 1 }}>
              <Field
                name={i}
                path={joinPath(props.path, i)}
                schema={props.items}
                value={item}
                required={false}
                ctx={props.ctx}
                top={props.top}
                onChange={(next) => set(list.map((v, j) => (j === i ? next : v)))}
              />
            </div>
            <ActionIcon
              variant="subtle"
              color="red"
              mt={objectItems ? 0 : 24}
              aria-label={t('common.delete')}
              onClick={() => set(list.filter((_, j) => j !== i))}
            >
              <IconTrash size={16} />
            </ActionIcon>
          </Group>
        ))}
        <Button
          size="xs"
          variant="light"
          leftSection={<IconPlus size={14} />}
          style={{ alignSelf: 'flex-start' }}
          onClick={() => set([...list, objectItems ? {} : ''])}
        >
          {t('workflows.addItem')}
        </Button>
        {problemAt(props.ctx, props.path) && (
          <Text size="xs" c="red">
            {problemAt(props.ctx, props.path)}
          </Text>
        )}
      </Stack>
    </Fieldset>
  );
}

function MapField(props: FieldProps & { valueSchema: JsonSchema }) {
  const { t } = useTranslation();
  const entries = Object.entries((props.value as Record<string, unknown>) ?? {});
  const [newKey, setNewKey] = useState('');
  const set = (next: [string, unknown][]) =>
    props.onChange(next.length ? Object.fromEntries(next) : undefined);
  return (
    <Fieldset
      legend={
        <Group gap="xs">
          <FieldLabel {...props} />
          <PipeWholeButton {...props} />
        </Group>
      }
      p="xs"
    >
      <Stack gap="xs">
        {entries.map(([key, item]) => (
          <Group key={key} align="flex-start" gap="xs" wrap="nowrap">
            <div style={{ flex: 1 }}>
              <Field
                name={key}
                path={joinPath(props.path, key)}
                schema={props.valueSchema}
                value={item}
                required={false}
                ctx={props.ctx}
                top={props.top}
                onChange={(next) => set(entries.map(([k, v]) => [k, k === key ? next : v]))}
              />
            </div>
            <ActionIcon
              variant="subtle"
              color="red"
              mt={24}
              aria-label={t('common.delete')}
              onClick={() => set(entries.filter(([k]) => k !== key))}
            >
              <IconTrash size={16} />
            </ActionIcon>
          </Group>
        ))}
        <Group gap="xs">
          <TextInput
            size="xs"
            placeholder={t('workflows.newKey')}
            value={newKey}
            onChange={(e) => setNewKey(e.currentTarget.value)}
          />
          <Button
            size="xs"
            variant="light"
            disabled={!newKey.trim() || entries.some(([k]) => k === newKey.trim())}
            onClick={() => {
              set([...entries, [newKey.trim(), '']]);
              setNewKey('');
            }}
          >
            {t('workflows.addItem')}
          </Button>
        </Group>
      </Stack>
    </Fieldset>
  );
}

function JsonField(props: FieldProps) {
  const { t } = useTranslation();
  const ref = useRef<HTMLTextAreaElement>(null);
  const [text, setText] = useState(() =>
    props.value === undefined ? '' : JSON.stringify(props.value, null, 2),
  );
  const [invalid, setInvalid] = useState(false);
  const commit = (next: string) => {
    if (next.trim() === '') {
      setInvalid(false);
      return props.onChange(undefined);
    }
    try {
      props.onChange(JSON.parse(next));
      setInvalid(false);
    } catch {
      setInvalid(true);
    }
  };
  return (
    <Textarea
      ref={ref}
      label={<FieldLabel {...props} />}
      description={t('workflows.jsonHelp', { example: '"{{ event.response.id }}"' })}
      autosize
      minRows={3}
      maxRows={14}
      ff="monospace"
      value={text}
      error={invalid ? t('workflows.jsonInvalid') : problemAt(props.ctx, props.path)}
      data-field={props.path}
      onChange={(e) => setText(e.currentTarget.value)}
      onBlur={() => commit(text)}
      rightSection={
        props.ctx.scope ? (
          <PipeMenu
            scope={props.ctx.scope}
            wholeValue
            onPick={(r) => {
              const next = insertAt(text, `"${r}"`, ref.current);
              setText(next);
              commit(next);
            }}
          />
        ) : undefined
      }
      rightSectionPointerEvents="all"
    />
  );
}
