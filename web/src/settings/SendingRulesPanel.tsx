import {
  ActionIcon,
  Alert,
  Autocomplete,
  Button,
  Card,
  Group,
  List,
  MultiSelect,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, errorMessage } from '../api/client.ts';
import { type AttributeDefinition, CLIENT_ROLES, type MailingList } from '../api/types.ts';
import { useCan } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { DirectoryPicker, NoDirectory, useCurrentDirectory } from '../directory/current-directory.tsx';
import type { Exclusions, FrequencyRule, Problem, SendingRules } from '../distributions/types.ts';
import type { Survey } from '../surveys/types.ts';

const EXCLUSIONS = ['doNotCall', 'faxOptOut', 'emailBounced', 'noConsent', 'requireConsent'] as const;
const MAX_RULES = 20;

/** Exclusion and contact frequency rules of the current directory (src/distributions/rules.ts). */
export function SendingRulesPanel() {
  const { t } = useTranslation();
  const { directories, current, pick } = useCurrentDirectory();
  if (directories.isError) return <ErrorState error={directories.error} />;
  if (current === undefined) return <Loading />;
  if (current === null) return <NoDirectory onCreated={pick} />;
  return (
    <Stack>
      <Group justify="space-between">
        <Text c="dimmed" size="sm" maw={720}>
          {t('distributions.rules.intro')}
        </Text>
        <DirectoryPicker current={current} items={directories.data!.items} onPick={pick} />
      </Group>
      <RulesEditor key={current.id} directoryId={current.id} />
    </Stack>
  );
}

