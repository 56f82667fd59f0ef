import { Card, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { LOW_SAMPLE, type SurveyResults } from './types.ts';

/** NPS and CSAT by the respondents' client role: in B2B, who is unhappy matters as much as how many. */
export function RoleBreakdown({ byRole }: { byRole: SurveyResults['byRole'] }) {
  const { t } = useTranslation();
  return (
    <Card withBorder data-testid="results-by-role">
      <Title order={5} mb="xs">
        {t('results.byRole')}
      </Title>
      {byRole.length === 0 ? (
        <Text c="dimmed">{t('results.noRoles')}</Text>
      ) : (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('results.role')}</Table.Th>
              <Table.Th ta="right">{t('results.responses')}</Table.Th>
              <Table.Th ta="right">{t('results.nps')}</Table.Th>
              <Table.Th ta="right">{t('results.csat')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {byRole.map((row) => (
              <Table.Tr key={row.role}>
                <Table.Td>{t(`clientRoles.${row.role}`, { defaultValue: row.role })}</Table.Td>
                <Table.Td ta="right">{row.responses}</Table.Td>
                <Table.Td ta="right" c={row.nps && row.nps.n < LOW_SAMPLE ? 'dimmed' : undefined}>
                  {row.nps ? `${row.nps.score} (± ${row.nps.margin})` : '—'}
                </Table.Td>
                <Table.Td ta="right">
                  {row.csat?.satisfied ? `${row.csat.satisfied.percent} %` : '—'}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}
