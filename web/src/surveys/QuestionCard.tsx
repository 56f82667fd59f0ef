import {
  ActionIcon,
  Badge,
  Checkbox,
  Group,
  NumberInput,
  Paper,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { type Json, locText, setProp, withLocText } from './definition-edit.ts';
import { ItemsEditor } from './ItemsEditor.tsx';

interface Props {
  question: Json;
  otherNames: string[];
  readOnly: boolean;
  onChange: (question: Json) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}

const CHOICE_TYPES = new Set(['radiogroup', 'checkbox', 'dropdown', 'tagbox']);

/** One question: its texts in the default language, logic, and what its type needs. */
export function QuestionCard({ question, otherNames, readOnly, onChange, onMove, onRemove }: Props) {
  const { t } = useTranslation();
  const type = String(question.type);
  const name = String(question.name ?? '');
  const text = (key: string) => locText(question[key], 'default');
  const setText = (key: string, value: string) =>
    onChange(setProp(question, key, withLocText(question[key], 'default', value)));
  const nameTaken = otherNames.includes(name);
  return (
    <Paper withBorder p="sm" data-testid={`question-${name}`}>
      <Stack gap="xs">
        <Group justify="space-between">
          <Group gap="xs">
            <Badge variant="light">{type}</Badge>
            <TextInput
              size="xs"
              aria-label={t('surveys.questionName')}
              value={name}
              readOnly={readOnly}
              error={
                nameTaken
                  ? t('surveys.nameTaken')
                  : !/^[A-Za-z_][\w-]*$/.test(name)
                    ? t('surveys.nameInvalid')
                    : undefined
              }
              onChange={(e) => onChange(setProp(question, 'name', e.currentTarget.value))}
              ff="monospace"
            />
          </Group>
          {!readOnly && (
            <Group gap={4}>
              <ActionIcon variant="subtle" aria-label={t('surveys.moveUp')} onClick={() => onMove(-1)}>
                <IconArrowUp size={16} />
              </ActionIcon>
              <ActionIcon variant="subtle" aria-label={t('surveys.moveDown')} onClick={() => onMove(1)}>
                <IconArrowDown size={16} />
              </ActionIcon>
              <ActionIcon variant="subtle" color="red" aria-label={t('common.remove')} onClick={onRemove}>
                <IconTrash size={16} />
              </ActionIcon>
            </Group>
          )}
        </Group>
        <TextInput
          label={t('surveys.questionTitle')}
          description={t('surveys.pipedHint')}
          value={text('title')}
          readOnly={readOnly}
          onChange={(e) => setText('title', e.currentTarget.value)}
        />
        <Group grow align="flex-start">
          <TextInput
            label={t('surveys.visibleIf')}
            description={t('surveys.visibleIfHint')}
            placeholder="{nps} <= 6"
            ff="monospace"
            value={String(question.visibleIf ?? '')}
            readOnly={readOnly}
            onChange={(e) => onChange(setProp(question, 'visibleIf', e.currentTarget.value))}
          />
          <Checkbox
            mt={32}
            label={t('surveys.required')}
            checked={question.isRequired === true}
            disabled={readOnly}
            onChange={(e) => onChange(setProp(question, 'isRequired', e.currentTarget.checked || undefined))}
          />
        </Group>
        {type === 'rating' && (
          <Group grow>
            <NumberInput
              label={t('surveys.rateMin')}
              value={Number(question.rateMin ?? 1)}
              readOnly={readOnly}
              onChange={(v) => onChange(setProp(question, 'rateMin', Number(v)))}
            />
            <NumberInput
              label={t('surveys.rateMax')}
              value={Number(question.rateMax ?? 5)}
              readOnly={readOnly}
              onChange={(v) => onChange(setProp(question, 'rateMax', Number(v)))}
            />
            <TextInput
              label={t('surveys.minLabel')}
              value={text('minRateDescription')}
              readOnly={readOnly}
              onChange={(e) => setText('minRateDescription', e.currentTarget.value)}
            />
            <TextInput
              label={t('surveys.maxLabel')}
              value={text('maxRateDescription')}
              readOnly={readOnly}
              onChange={(e) => setText('maxRateDescription', e.currentTarget.value)}
            />
          </Group>
        )}
        {CHOICE_TYPES.has(type) && (
          <>
            <ItemsEditor
              label={t('surveys.choices')}
              items={question.choices}
              readOnly={readOnly}
              onChange={(items) => onChange(setProp(question, 'choices', items))}
            />
            <Checkbox
              label={t('surveys.hasOther')}
              checked={question.showOtherItem === true || question.hasOther === true}
              disabled={readOnly}
              onChange={(e) =>
                onChange(
                  setProp(
                    setProp(question, 'hasOther', undefined),
                    'showOtherItem',
                    e.currentTarget.checked || undefined,
                  ),
                )
              }
            />
          </>
        )}
        {type === 'matrix' && (
          <Group grow align="flex-start">
            <ItemsEditor
              label={t('surveys.rows')}
              items={question.rows}
              readOnly={readOnly}
              onChange={(items) => onChange(setProp(question, 'rows', items))}
            />
            <ItemsEditor
              label={t('surveys.columns')}
              items={question.columns}
              readOnly={readOnly}
              onChange={(items) => onChange(setProp(question, 'columns', items))}
            />
          </Group>
        )}
        {!CHOICE_TYPES.has(type) && !['rating', 'matrix', 'comment', 'text', 'boolean'].includes(type) && (
          <Text size="sm" c="dimmed">
            {t('surveys.editInJson')}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
