import { Group, Progress, Table, Text } from '@mantine/core';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { daysSince, percent, relativeDays, score, signed } from './format.ts';
import { type AccountHealth, COMPONENTS, type Component, type HealthModel } from './types.ts';

const barColor = (value: number) => (value < 40 ? 'red' : value < 70 ? 'yellow' : 'teal');

/** What each component is made of, in words, from the account's figures and the model. */
function explain(t: TFunction, lang: string, c: Component, a: AccountHealth, model: HealthModel): string {
  switch (c) {
    case 'nps':
      return t('health.explain.nps', {
        weighted: signed(a.weightedNps, lang),
        nps: signed(a.nps, lang),
        count: a.npsAnswers,
      });
    case 'coverage':
      return a.silentRoles.length
        ? t('health.explain.coverageSilent', {
            share: percent(a.coverage, lang),
            days: model.coverageDays,
            roles: a.silentRoles.map((r) => t(`clientRoles.${r}`, { defaultValue: r })).join(', '),
          })
        : t('health.explain.coverage', { share: percent(a.coverage, lang), days: model.coverageDays });
    case 'recency': {
      const days = daysSince(a.lastFeedbackAt);
      return days === null
        ? t('health.explain.recencyNever')
        : t('health.explain.recency', {
            ago: relativeDays(-days, lang),
            fresh: model.freshDays,
            stale: model.staleDays,
          });
    }
    case 'trend':
      return t('health.explain.trend', {
        from: signed(a.npsPrev, lang),
        to: signed(a.nps, lang),
        days: model.windowDays,
      });
    case 'csat':
      return t('health.explain.csat', { csat: score(a.csat, lang) });
    case 'tickets':
      return t('health.explain.tickets', { count: a.openTickets });
  }
}

/**
 * The score explains itself: each component's 0–100, its weight in the model, and the points it
 * adds to the health (weight × score / the weights of the components the account has data for).
 */
export function ComponentsBreakdown({ health, model }: { health: AccountHealth; model: HealthModel }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const counted = COMPONENTS.filter((c) => health.components[c] !== undefined && model.weights[c] > 0);
  const totalWeight = counted.reduce((s, c) => s + model.weights[c], 0);
  const points = (c: Component) =>
    counted.includes(c) && totalWeight > 0 ? (model.weights[c] * health.components[c]!) / totalWeight : null;
  const sum = counted.reduce((s, c) => s + (points(c) ?? 0), 0);
  // With child accounts the score is a blend of the accounts' own scores, not of these components.
  const ownScore = health.scope === 'own';
  return (
    <>
      <Table.ScrollContainer minWidth={460}>
        <Table verticalSpacing={6} data-testid="health-components">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('health.component')}</Table.Th>
              <Table.Th w={150}>{t('health.componentScore')}</Table.Th>
              <Table.Th ta="right">{t('health.weight')}</Table.Th>
              {ownScore && <Table.Th ta="right">{t('health.points')}</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {COMPONENTS.map((c) => {
              const value = health.components[c];
              const p = points(c);
              return (
                <Table.Tr key={c} data-testid={`component-${c}`} opacity={value === undefined ? 0.65 : 1}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {t(`health.components.${c}`)}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {value === undefined ? t('health.explain.missing') : explain(t, lang, c, health, model)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {value === undefined ? (
                      <Text size="sm" c="dimmed">
                        —
                      </Text>
                    ) : (
                      <Group gap="xs" wrap="nowrap">
                        <Text size="sm" w={36} ta="right" data-testid="component-value">
                          {score(value, lang)}
                        </Text>
                        <Progress value={value} color={barColor(value)} w={90} size="sm" />
                      </Group>
                    )}
                  </Table.Td>
                  <Table.Td ta="right">
                    <Text
                      size="sm"
                      c={model.weights[c] === 0 ? 'dimmed' : undefined}
                      data-testid="component-weight"
                    >
                      {model.weights[c]}
                    </Text>
                  </Table.Td>
                  {ownScore && (
                    <Table.Td ta="right">
                      <Text size="sm">{p === null ? '—' : score(Math.round(p * 10) / 10, lang)}</Text>
                    </Table.Td>
                  )}
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Text size="xs" c="dimmed" mt={6} data-testid="health-formula">
        {health.scope === 'subtree'
          ? model.worstChildCap === null
            ? t('health.formulaSubtree')
            : t('health.formulaSubtreeCap', { cap: model.worstChildCap })
          : health.health === null
            ? t('health.formulaInsufficient', {
                count: health.responses,
                min: model.minResponses,
                days: model.windowDays,
              })
            : t('health.formula', {
                sum: score(Math.round(sum * 10) / 10, lang),
                weights: totalWeight,
              })}
      </Text>
    </>
  );
}
