import {
  Alert,
  Anchor,
  Box,
  Breadcrumbs,
  Button,
  Card,
  Grid,
  Group,
  List,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError, api, errorMessage } from '../api/client.ts';
import type { AttributeDefinition, Page } from '../api/types.ts';
import { useCurrentUser } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { NoDirectory, useCurrentDirectory } from '../directory/current-directory.tsx';
import { EmbeddedSection } from './EmbeddedSection.tsx';
import {
  type Draft,
  emptyDraft,
  fromDistribution,
  localProblems,
  problemsAt,
  timeZones,
  toInput,
  type When,
  zonedToInstant,
} from './form-model.ts';
import { MessageLibrary } from './MessageLibrary.tsx';
import { MessageSection } from './MessageSection.tsx';
import { PreviewPanel, usePreview, usePreviewContacts } from './PreviewPanel.tsx';
import { useSearchOptions, useSurveys } from './parts.tsx';
import { RecipientsSection } from './RecipientsSection.tsx';
import type { PlaceholderGroup } from './TemplateField.tsx';
import { type Channel, type Distribution, KINDS, type Kind, type Problem } from './types.ts';

/** /distributions/new (optionally ?kind=reminder&parentId=…&surveyId=…) and /distributions/:id/edit. */
export function DistributionFormPage() {
  const { id } = useParams();
  const { t } = useTranslation();
  const { directories, current, pick } = useCurrentDirectory();
  const existing = useQuery({
    queryKey: ['distribution', Number(id)],
    queryFn: () => api.get<Distribution>(`/distributions/${id}`),
    enabled: !!id,
  });
  if (id) {
    if (existing.isError)
      return <ErrorState error={existing.error} onRetry={() => void existing.refetch()} />;
    if (existing.isPending) return <Loading />;
    if (!['draft', 'scheduled'].includes(existing.data.status))
      return (
        <Alert color="yellow" title={t('distributions.notEditable')} maw={640}>
          <Anchor component={Link} to={`/distributions/${id}`}>
            {existing.data.name}
          </Anchor>
        </Alert>
      );
    return <DistributionForm key={id} directoryId={existing.data.directoryId} existing={existing.data} />;
  }
  if (directories.isError) return <ErrorState error={directories.error} />;
  if (current === undefined) return <Loading />;
  if (current === null) return <NoDirectory onCreated={pick} />;
  return <DistributionForm key={current.id} directoryId={current.id} />;
}

const rawText = (
  i18n: { language: string; getResource: (l: string, ns: string, k: string) => unknown },
  key: string,
) =>
  // Message templates hold {{ … }} themselves: read them raw, not through t()'s interpolation.
  String(
    i18n.getResource(i18n.language, 'translation', key) ?? i18n.getResource('en', 'translation', key) ?? '',
  );