function RulesEditor({ directoryId }: { directoryId: number }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const canWrite = useCan('data:write');
  const saved = useQuery({
    queryKey: ['sending-rules', directoryId],
    queryFn: () => api.get<SendingRules>(`/directories/${directoryId}/sending-rules`),
  });
  const surveys = useQuery({
    queryKey: ['surveys', directoryId],
    queryFn: () => api.get<{ items: Survey[] }>(`/directories/${directoryId}/surveys`),
  });
  const lists = useQuery({
    queryKey: ['mailing-lists', directoryId],
    queryFn: () => api.get<{ items: MailingList[] }>(`/directories/${directoryId}/mailing-lists`),
  });
  const attributes = useQuery({
    queryKey: ['attributes', directoryId],
    queryFn: () => api.get<{ items: AttributeDefinition[] }>(`/directories/${directoryId}/attributes`),
  });
  const [rules, setRules] = useState<SendingRules | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    if (saved.data) setRules(saved.data);
  }, [saved.data]);
  const save = useMutation({
    mutationFn: () => api.put<SendingRules>(`/directories/${directoryId}/sending-rules`, rules),
    onSuccess: (result) => {
      client.setQueryData(['sending-rules', directoryId], result);
      setProblems([]);
      setFailure(null);
      notifications.show({ color: 'green', message: t('common.saved') });
    },
    onError: (e) => {
      setProblems(e instanceof ApiError && Array.isArray(e.details) ? (e.details as Problem[]) : []);
      setFailure(errorMessage(e));
    },
  });

  if (saved.isError) return <ErrorState error={saved.error} onRetry={() => void saved.refetch()} />;
  if (!rules) return <Loading />;
  const dirty = JSON.stringify(rules) !== JSON.stringify(saved.data);
  const setExclusion = (key: keyof Exclusions, value: boolean) =>
    setRules({ ...rules, exclusions: { ...rules.exclusions, [key]: value } });
  const setRule = (i: number, rule: FrequencyRule) =>
    setRules({ ...rules, frequencyRules: rules.frequencyRules.map((r, j) => (j === i ? rule : r)) });
  const ruleProblems = (i: number) =>
    problems.filter((p) => new RegExp(`^(body\\.)?frequencyRules(\\.|\\[)${i}(\\]|\\.|$)`).test(p.path));

  return (
    <Stack>
      {failure && (
        <Alert color="red" title={failure} withCloseButton onClose={() => setFailure(null)}>
          {problems.length > 0 && (
            <List size="sm">
              {problems.map((p) => (
                <List.Item key={`${p.path}-${p.message}`}>
                  <Text span ff="monospace" size="xs">
                    {p.path}
                  </Text>
                  : {p.message}
                </List.Item>
              ))}
            </List>
          )}
        </Alert>
      )}
      <Card withBorder>
        <Stack gap="sm">
          <Title order={4}>{t('distributions.rules.exclusions')}</Title>
          <Text size="sm" c="dimmed">
            {t('distributions.rules.exclusionsHint')}
          </Text>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            {EXCLUSIONS.map((key) => (
              <Switch
                key={key}
                label={t(`distributions.rules.exclusion.${key}`)}
                description={t(`distributions.rules.exclusionHint.${key}`)}
                checked={rules.exclusions[key]}
                disabled={!canWrite || (key === 'requireConsent' && !rules.exclusions.noConsent)}
                onChange={(e) => setExclusion(key, e.currentTarget.checked)}
                data-testid={`exclusion-${key}`}
              />
            ))}
          </SimpleGrid>
        </Stack>
      </Card>
      <Card withBorder>
        <Stack gap="sm">
          <Group justify="space-between">
            <Title order={4}>{t('distributions.rules.frequency')}</Title>
            <Text size="sm" c="dimmed">
              {t('distributions.rules.count', { count: rules.frequencyRules.length, max: MAX_RULES })}
            </Text>
          </Group>
          <Text size="sm" c="dimmed">
            {t('distributions.rules.frequencyHint')}
          </Text>
          {rules.frequencyRules.map((rule, i) => (
            <RuleCard
              // biome-ignore lint/suspicious/noArrayIndexKey: rules are edited in place by position
              key={i}
              rule={rule}
              onChange={(next) => setRule(i, next)}
              onRemove={() =>
                setRules({ ...rules, frequencyRules: rules.frequencyRules.filter((_, j) => j !== i) })
              }
              surveys={(surveys.data?.items ?? []).map((s) => ({ value: String(s.id), label: s.name }))}
              lists={(lists.data?.items ?? []).map((l) => ({ value: String(l.id), label: l.name }))}
              attributes={(attributes.data?.items ?? [])
                .filter((a) => a.entity === 'contact')
                .map((a) => a.name)}
              problems={ruleProblems(i)}
              readOnly={!canWrite}
            />
          ))}
          {canWrite && (
            <Group>
              <Button
                variant="light"
                leftSection={<IconPlus size={16} />}
                disabled={rules.frequencyRules.length >= MAX_RULES}
                onClick={() =>
                  setRules({
                    ...rules,
                    frequencyRules: [
                      ...rules.frequencyRules,
                      { name: '', scope: 'directory', channel: 'any', maxMessages: 1, withinHours: 24 * 7 },
                    ],
                  })
                }
                data-testid="add-rule"
              >
                {t('distributions.rules.addRule')}
              </Button>
            </Group>
          )}
        </Stack>
      </Card>
      {canWrite && (
        <Group justify="flex-end">
          <Button variant="default" disabled={!dirty} onClick={() => saved.data && setRules(saved.data)}>
            {t('distributions.rules.discard')}
          </Button>
          <Button
            onClick={() => save.mutate()}
            loading={save.isPending}
            disabled={!dirty}
            data-testid="save-rules"
          >
            {t('common.save')}
          </Button>
        </Group>
      )}
    </Stack>
  );
}

const hoursLabel = (hours: number | undefined, t: TFunction) =>
  hours && hours % 24 === 0 ? t('distributions.rules.daysEquivalent', { count: hours / 24 }) : undefined;

