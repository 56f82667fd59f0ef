import { Alert, Card, Group, Progress, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { percent } from './format.ts';
import { HEALTH_KEY } from './parts.tsx';
import type { ChurnFit, Component } from './types.ts';

/** |coefficient| per standard deviation: how much a component moves the odds of churn. */
const strength = (c: number) => (Math.abs(c) < 0.1 ? 'none' : Math.abs(c) < 0.5 ? 'some' : 'strong');

/**
 * Does health predict churn here? A logistic regression on the components of accounts whose
 * outcome is known, measured on accounts held out of the fit, beside always guessing the commoner
 * outcome; each coefficient said in words.
 */
export function ChurnFitReport({ directoryId }: { directoryId: number }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const fit = useQuery({
    queryKey: [HEALTH_KEY, 'fit', directoryId],
    queryFn: () => api.get<ChurnFit>(`/directories/${directoryId}/health-model/fit`),
  });
  return (
    <Card withBorder data-testid="churn-fit">
      <Stack gap="sm">
        <Title order={4}>{t('health.fit.title')}</Title>
        <Text size="sm" c="dimmed">
          {t('health.fit.intro')}
        </Text>
        {fit.isPending ? (
          <Loading />
        ) : fit.isError ? (
          <ErrorState error={fit.error} onRetry={() => void fit.refetch()} />
        ) : !fit.data.fitted ? (
          <Alert color="gray" title={t('health.fit.notFitted')} data-testid="fit-not-fitted">
            {t('health.fit.tooFew', {
              attribute: fit.data.outcomeAttribute,
              labelled: fit.data.labelled,
              train: fit.data.train,
              test: fit.data.test,
            })}
          </Alert>
        ) : (
          <>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <Stack gap={0}>
                <Text size="sm" c="dimmed">
                  {t('health.fit.accuracy')}
                </Text>
                <Text fz={28} fw={700} data-testid="fit-accuracy">
                  {percent(fit.data.accuracy, lang, 1)}
                </Text>
                <Text size="xs" c="dimmed">
                  {t('health.fit.baseline', { baseline: percent(fit.data.baselineAccuracy, lang, 1) })}
                </Text>
              </Stack>
              <Stack gap={0}>
                <Text size="sm" c="dimmed">
                  {t('health.fit.auc')}
                </Text>
                <Text fz={28} fw={700}>
                  {fit.data.auc === null || fit.data.auc === undefined
                    ? '—'
                    : fit.data.auc.toLocaleString(lang, { maximumFractionDigits: 2 })}
                </Text>
                {typeof fit.data.auc === 'number' && (
                  <Text size="xs" c="dimmed">
                    {t('health.fit.aucMeaning', { share: percent(fit.data.auc, lang) })}
                  </Text>
                )}
              </Stack>
              <Stack gap={0}>
                <Text size="sm" c="dimmed">
                  {t('health.fit.accounts')}
                </Text>
                <Text fz={28} fw={700}>
                  {fit.data.labelled}
                </Text>
                <Text size="xs" c="dimmed">
                  {t('health.fit.split', {
                    train: fit.data.train,
                    test: fit.data.test,
                    attribute: fit.data.outcomeAttribute,
                  })}
                </Text>
              </Stack>
            </SimpleGrid>
            <Text
              size="sm"
              fw={500}
              c={(fit.data.accuracy ?? 0) > (fit.data.baselineAccuracy ?? 0) ? 'teal.7' : 'orange.7'}
            >
              {(fit.data.accuracy ?? 0) > (fit.data.baselineAccuracy ?? 0)
                ? t('health.fit.better')
                : t('health.fit.notBetter')}
            </Text>
            <Table data-testid="fit-coefficients">
              <Table.Tbody>
                {Object.entries(fit.data.coefficients ?? {})
                  .sort(([, a], [, b]) => Math.abs(b ?? 0) - Math.abs(a ?? 0))
                  .map(([component, c]) => {
                    const value = c ?? 0;
                    const s = strength(value);
                    return (
                      <Table.Tr key={component}>
                        <Table.Td>
                          <Text size="sm">
                            {s === 'none'
                              ? t('health.fit.noEffect', {
                                  component: t(`health.components.${component as Component}`),
                                })
                              : t(value < 0 ? 'health.fit.lowers' : 'health.fit.raises', {
                                  component: t(`health.components.${component as Component}`),
                                  strength: t(`health.fit.strength.${s}`),
                                })}
                          </Text>
                        </Table.Td>
                        <Table.Td w={200}>
                          <Group gap={0} wrap="nowrap">
                            <Progress
                              w={80}
                              value={value < 0 ? Math.min(100, Math.abs(value) * 50) : 0}
                              color="teal"
                              style={{ transform: 'scaleX(-1)' }}
                              size="sm"
                            />
                            <Progress
                              w={80}
                              value={value > 0 ? Math.min(100, value * 50) : 0}
                              color="red"
                              size="sm"
                            />
                          </Group>
                        </Table.Td>
                        <Table.Td ta="right" w={70}>
                          <Text size="xs" c="dimmed" ff="monospace">
                            {value.toLocaleString(lang, { signDisplay: 'always', maximumFractionDigits: 2 })}
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
              </Table.Tbody>
            </Table>
            <Text size="xs" c="dimmed">
              {t('health.fit.coefficientsHint')}
            </Text>
          </>
        )}
      </Stack>
    </Card>
  );
}
