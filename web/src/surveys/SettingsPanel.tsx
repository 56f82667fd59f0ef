import { Checkbox, Select, Stack, TagsInput, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { type Definition, questionsOf } from './definition-edit.ts';

export interface SurveySettings {
  name: string;
  embeddedFields: string[];
  metrics: { npsQuestion?: string; csatQuestion?: string };
  allowMultipleResponses: boolean;
}

/** Name, declared embedded data, which questions feed NPS and CSAT, responses per link. */
export function SettingsPanel({
  settings,
  definition,
  onChange,
  readOnly,
}: {
  settings: SurveySettings;
  definition: Definition;
  onChange: (settings: SurveySettings) => void;
  readOnly: boolean;
}) {
  const { t } = useTranslation();
  const ratings = questionsOf(definition)
    .filter((q) => q.element.type === 'rating')
    .map((q) => String(q.element.name));
  const metric = (key: 'npsQuestion' | 'csatQuestion', value: string | null) => {
    const metrics = { ...settings.metrics };
    if (value) metrics[key] = value;
    else delete metrics[key];
    onChange({ ...settings, metrics });
  };
  return (
    <Stack maw={560}>
      <TextInput
        label={t('common.name')}
        value={settings.name}
        readOnly={readOnly}
        onChange={(e) => onChange({ ...settings, name: e.currentTarget.value })}
      />
      <TagsInput
        label={t('surveys.embeddedFields')}
        description={t('surveys.embeddedHint')}
        value={settings.embeddedFields}
        readOnly={readOnly}
        onChange={(embeddedFields) => onChange({ ...settings, embeddedFields })}
        data={['sfAccountId', 'sfContactId', 'sfSurveyId', 'sfLeadId', 'sfCaseId']}
        data-testid="embedded-fields"
      />
      <Select
        label={t('surveys.npsQuestion')}
        clearable
        data={ratings}
        value={settings.metrics.npsQuestion ?? null}
        readOnly={readOnly}
        onChange={(v) => metric('npsQuestion', v)}
      />
      <Select
        label={t('surveys.csatQuestion')}
        clearable
        data={ratings}
        value={settings.metrics.csatQuestion ?? null}
        readOnly={readOnly}
        onChange={(v) => metric('csatQuestion', v)}
      />
      <Checkbox
        label={t('surveys.allowMultiple')}
        checked={settings.allowMultipleResponses}
        disabled={readOnly}
        onChange={(e) => onChange({ ...settings, allowMultipleResponses: e.currentTarget.checked })}
      />
    </Stack>
  );
}