function RuleCard({
  rule,
  onChange,
  onRemove,
  surveys,
  lists,
  attributes,
  problems,
  readOnly,
}: {
  rule: FrequencyRule;
  onChange: (rule: FrequencyRule) => void;
  onRemove: () => void;
  surveys: { value: string; label: string }[];
  lists: { value: string; label: string }[];
  attributes: string[];
  problems: Problem[];
  readOnly: boolean;
}) {
  const { t } = useTranslation();
  const set = (patch: Partial<FrequencyRule>) => onChange({ ...rule, ...patch });
  const num = (v: string | number) => (v === '' ? undefined : Number(v));
  const condition = rule.when?.type ?? 'none';
  return (
    <Card withBorder padding="sm" bg="var(--mantine-color-default-hover)" data-testid="frequency-rule">
      <Stack gap="xs">
        <Group align="flex-end" wrap="nowrap">
          <TextInput
            label={t('common.name')}
            value={rule.name}
            onChange={(e) => set({ name: e.currentTarget.value })}
            flex={1}
            readOnly={readOnly}
            required
          />
          {!readOnly && (
            <ActionIcon
              variant="subtle"
              color="red"
              mb={4}
              aria-label={t('common.delete')}
              onClick={onRemove}
            >
              <IconTrash size={16} />
            </ActionIcon>
          )}
        </Group>
        <Group align="flex-end">
          <Select
            label={t('distributions.rules.scope')}
            allowDeselect={false}
            w={180}
            value={rule.scope}
            onChange={(scope) =>
              set({ scope: (scope as FrequencyRule['scope']) ?? 'directory', scopeId: undefined })
            }
            data={(['directory', 'survey', 'mailingList'] as const).map((value) => ({
              value,
              label: t(`distributions.rules.scopes.${value}`),
            }))}
            readOnly={readOnly}
          />
          {rule.scope !== 'directory' && (
            <Select
              label={
                rule.scope === 'survey'
                  ? t('distributions.rules.whichSurvey')
                  : t('distributions.rules.whichList')
              }
              searchable
              w={260}
              value={rule.scopeId ? String(rule.scopeId) : null}
              onChange={(v) => set({ scopeId: v ? Number(v) : undefined })}
              data={rule.scope === 'survey' ? surveys : lists}
              readOnly={readOnly}
              required
            />
          )}
          <Select
            label={t('distributions.channel')}
            allowDeselect={false}
            w={140}
            value={rule.channel}
            onChange={(channel) => set({ channel: (channel as FrequencyRule['channel']) ?? 'any' })}
            data={[
              { value: 'any', label: t('distributions.rules.anyChannel') },
              { value: 'email', label: t('distributions.channels.email') },
              { value: 'sms', label: t('distributions.channels.sms') },
            ]}
            readOnly={readOnly}
          />
        </Group>
        <Group align="flex-start">
          <NumberInput
            label={t('distributions.rules.maxMessages')}
            min={1}
            max={1000}
            w={150}
            allowDecimal={false}
            value={rule.maxMessages ?? ''}
            onChange={(v) => set({ maxMessages: num(v) })}
            readOnly={readOnly}
          />
          <NumberInput
            label={t('distributions.rules.withinHours')}
            description={hoursLabel(rule.withinHours, t)}
            min={1}
            max={24 * 366}
            w={170}
            allowDecimal={false}
            value={rule.withinHours ?? ''}
            onChange={(v) => set({ withinHours: num(v) })}
            readOnly={readOnly}
          />
          <NumberInput
            label={t('distributions.rules.minHoursBetween')}
            description={hoursLabel(rule.minHoursBetween, t)}
            min={1}
            max={24 * 366}
            w={200}
            allowDecimal={false}
            value={rule.minHoursBetween ?? ''}
            onChange={(v) => set({ minHoursBetween: num(v) })}
            readOnly={readOnly}
          />
        </Group>
        <Group align="flex-end">
          <Select
            label={t('distributions.rules.condition')}
            allowDeselect={false}
            w={220}
            value={condition}
            onChange={(v) =>
              set({
                when:
                  v === 'attribute'
                    ? { type: 'attribute', attribute: '', values: [] }
                    : v === 'role'
                      ? { type: 'role', roles: [] }
                      : undefined,
              })
            }
            data={(['none', 'attribute', 'role'] as const).map((value) => ({
              value,
              label: t(`distributions.rules.conditions.${value}`),
            }))}
            readOnly={readOnly}
          />
          {rule.when?.type === 'attribute' && (
            <>
              <Autocomplete
                label={t('distributions.rules.attribute')}
                data={attributes}
                w={200}
                value={rule.when.attribute}
                onChange={(attribute) =>
                  rule.when?.type === 'attribute' && set({ when: { ...rule.when, attribute } })
                }
                readOnly={readOnly}
              />
              <TagsInput
                label={t('distributions.rules.values')}
                placeholder={t('distributions.rules.valuesPlaceholder')}
                w={320}
                value={rule.when.values}
                onChange={(values) =>
                  rule.when?.type === 'attribute' && set({ when: { ...rule.when, values } })
                }
                readOnly={readOnly}
              />
            </>
          )}
          {rule.when?.type === 'role' && (
            <MultiSelect
              label={t('distributions.roles')}
              w={420}
              value={rule.when.roles}
              onChange={(roles) => set({ when: { type: 'role', roles } })}
              data={CLIENT_ROLES.map((value) => ({ value, label: t(`clientRoles.${value}`) }))}
              readOnly={readOnly}
            />
          )}
        </Group>
        {problems.map((p) => (
          <Text key={`${p.path}-${p.message}`} size="sm" c="red">
            {p.message}
          </Text>
        ))}
      </Stack>
    </Card>
  );
}
