import { Badge, Group, ScrollArea, Table, Text, Textarea } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import {
  type Definition,
  locText,
  SURVEY_LOCALES,
  setAtPath,
  translatableTexts,
  translationCoverage,
  withLocText,
} from './definition-edit.ts';

/** Every respondent-facing text in one row, one column per language, edited side by side. */
export function TranslationsPanel({
  definition,
  onChange,
  readOnly,
}: {
  definition: Definition;
  onChange: (definition: Definition) => void;
  readOnly: boolean;
}) {
  const { t } = useTranslation();
  const texts = translatableTexts(definition);
  const coverage = translationCoverage(definition);
  return (
    <>
      <Group mb="sm" gap="xs">
        {SURVEY_LOCALES.map((locale) => (
          <Badge key={locale} variant="light" color={coverage[locale] === 1 ? 'green' : 'yellow'}>
            {t(`surveys.locales.${locale}`)} {Math.round(coverage[locale] * 100)}%
          </Badge>
        ))}
      </Group>
      <ScrollArea>
        <Table miw={1000} data-testid="translations-table" verticalSpacing={4}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={180}>{t('surveys.text')}</Table.Th>
              {SURVEY_LOCALES.map((locale) => (
                <Table.Th key={locale}>{t(`surveys.locales.${locale}`)}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {texts.map((text) => (
              <Table.Tr key={text.path.join('.')}>
                <Table.Td>
                  <Text size="xs" ff="monospace" c="dimmed">
                    {text.label}
                  </Text>
                </Table.Td>
                {SURVEY_LOCALES.map((locale) => (
                  <Table.Td key={locale}>
                    <Textarea
                      size="xs"
                      autosize
                      minRows={1}
                      aria-label={`${text.label} (${locale})`}
                      value={locText(text.value, locale)}
                      readOnly={readOnly}
                      placeholder={locale === 'default' ? '' : locText(text.value, 'default')}
                      onChange={(e) =>
                        onChange(
                          setAtPath(
                            definition,
                            text.path,
                            withLocText(text.value, locale, e.currentTarget.value),
                          ),
                        )
                      }
                    />
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
    </>
  );
}
