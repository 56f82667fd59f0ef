import { Alert, Button, Group, JsonInput, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Definition } from './definition-edit.ts';

/** The whole SurveyJS definition, for everything the builder does not show; applied when valid JSON. */
export function JsonPanel({
  definition,
  onChange,
  readOnly,
}: {
  definition: Definition;
  onChange: (definition: Definition) => void;
  readOnly: boolean;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState(() => JSON.stringify(definition, null, 2));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setText(JSON.stringify(definition, null, 2)), [definition]);
  const apply = () => {
    try {
      const parsed: unknown = JSON.parse(text);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new Error(t('surveys.jsonObject'));
      setError(null);
      onChange(parsed as Definition);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <Stack>
      <Text size="sm" c="dimmed">
        {t('surveys.jsonHint')}
      </Text>
      <JsonInput
        value={text}
        onChange={setText}
        autosize
        minRows={20}
        maxRows={40}
        readOnly={readOnly}
        ff="monospace"
        aria-label={t('surveys.tabs.json')}
        data-testid="survey-json"
      />
      {error && (
        <Alert color="red" data-testid="json-error">
          {error}
        </Alert>
      )}
      {!readOnly && (
        <Group>
          <Button variant="light" onClick={apply} data-testid="json-apply">
            {t('surveys.applyJson')}
          </Button>
        </Group>
      )}
    </Stack>
  );
}
