import { Badge, Group, List, Progress, Stack, Text, ThemeIcon, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconInfoCircle } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { ageColor, relativeDays, score } from './format.ts';
import { bySeverity, reasonText } from './reasons.ts';
import { BAND_COLORS, type HealthModel, type Reason, RISK_COLORS } from './types.ts';

/** Every health query starts with this key: saving the model or recomputing refreshes them all. */
export const HEALTH_KEY = 'account-health';

export function useHealthModel(directoryId: number | undefined) {
  return useQuery({
    queryKey: [HEALTH_KEY, 'model', directoryId],
    queryFn: () => api.get<HealthModel>(`/directories/${directoryId}/health-model`),
    enabled: directoryId !== undefined,
    staleTime: 60_000,
  });
}

/** The health score in its band's colour, or "insufficient signal" instead of a misleading number. */
export function HealthBadge({
  health,
  band,
  size = 'md',
}: {
  health: number | null;
  band: string;
  size?: 'xs' | 'sm' | 'md' | 'lg' | 'xl';
}) {
  const { t, i18n } = useTranslation();
  const label = t(`health.bands.${band}`, { defaultValue: band });
  if (health === null)
    return (
      <Tooltip label={t('health.insufficientHint')} withArrow>
        <Badge
          color="gray"
          variant="light"
          size={size}
          style={{ flexShrink: 0 }}
          data-testid="health-badge"
          data-band={band}
        >
          {t('health.noSignal')}
        </Badge>
      </Tooltip>
    );
  return (
    <Tooltip label={label} withArrow>
      <Badge
        color={BAND_COLORS[band] ?? 'gray'}
        variant="filled"
        size={size}
        miw={size === 'xs' ? undefined : 44}
        style={{ flexShrink: 0 }}
        data-testid="health-badge"
        data-band={band}
      >
        {score(health, i18n.language)}
      </Badge>
    </Tooltip>
  );
}

export function HealthBar({ health, band, w = 90 }: { health: number | null; band: string; w?: number }) {
  const { t } = useTranslation();
  return (
    <Progress
      w={w}
      size="sm"
      value={health ?? 0}
      color={BAND_COLORS[band] ?? 'gray'}
      aria-label={t('health.health')}
    />
  );
}

export function RiskBadge({ risk, size = 'md' }: { risk: string; size?: 'xs' | 'sm' | 'md' | 'lg' }) {
  const { t } = useTranslation();
  return (
    <Badge
      color={RISK_COLORS[risk] ?? 'gray'}
      variant={risk === 'high' ? 'filled' : 'light'}
      size={size}
      style={{ flexShrink: 0 }}
      data-testid="risk-badge"
      data-risk={risk}
    >
      {t(`health.risks.${risk}`, { defaultValue: risk })}
    </Badge>
  );
}

/** One reason, its severity as an icon's colour. */
export function ReasonLine({ reason, size = 'sm' }: { reason: Reason; size?: 'xs' | 'sm' | 'md' }) {
  const { t, i18n } = useTranslation();
  const high = reason.severity === 'high';
  return (
    <Group gap={6} wrap="nowrap" align="flex-start" data-testid="risk-reason" data-code={reason.code}>
      <ThemeIcon size={size === 'md' ? 20 : 16} variant="light" color={high ? 'red' : 'orange'} radius="xl">
        {high ? <IconAlertTriangle size={12} /> : <IconInfoCircle size={12} />}
      </ThemeIcon>
      <Text size={size}>{reasonText(t, i18n.language, reason)}</Text>
    </Group>
  );
}

/** The most severe reason, the others in a tooltip. */
export function TopReason({ reasons }: { reasons: Reason[] }) {
  const { t, i18n } = useTranslation();
  const sorted = bySeverity(reasons);
  const [first, ...rest] = sorted;
  if (!first)
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  return (
    <Group gap={4} wrap="nowrap">
      <ReasonLine reason={first} />
      {rest.length > 0 && (
        <Tooltip
          withArrow
          multiline
          w={340}
          label={
            <List size="xs">
              {rest.map((r) => (
                <List.Item key={JSON.stringify(r)}>{reasonText(t, i18n.language, r)}</List.Item>
              ))}
            </List>
          }
        >
          <Badge size="xs" variant="default" style={{ flexShrink: 0 }}>
            +{rest.length}
          </Badge>
        </Tooltip>
      )}
    </Group>
  );
}

export function ReasonList({ reasons }: { reasons: Reason[] }) {
  const { t } = useTranslation();
  if (reasons.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {t('health.noReasons')}
      </Text>
    );
  return (
    <Stack gap={6} data-testid="risk-reasons">
      {bySeverity(reasons).map((r) => (
        <ReasonLine key={JSON.stringify(r)} reason={r} />
      ))}
    </Stack>
  );
}

export const NPS_CATEGORY_COLORS: Record<string, string> = {
  detractor: 'red',
  passive: 'yellow',
  promoter: 'teal',
};

/** A contact's 0–10 answer, coloured by NPS category. */
export function NpsScoreBadge({ score: value, category }: { score: number | null; category: string | null }) {
  const { t } = useTranslation();
  if (value === null)
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  return (
    <Tooltip label={category ? t(`health.npsCategories.${category}`, { defaultValue: category }) : ''}>
      <Badge
        color={NPS_CATEGORY_COLORS[category ?? ''] ?? 'gray'}
        variant="filled"
        circle
        size="lg"
        data-testid="nps-score-badge"
      >
        {value}
      </Badge>
    </Tooltip>
  );
}

/** "12 days ago", coloured by age: up to 30 days, 60, 90, older. */
export function AgeText({
  days,
  never,
  size = 'sm',
}: {
  days: number | null;
  never: string;
  size?: 'xs' | 'sm';
}) {
  const { i18n } = useTranslation();
  const color = ageColor(days);
  return (
    <Text size={size} c={days === null ? 'dimmed' : `${color}.${color === 'yellow' ? 8 : 7}`} span>
      {days === null ? never : relativeDays(-days, i18n.language)}
    </Text>
  );
}
