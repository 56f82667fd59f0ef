import {
  Alert,
  Anchor,
  Autocomplete,
  Button,
  Card,
  Group,
  List,
  MultiSelect,
  NumberInput,
  SimpleGrid,
  Slider,
  Stack,
  Switch,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError, api, errorMessage } from '../api/client.ts';
import { type AttributeDefinition, CLIENT_ROLES } from '../api/types.ts';
import { useCan } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { DirectoryPicker, NoDirectory, useCurrentDirectory } from '../directory/current-directory.tsx';
import { ChurnFitReport } from './ChurnFitReport.tsx';
import { HEALTH_KEY, useHealthModel } from './parts.tsx';
import { COMPONENTS, type HealthModel } from './types.ts';

interface Problem {
  path: string;
  message: string;
}

/**
 * The health model of the current directory (Settings → Health model): the components' weights,
 * the client roles' weights, key roles, windows and thresholds, attribute names, the worst-child
 * cap. Writers edit it; saving recomputes every account. Below it, how well it predicts churn.
 */
export function HealthModelPanel() {
  const { t } = useTranslation();
  const { directories, current, pick } = useCurrentDirectory();
  if (directories.isError) return <ErrorState error={directories.error} />;
  if (current === undefined) return <Loading />;
  if (current === null) return <NoDirectory onCreated={pick} />;
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Text c="dimmed" size="sm" maw={760}>
          {t('health.model.intro')}{' '}
          <Anchor component={Link} to="/" size="sm">
            {t('health.title')}
          </Anchor>
        </Text>
        <DirectoryPicker current={current} items={directories.data!.items} onPick={pick} />
      </Group>
      <ModelEditor key={current.id} directoryId={current.id} />
      <ChurnFitReport directoryId={current.id} />
    </Stack>
  );
}

