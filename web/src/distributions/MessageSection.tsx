import { Group, SegmentedControl, Select, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { type Draft, problemsAt } from './form-model.ts';
import { type PlaceholderGroup, TemplateField } from './TemplateField.tsx';
import { PHONE_FIELDS, type PhoneField, type Problem } from './types.ts';

// Shown as written in the hints (i18next would read {{ link }} in a translation as its own variable).
const LINK = { link: '{{ link }}' };

/** The email (sender, subject, HTML and text bodies) or the SMS (mode, number, body). */
export function MessageSection({
  draft,
  set,
  placeholders,
  problems,
  segments,
}: {
  draft: Draft;
  set: (patch: Partial<Draft>) => void;
  placeholders: PlaceholderGroup[];
  problems: Problem[];
  segments: number | null;
}) {
  const { t } = useTranslation();
  const at = (path: string) => problemsAt(problems, path);
  const needsLink = draft.kind !== 'thank_you';

  if (draft.channel === 'sms') {
    const sms = draft.sms;
    const setSms = (patch: Partial<Draft['sms']>) => set({ sms: { ...sms, ...patch } });
    return (
      <Stack gap="sm">
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            {t('distributions.smsMode')}
          </Text>
          <SegmentedControl
            value={sms.mode}
            onChange={(mode) => setSms({ mode: mode as Draft['sms']['mode'] })}
            data={[
              { value: 'one_way', label: t('distributions.smsModes.one_way') },
              { value: 'two_way', label: t('distributions.smsModes.two_way') },
            ]}
            data-testid="sms-mode"
          />
        </Stack>
        <Text size="sm" c="dimmed">
          {t(`distributions.smsModeHint.${sms.mode}`)}
        </Text>
        <Select
          label={t('distributions.phoneField')}
          allowDeselect={false}
          w={280}
          value={sms.phoneField}
          onChange={(value) => value && setSms({ phoneField: value as PhoneField })}
          data={PHONE_FIELDS.map((value) => ({ value, label: t(`distributions.phoneFields.${value}`) }))}
          error={at('message.phoneField')}
        />
        <TemplateField
          label={t('distributions.smsBody')}
          multiline
          minRows={3}
          required
          value={sms.body}
          onChange={(body) => setSms({ body })}
          placeholders={placeholders}
          error={at('message.body') ?? at('message.mode')}
          description={
            <>
              {t('distributions.characters', { count: sms.body.length })}
              {segments !== null && ` · ${t('distributions.segments', { count: segments })}`}
              {needsLink && sms.mode === 'one_way' && ` · ${t('distributions.needsLink', LINK)}`}
            </>
          }
          testId="sms-body"
        />
      </Stack>
    );
  }

  const email = draft.email;
  const setEmail = (patch: Partial<Draft['email']>) => set({ email: { ...email, ...patch } });
  return (
    <Stack gap="sm">
      <Group grow align="flex-start">
        <TextInput
          label={t('distributions.fromName')}
          required
          value={email.fromName}
          onChange={(e) => setEmail({ fromName: e.currentTarget.value })}
          error={at('message.fromName')}
          data-testid="from-name"
        />
        <TextInput
          label={t('distributions.fromAddress')}
          placeholder={t('distributions.providerDefault')}
          type="email"
          value={email.fromAddress}
          onChange={(e) => setEmail({ fromAddress: e.currentTarget.value })}
          error={at('message.fromAddress')}
        />
        <TextInput
          label={t('distributions.replyTo')}
          type="email"
          value={email.replyTo}
          onChange={(e) => setEmail({ replyTo: e.currentTarget.value })}
          error={at('message.replyTo')}
        />
      </Group>
      <TemplateField
        label={t('distributions.subject')}
        required
        value={email.subject}
        onChange={(subject) => setEmail({ subject })}
        placeholders={placeholders}
        error={at('message.subject')}
        testId="email-subject"
      />
      <TemplateField
        label={t('distributions.htmlBody')}
        multiline
        html
        minRows={6}
        value={email.html}
        onChange={(html) => setEmail({ html })}
        placeholders={placeholders}
        error={at('message.html')}
        description={t('distributions.htmlHint', LINK)}
        testId="email-html"
      />
      <TemplateField
        label={t('distributions.textBody')}
        multiline
        required
        minRows={5}
        value={email.text}
        onChange={(text) => setEmail({ text })}
        placeholders={placeholders}
        error={at('message.text')}
        description={needsLink ? t('distributions.textHint', LINK) : undefined}
        testId="email-text"
      />
      <Switch
        label={t('distributions.trackOpens')}
        description={t('distributions.trackOpensHint')}
        checked={email.trackOpens}
        onChange={(e) => setEmail({ trackOpens: e.currentTarget.checked })}
      />
    </Stack>
  );
}