function DistributionForm({ directoryId, existing }: { directoryId: number; existing?: Distribution }) {
  const { t, i18n } = useTranslation();
  const user = useCurrentUser();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [params] = useSearchParams();
  const [draft, setDraft] = useState<Draft>(() => {
    const base = emptyDraft({
      subject: rawText(i18n, 'distributions.defaults.subject'),
      text: rawText(i18n, 'distributions.defaults.text'),
      html: rawText(i18n, 'distributions.defaults.html'),
      sms: rawText(i18n, 'distributions.defaults.sms'),
      fromName: user.name || '',
    });
    if (existing) return fromDistribution(existing, base, user.email);
    const kind = params.get('kind') as Kind | null;
    return {
      ...base,
      ...(kind && KINDS.includes(kind) ? { kind } : {}),
      ...(params.get('parentId') ? { parentId: params.get('parentId') } : {}),
      ...(params.get('surveyId') ? { surveyId: params.get('surveyId') } : {}),
      ...(params.get('channel') === 'sms' ? { channel: 'sms' as Channel } : {}),
    };
  });
  const [problems, setProblems] = useState<Problem[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [previewContact, setPreviewContact] = useState<string | null | undefined>(undefined);
  const set = useCallback((patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch })), []);

  const surveys = useSurveys(directoryId);
  const attributes = useQuery({
    queryKey: ['attributes', directoryId],
    queryFn: () => api.get<{ items: AttributeDefinition[] }>(`/directories/${directoryId}/attributes`),
  });
  const parents = useQuery({
    queryKey: ['distributions', directoryId, 'parents', draft.surveyId],
    queryFn: () =>
      api.get<Page<Distribution>>(`/directories/${directoryId}/distributions`, {
        tab: 'sent',
        surveyId: draft.surveyId,
        limit: 200,
      }),
    enabled: draft.kind !== 'invitation' && !!draft.surveyId,
  });
  const contacts = useSearchOptions('contacts', directoryId);
  const accounts = useSearchOptions('accounts', directoryId);
  const preview = usePreview(draft, directoryId, previewContact);
  const previewContacts = usePreviewContacts(draft, directoryId, contacts.labels);
  const zones = useMemo(timeZones, []);

  const submit = () => {
    const local = localProblems(draft, user.email, t);
    if (local.length) {
      setProblems(local);
      setFailure(t('distributions.incomplete'));
      window.scrollTo({ top: 0, behavior: 'smooth' });
    } else save.mutate();
  };
  const save = useMutation({
    mutationFn: () => {
      const body = toInput(draft, user.email);
      return existing
        ? api.put<Distribution>(`/distributions/${existing.id}`, body)
        : api.post<Distribution>(`/directories/${directoryId}/distributions`, body);
    },
    onSuccess: async (saved) => {
      setProblems([]);
      setFailure(null);
      await client.invalidateQueries({ queryKey: ['distributions'] });
      client.setQueryData(['distribution', saved.id], saved);
      notifications.show({
        color: 'green',
        message:
          draft.when === 'now'
            ? t('distributions.sending')
            : draft.when === 'schedule'
              ? t('distributions.scheduledOk')
              : t('distributions.draftSaved'),
      });
      void navigate(`/distributions/${saved.id}`);
    },
    onError: (e) => {
      setProblems(e instanceof ApiError && Array.isArray(e.details) ? (e.details as Problem[]) : []);
      setFailure(errorMessage(e));
      window.scrollTo({ top: 0, behavior: 'smooth' });
    },
  });

  const surveyOptions = (surveys.data?.items ?? [])
    .filter((s) => s.status === 'active' || String(s.id) === draft.surveyId)
    .map((s) => ({
      value: String(s.id),
      label: s.status === 'active' ? s.name : `${s.name} (${t(`surveys.statuses.${s.status}`)})`,
    }));
  const survey = surveys.data?.items.find((s) => String(s.id) === draft.surveyId);
  const contactAttributes = (attributes.data?.items ?? []).filter((a) => a.entity === 'contact');
  const accountAttributes = (attributes.data?.items ?? []).filter((a) => a.entity === 'account');
  const placeholders: PlaceholderGroup[] = [
    {
      label: t('distributions.ph.links'),
      items: [
        { label: t('distributions.ph.link'), value: '{{ link }}' },
        { label: t('distributions.ph.unsubscribe'), value: '{{ unsubscribe_link }}' },
      ],
    },
    {
      label: t('distributions.ph.contact'),
      items: [
        { label: t('distributions.ph.firstName'), value: '{{ contact.firstName }}' },
        { label: t('distributions.ph.lastName'), value: '{{ contact.lastName }}' },
        { label: t('common.email'), value: '{{ contact.email }}' },
        { label: t('directory.externalRef'), value: '{{ contact.externalRef }}' },
        ...contactAttributes.map((a) => ({ label: a.name, value: `{{ contact.attributes.${a.name} }}` })),
      ],
    },
    {
      label: t('distributions.ph.account'),
      items: [
        { label: t('distributions.ph.accountName'), value: '{{ account.name | default: "your company" }}' },
        { label: t('directory.externalRef'), value: '{{ account.externalRef }}' },
        ...accountAttributes.map((a) => ({ label: a.name, value: `{{ account.attributes.${a.name} }}` })),
      ],
    },
    {
      label: t('distributions.ph.other'),
      items: [
        { label: t('distributions.ph.surveyName'), value: '{{ survey.name }}' },
        { label: t('distributions.ph.role'), value: '{{ role }}' },
        ...draft.embedded
          .filter((e) => e.name.trim())
          .map((e) => ({ label: e.name, value: `{{ embedded.${e.name.trim()} }}` })),
      ],
    },
  ];
  const at = (...paths: string[]) => problemsAt(problems, ...paths);
  const instant = draft.when === 'schedule' ? zonedToInstant(draft.at, draft.timeZone) : null;
  const submitLabel =
    draft.when === 'now'
      ? t('distributions.sendNow')
      : draft.when === 'schedule'
        ? t('distributions.schedule')
        : t('distributions.saveDraft');

  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/distributions">
          {t('nav.distributions')}
        </Anchor>
        {existing && (
          <Anchor component={Link} to={`/distributions/${existing.id}`}>
            {existing.name}
          </Anchor>
        )}
        <Text>{existing ? t('distributions.edit') : t('distributions.new')}</Text>
      </Breadcrumbs>
      <Title order={2}>
        {existing ? t('distributions.editTitle', { name: existing.name }) : t('distributions.new')}
      </Title>
      {failure && (
        <Alert
          color="red"
          title={failure}
          withCloseButton
          onClose={() => setFailure(null)}
          data-testid="form-problems"
        >
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
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Stack>
            <Card withBorder>
              <Stack gap="sm">
                <Title order={4}>{t('distributions.what')}</Title>
                <Select
                  label={t('distributions.survey')}
                  placeholder={t('distributions.pickSurvey')}
                  description={
                    surveyOptions.length === 0 && surveys.data ? t('distributions.noActiveSurvey') : undefined
                  }
                  searchable
                  required
                  value={draft.surveyId}
                  onChange={(surveyId) => set({ surveyId, parentId: null })}
                  data={surveyOptions}
                  error={at('surveyId')}
                  data-testid="distribution-survey"
                />
                <TextInput
                  label={t('common.name')}
                  placeholder={t('distributions.namePlaceholder')}
                  required
                  value={draft.name}
                  onChange={(e) => set({ name: e.currentTarget.value })}
                  error={at('name')}
                  data-testid="distribution-name"
                />
                <Group grow align="flex-start">
                  <Stack gap={4}>
                    <Text size="sm" fw={500}>
                      {t('distributions.channel')}
                    </Text>
                    <SegmentedControl
                      value={draft.channel}
                      onChange={(value) => set({ channel: value as Channel })}
                      data={[
                        { value: 'email', label: t('distributions.channels.email') },
                        { value: 'sms', label: t('distributions.channels.sms') },
                      ]}
                      data-testid="distribution-channel"
                    />
                  </Stack>
                  <Stack gap={4}>
                    <Text size="sm" fw={500}>
                      {t('distributions.kind')}
                    </Text>
                    <SegmentedControl
                      value={draft.kind}
                      onChange={(value) => set({ kind: value as Kind })}
                      data={KINDS.map((value) => ({ value, label: t(`distributions.kinds.${value}`) }))}
                      data-testid="distribution-kind"
                    />
                  </Stack>
                </Group>
                {draft.kind !== 'invitation' && (
                  <Select
                    label={t('distributions.parent')}
                    description={t(`distributions.parentHint.${draft.kind}`)}
                    placeholder={
                      draft.surveyId ? t('distributions.pickParent') : t('distributions.pickSurveyFirst')
                    }
                    required
                    disabled={!draft.surveyId}
                    value={draft.parentId}
                    onChange={(parentId) => set({ parentId })}
                    data={(parents.data?.items ?? [])
                      .filter((d) => d.kind === 'invitation')
                      .map((d) => ({ value: String(d.id), label: d.name }))}
                    nothingFoundMessage={t('distributions.noParent')}
                    error={at('parentId')}
                    data-testid="distribution-parent"
                  />
                )}
              </Stack>
            </Card>

            {draft.kind === 'invitation' && (
              <Card withBorder>
                <Stack gap="sm">
                  <Title order={4}>{t('distributions.recipients')}</Title>
                  <RecipientsSection
                    draft={draft}
                    set={set}
                    directoryId={directoryId}
                    contacts={contacts}
                    accounts={accounts}
                    error={at('recipients')}
                  />
                </Stack>
              </Card>
            )}

            <Card withBorder>
              <Stack gap="sm">
                <Title order={4}>{t('distributions.message')}</Title>
                <MessageLibrary directoryId={directoryId} draft={draft} set={set} />
                <MessageSection
                  draft={draft}
                  set={set}
                  placeholders={placeholders}
                  problems={problems}
                  segments={draft.channel === 'sms' ? (preview.data?.segments ?? null) : null}
                />
              </Stack>
            </Card>

            <Card withBorder>
              <Stack gap="sm">
                <Title order={4}>{t('distributions.embedded')}</Title>
                <Text size="sm" c="dimmed">
                  {t('distributions.embeddedHint')}
                </Text>
                <EmbeddedSection
                  rows={draft.embedded}
                  onChange={(embedded) => set({ embedded })}
                  suggestions={survey?.embeddedFields ?? []}
                  contactAttributes={contactAttributes.map((a) => a.name)}
                  accountAttributes={accountAttributes.map((a) => a.name)}
                  error={at('embedded')}
                />
              </Stack>
            </Card>

            <Card withBorder>
              <Stack gap="sm">
                <Title order={4}>{t('distributions.options')}</Title>
                <NumberInput
                  label={t('distributions.linkExpiry')}
                  description={t('distributions.linkExpiryHint')}
                  min={1}
                  max={365}
                  w={260}
                  allowDecimal={false}
                  value={draft.linkExpiresInDays}
                  onChange={(v) => set({ linkExpiresInDays: v === '' ? '' : Number(v) })}
                  error={at('linkExpiresInDays')}
                />
                <Switch
                  label={t('distributions.transactional')}
                  description={t('distributions.transactionalHint')}
                  checked={draft.transactional}
                  onChange={(e) => set({ transactional: e.currentTarget.checked })}
                />
              </Stack>
            </Card>

            <Card withBorder>
              <Stack gap="sm">
                <Title order={4}>{t('distributions.when')}</Title>
                <SegmentedControl
                  value={draft.when}
                  onChange={(value) => set({ when: value as When })}
                  data={(['now', 'schedule', 'draft'] as const).map((value) => ({
                    value,
                    label: t(`distributions.whenOptions.${value}`),
                  }))}
                  data-testid="distribution-when"
                />
                {draft.when === 'schedule' && (
                  <Group align="flex-start">
                    <TextInput
                      type="datetime-local"
                      label={t('distributions.at')}
                      value={draft.at}
                      onChange={(e) => set({ at: e.currentTarget.value })}
                      error={at('schedule.at', 'schedule')}
                      data-testid="distribution-at"
                    />
                    <Select
                      label={t('distributions.timeZone')}
                      searchable
                      allowDeselect={false}
                      w={260}
                      value={draft.timeZone}
                      onChange={(timeZone) => timeZone && set({ timeZone })}
                      data={zones}
                      limit={200}
                      error={at('schedule.timeZone')}
                      data-testid="distribution-timezone"
                    />
                  </Group>
                )}
                {draft.when === 'schedule' && instant && (
                  <Text size="sm" c="dimmed">
                    {t('distributions.scheduleMeans', {
                      local: instant.toLocaleString(i18n.language, { dateStyle: 'full', timeStyle: 'short' }),
                    })}
                    {instant.getTime() < Date.now() && ` ${t('distributions.scheduleInPast')}`}
                  </Text>
                )}
                <Text size="sm" c="dimmed">
                  {t(`distributions.whenHint.${draft.when}`)}
                </Text>
              </Stack>
            </Card>

            <Group justify="flex-end">
              <Button
                variant="default"
                component={Link}
                to={existing ? `/distributions/${existing.id}` : '/distributions'}
              >
                {t('common.cancel')}
              </Button>
              <Button onClick={submit} loading={save.isPending} data-testid="distribution-submit">
                {submitLabel}
              </Button>
            </Group>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Box pos="sticky" top={72}>
            <PreviewPanel
              draft={draft}
              preview={preview}
              contacts={previewContacts}
              contactId={previewContact}
              onContact={setPreviewContact}
            />
          </Box>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