function ModelEditor({ directoryId }: { directoryId: number }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const canWrite = useCan('data:write');
  const saved = useHealthModel(directoryId);
  const attributes = useQuery({
    queryKey: ['attributes', directoryId],
    queryFn: () => api.get<{ items: AttributeDefinition[] }>(`/directories/${directoryId}/attributes`),
  });
  const [model, setModel] = useState<HealthModel | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    if (saved.data) setModel(saved.data);
  }, [saved.data]);
  const save = useMutation({
    mutationFn: () => api.put<HealthModel>(`/directories/${directoryId}/health-model`, model),
    onSuccess: (result) => {
      client.setQueryData([HEALTH_KEY, 'model', directoryId], result);
      setProblems([]);
      setFailure(null);
      notifications.show({ color: 'green', message: t('health.model.saved') });
      // The server recomputes every account in the background: look again once it is done.
      setTimeout(() => void client.invalidateQueries({ queryKey: [HEALTH_KEY] }), 3000);
    },
    onError: (e) => {
      setProblems(e instanceof ApiError && Array.isArray(e.details) ? (e.details as Problem[]) : []);
      setFailure(errorMessage(e));
    },
  });

  if (saved.isError) return <ErrorState error={saved.error} onRetry={() => void saved.refetch()} />;
  if (!model) return <Loading />;
  const readOnly = !canWrite;
  const dirty = JSON.stringify(model) !== JSON.stringify(saved.data);
  const set = (patch: Partial<HealthModel>) => setModel({ ...model, ...patch });
  const num = (v: string | number, fallback: number) => (v === '' ? fallback : Number(v));
  const totalWeight = COMPONENTS.reduce((s, c) => s + model.weights[c], 0);
  const accountAttributes = (attributes.data?.items ?? [])
    .filter((a) => a.entity === 'account')
    .map((a) => a.name);
  const roleOptions = CLIENT_ROLES.map((value) => ({ value, label: t(`clientRoles.${value}`) }));
  const invalid: string[] = [];
  if (totalWeight <= 0) invalid.push(t('health.model.noWeight'));
  if (model.bands.red > model.bands.yellow) invalid.push(t('health.model.bandsOrder'));
  if (model.freshDays >= model.staleDays) invalid.push(t('health.model.recencyOrder'));
  if (model.keyRoles.length === 0) invalid.push(t('health.model.noKeyRole'));

  const number = (
    key: keyof HealthModel,
    min: number,
    max: number,
    options: { suffix?: string; decimal?: boolean } = {},
  ) => (
    <NumberInput
      label={t(`health.model.fields.${key}`)}
      description={t(`health.model.hints.${key}`)}
      min={min}
      max={max}
      allowDecimal={options.decimal ?? false}
      suffix={options.suffix}
      value={model[key] as number}
      onChange={(v) => set({ [key]: num(v, model[key] as number) } as Partial<HealthModel>)}
      readOnly={readOnly}
      data-testid={`model-${key}`}
    />
  );
  const days = ` ${t('health.model.days')}`;

  return (
    <Stack>
      {failure && (
        <Alert color="red" title={failure} withCloseButton onClose={() => setFailure(null)}>
          {problems.length > 0 && (
            <List size="sm">
              {problems.map((p) => (
                <List.Item key={`${p.path}-${p.message}`}>
                  <Text span ff="monospace" size="xs">
                    {p.path}
                  </Text>
                  : {p.message}
                </List.Item>
              ))}
            </List>
          )}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Card withBorder data-testid="model-weights">
          <Stack gap="sm">
            <Title order={4}>{t('health.model.components')}</Title>
            <Text size="sm" c="dimmed">
              {t('health.model.componentsHint')}
            </Text>
            {COMPONENTS.map((c) => (
              <div key={c}>
                <Group justify="space-between" mb={2}>
                  <Text size="sm" fw={500}>
                    {t(`health.components.${c}`)}
                  </Text>
                  <Text size="sm" c="dimmed">
                    {model.weights[c]} ·{' '}
                    {totalWeight > 0 ? Math.round((model.weights[c] / totalWeight) * 100) : 0} %
                  </Text>
                </Group>
                <Slider
                  min={0}
                  max={100}
                  step={1}
                  value={model.weights[c]}
                  onChange={(v) => set({ weights: { ...model.weights, [c]: v } })}
                  disabled={readOnly}
                  label={(v) => v}
                  aria-label={t(`health.components.${c}`)}
                  data-testid={`weight-${c}`}
                />
                <Text size="xs" c="dimmed" mt={2}>
                  {t(`health.model.componentHints.${c}`)}
                </Text>
              </div>
            ))}
          </Stack>
        </Card>
        <Card withBorder data-testid="model-roles">
          <Stack gap="sm">
            <Title order={4}>{t('health.model.roles')}</Title>
            <Text size="sm" c="dimmed">
              {t('health.model.roleWeightsHint')}
            </Text>
            <Table withRowBorders={false} verticalSpacing={4}>
              <Table.Tbody>
                {CLIENT_ROLES.map((role) => (
                  <Table.Tr key={role}>
                    <Table.Td>
                      <Text size="sm">{t(`clientRoles.${role}`)}</Text>
                    </Table.Td>
                    <Table.Td w={130}>
                      <NumberInput
                        size="xs"
                        min={0}
                        max={10}
                        step={0.5}
                        decimalScale={1}
                        aria-label={t('health.model.roleWeight', { role: t(`clientRoles.${role}`) })}
                        value={model.roleWeights[role] ?? 1}
                        onChange={(v) =>
                          set({
                            roleWeights: {
                              ...model.roleWeights,
                              [role]: num(v, model.roleWeights[role] ?? 1),
                            },
                          })
                        }
                        readOnly={readOnly}
                        data-testid={`role-weight-${role}`}
                      />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            <MultiSelect
              label={t('health.model.fields.keyRoles')}
              description={t('health.model.hints.keyRoles')}
              data={roleOptions}
              value={model.keyRoles}
              onChange={(keyRoles) => set({ keyRoles })}
              readOnly={readOnly}
              data-testid="model-keyRoles"
            />
            <MultiSelect
              label={t('health.model.fields.detractorRoles')}
              description={t('health.model.hints.detractorRoles')}
              data={roleOptions}
              value={model.detractorRoles}
              onChange={(detractorRoles) => set({ detractorRoles })}
              readOnly={readOnly}
              data-testid="model-detractorRoles"
            />
          </Stack>
        </Card>
        <Card withBorder data-testid="model-thresholds">
          <Stack gap="sm">
            <Title order={4}>{t('health.model.thresholds')}</Title>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              {number('windowDays', 7, 1095, { suffix: days })}
              {number('coverageDays', 7, 1095, { suffix: days })}
              {number('freshDays', 0, 365, { suffix: days })}
              {number('staleDays', 1, 1095, { suffix: days })}
              {number('minResponses', 1, 100)}
              {number('npsDropPoints', 1, 200, { decimal: true })}
              {number('detractorDays', 1, 365, { suffix: days })}
              {number('renewalSoonDays', 1, 365, { suffix: days })}
              <NumberInput
                label={t('health.model.fields.bandRed')}
                description={t('health.model.hints.bandRed')}
                min={0}
                max={100}
                value={model.bands.red}
                onChange={(v) => set({ bands: { ...model.bands, red: num(v, model.bands.red) } })}
                readOnly={readOnly}
                data-testid="model-band-red"
              />
              <NumberInput
                label={t('health.model.fields.bandYellow')}
                description={t('health.model.hints.bandYellow')}
                min={0}
                max={100}
                value={model.bands.yellow}
                onChange={(v) => set({ bands: { ...model.bands, yellow: num(v, model.bands.yellow) } })}
                readOnly={readOnly}
                data-testid="model-band-yellow"
              />
            </SimpleGrid>
          </Stack>
        </Card>
        <Card withBorder data-testid="model-attributes">
          <Stack gap="sm">
            <Title order={4}>{t('health.model.attributes')}</Title>
            <Text size="sm" c="dimmed">
              {t('health.model.attributesHint')}
            </Text>
            {(['arrAttribute', 'renewalAttribute', 'outcomeAttribute'] as const).map((key) => (
              <Autocomplete
                key={key}
                label={t(`health.model.fields.${key}`)}
                description={t(`health.model.hints.${key}`)}
                data={accountAttributes}
                value={model[key]}
                onChange={(v) => set({ [key]: v } as Partial<HealthModel>)}
                readOnly={readOnly}
                error={
                  attributes.data &&
                  model[key] &&
                  !accountAttributes.some((a) => a.toLowerCase() === model[key].toLowerCase())
                    ? t('health.model.unknownAttribute')
                    : undefined
                }
                data-testid={`model-${key}`}
              />
            ))}
            <Title order={5} mt="sm">
              {t('health.model.hierarchy')}
            </Title>
            <Switch
              label={t('health.model.fields.worstChildCap')}
              description={t('health.model.hints.worstChildCap')}
              checked={model.worstChildCap !== null}
              onChange={(e) => set({ worstChildCap: e.currentTarget.checked ? 20 : null })}
              disabled={readOnly}
              data-testid="model-cap-switch"
            />
            {model.worstChildCap !== null && (
              <NumberInput
                label={t('health.model.fields.capPoints')}
                min={0}
                max={100}
                w={200}
                value={model.worstChildCap}
                onChange={(v) => set({ worstChildCap: num(v, model.worstChildCap ?? 0) })}
                readOnly={readOnly}
                data-testid="model-worstChildCap"
              />
            )}
          </Stack>
        </Card>
      </SimpleGrid>
      {invalid.length > 0 && (
        <Alert color="orange" data-testid="model-invalid">
          <List size="sm">
            {invalid.map((m) => (
              <List.Item key={m}>{m}</List.Item>
            ))}
          </List>
        </Alert>
      )}
      {canWrite ? (
        <Group justify="flex-end">
          <Button variant="default" disabled={!dirty} onClick={() => saved.data && setModel(saved.data)}>
            {t('health.model.discard')}
          </Button>
          <Button
            onClick={() => save.mutate()}
            loading={save.isPending}
            disabled={!dirty || invalid.length > 0}
            data-testid="save-health-model"
          >
            {t('health.model.save')}
          </Button>
        </Group>
      ) : (
        <Text size="sm" c="dimmed">
          {t('health.model.readOnly')}
        </Text>
      )}
    </Stack>
  );
}
