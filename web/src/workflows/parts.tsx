import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { RUN_STATUS_COLOR, type Trigger } from './types.ts';

export function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <Badge color={RUN_STATUS_COLOR[status] ?? 'gray'} variant="light" data-testid="run-status">
      {t(`workflows.status.${status}`, { defaultValue: status })}
    </Badge>
  );
}

/** "Daily at 06:00 (Europe/Rome)", "On response.completed", "By hand". */
export function useTriggerText() {
  const { t } = useTranslation();
  return (trigger: Trigger) => {
    if (trigger.type === 'manual') return t('workflows.trigger.manualShort');
    if (trigger.type === 'event')
      return t('workflows.trigger.onEvent', {
        event: t(`workflows.events.${trigger.event}`, { defaultValue: trigger.event }),
      });
    const s = trigger.schedule;
    if (s.kind === 'daily') return t('workflows.trigger.dailyAt', { time: s.time, tz: s.timeZone });
    if (s.kind === 'weekly')
      return t('workflows.trigger.weeklyAt', {
        days: s.days.map((d) => t(`workflows.days.${d}`)).join(', '),
        time: s.time,
        tz: s.timeZone,
      });
    return t('workflows.trigger.cronAt', { cron: s.cron, tz: s.timeZone });
  };
}

export const durationText = (ms: number | null) =>
  ms === null
    ? '—'
    : ms < 1000
      ? `${ms} ms`
      : ms < 120_000
        ? `${(ms / 1000).toFixed(1)} s`
        : `${Math.round(ms / 60_000)} min`;
