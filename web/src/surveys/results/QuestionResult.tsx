import { BarChart } from '@mantine/charts';
import { Badge, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../i18n/index.ts';
import type { QuestionResult as Result } from './types.ts';

/** One question's answers: a bar per option, a grid for a matrix, the latest texts for a text question. */
export function QuestionResult({ question }: { question: Result }) {
  const { t } = useTranslation();
  return (
    <Card withBorder data-testid={`question-${question.name}`}>
      <Group justify="space-between" mb="xs" wrap="nowrap" align="flex-start">
        <Title order={5}>{question.title || question.name}</Title>
        <Group gap="xs" wrap="nowrap" style={{ flexShrink: 0 }}>
          {question.mean !== null && (
            <Badge variant="light">{t('results.mean', { mean: question.mean })}</Badge>
          )}
          <Badge variant="outline" color="gray">
            {t('results.answered', { count: question.answered })}
          </Badge>
        </Group>
      </Group>
      <QuestionBody question={question} />
    </Card>
  );
}

function QuestionBody({ question }: { question: Result }) {
  const { t, i18n } = useTranslation();
  if (question.kind === 'text') {
    const texts = question.texts ?? { total: 0, items: [] };
    if (texts.total === 0) return <Text c="dimmed">{t('results.noAnswers')}</Text>;
    return (
      <Stack gap="xs">
        {texts.items.map((item) => (
          <Text key={item.responseId} size="sm" style={{ whiteSpace: 'pre-wrap' }}>
            “{item.text}”{' '}
            <Text span size="xs" c="dimmed">
              — {formatDateTime(item.at, i18n.language)}
            </Text>
          </Text>
        ))}
        {texts.total > texts.items.length && (
          <Text size="sm" c="dimmed">
            {t('results.moreTexts', { shown: texts.items.length, total: texts.total })}
          </Text>
        )}
      </Stack>
    );
  }
  if (question.kind === 'matrix') return <MatrixGrid question={question} />;
  if (question.kind === 'other')
    return <Text c="dimmed">{t('results.notCharted', { type: question.type })}</Text>;
  const total =
    question.kind === 'multiple' ? question.answered : question.options.reduce((s, o) => s + o.count, 0);
  const data = question.options.map((o) => ({
    option: o.text,
    count: o.count,
    percent: total ? Math.round((o.count / total) * 1000) / 10 : 0,
  }));
  return (
    <BarChart
      h={Math.max(120, data.length * (question.kind === 'rating' ? 14 : 30))}
      data={data}
      dataKey="option"
      orientation={question.kind === 'rating' ? 'horizontal' : 'vertical'}
      series={[{ name: 'count', label: t('results.responses'), color: 'indigo.6' }]}
      valueFormatter={(value) => String(value)}
      withBarValueLabel
      gridAxis="none"
      xAxisProps={question.kind === 'rating' ? undefined : { allowDecimals: false }}
      yAxisProps={question.kind === 'rating' ? { allowDecimals: false } : { width: 140 }}
    />
  );
}

/** A matrix as a grid whose cells darken with their share of the row. */
function MatrixGrid({ question }: { question: Result }) {
  return (
    <Table withTableBorder withColumnBorders>
      <Table.Thead>
        <Table.Tr>
          <Table.Th />
          {question.options.map((column) => (
            <Table.Th key={String(column.value)} ta="center">
              {column.text}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {question.rows.map((row) => {
          const rowTotal = row.counts.reduce((s, c) => s + c.count, 0);
          return (
            <Table.Tr key={String(row.value)}>
              <Table.Td>{row.text}</Table.Td>
              {row.counts.map((cell) => {
                const share = rowTotal ? cell.count / rowTotal : 0;
                return (
                  <Table.Td
                    key={String(cell.value)}
                    ta="center"
                    style={{ background: `rgba(76, 110, 245, ${0.08 + share * 0.6})` }}
                  >
                    {cell.count}
                  </Table.Td>
                );
              })}
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
