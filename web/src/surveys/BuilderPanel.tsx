import { Button, Card, Group, Menu, Stack, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import {
  addPage,
  addQuestion,
  type Definition,
  moveQuestion,
  newQuestion,
  QUESTION_KINDS,
  removeQuestion,
  updateQuestion,
} from './definition-edit.ts';
import { QuestionCard } from './QuestionCard.tsx';

interface Props {
  definition: Definition;
  onChange: (definition: Definition) => void;
  readOnly: boolean;
}

/** Pages and their questions; each question edited in place, anything rarer in the JSON tab. */
export function BuilderPanel({ definition, onChange, readOnly }: Props) {
  const { t } = useTranslation();
  const pages = definition.pages ?? [];
  const names = pages.flatMap((p) => (p.elements ?? []).map((e) => String(e.name)));
  return (
    <Stack>
      {pages.map((page, pageIndex) => (
        <Card key={page.name} withBorder data-testid={`page-${page.name}`}>
          <Text fw={600} mb="sm">
            {t('surveys.page', { n: pageIndex + 1 })}{' '}
            <Text span c="dimmed" ff="monospace" size="sm">
              {page.name}
            </Text>
          </Text>
          <Stack>
            {(page.elements ?? []).map((question, index) => (
              <QuestionCard
                // biome-ignore lint/suspicious/noArrayIndexKey: the name is edited in the card; a key from it would remount the card on each keystroke
                key={index}
                question={question}
                otherNames={names.filter((n) => n !== question.name)}
                readOnly={readOnly}
                onChange={(next) => onChange(updateQuestion(definition, pageIndex, index, () => next))}
                onMove={(by) => onChange(moveQuestion(definition, pageIndex, index, by))}
                onRemove={() => onChange(removeQuestion(definition, pageIndex, index))}
              />
            ))}
            {!readOnly && (
              <Menu position="bottom-start">
                <Menu.Target>
                  <Button
                    variant="light"
                    leftSection={<IconPlus size={16} />}
                    w="fit-content"
                    data-testid="add-question"
                  >
                    {t('surveys.addQuestion')}
                  </Button>
                </Menu.Target>
                <Menu.Dropdown>
                  {QUESTION_KINDS.map((kind) => (
                    <Menu.Item
                      key={kind}
                      onClick={() =>
                        onChange(addQuestion(definition, pageIndex, newQuestion(definition, kind)))
                      }
                    >
                      {t(`surveys.kinds.${kind}`)}
                    </Menu.Item>
                  ))}
                </Menu.Dropdown>
              </Menu>
            )}
          </Stack>
        </Card>
      ))}
      {!readOnly && (
        <Group>
          <Button variant="default" onClick={() => onChange(addPage(definition))}>
            {t('surveys.addPage')}
          </Button>
        </Group>
      )}
    </Stack>
  );
}
