import { Chip, Group, NumberInput, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../i18n/index.ts';
import type { Resources } from './resources.ts';
import { type Schedule, TRIGGER_EVENTS, type Trigger, WEEKDAYS } from './types.ts';

const zones = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf(key: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
})();
const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** When a workflow starts: a schedule (daily, weekly, cron in a time zone), an event, or by hand. */
export function TriggerEditor({
  trigger,
  onChange,
  resources,
  nextRuns,
  error,
}: {
  trigger: Trigger;
  onChange: (trigger: Trigger) => void;
  resources: Resources;
  nextRuns: string[];
  error: (path: string) => string | undefined;
}) {
  const { t, i18n } = useTranslation();
  const setSchedule = (schedule: Schedule) => onChange({ type: 'schedule', schedule });
  return (
    <Stack gap="sm">
      <SegmentedControl
        value={trigger.type}
        data-testid="trigger-type"
        data={[
          { value: 'schedule', label: t('workflows.trigger.schedule') },
          { value: 'event', label: t('workflows.trigger.event') },
          { value: 'manual', label: t('workflows.trigger.manual') },
        ]}
        onChange={(type) =>
          onChange(
            type === 'schedule'
              ? { type, schedule: { kind: 'daily', time: '06:00', timeZone: localZone } }
              : type === 'event'
                ? { type, event: 'response.completed', filter: {} }
                : { type: 'manual' },
          )
        }
      />
      {trigger.type === 'schedule' && (
        <Stack gap="xs">
          <Group align="flex-end">
            <Select
              label={t('workflows.trigger.frequency')}
              value={trigger.schedule.kind}
              data={[
                { value: 'daily', label: t('workflows.trigger.daily') },
                { value: 'weekly', label: t('workflows.trigger.weekly') },
                { value: 'cron', label: t('workflows.trigger.cron') },
              ]}
              onChange={(kind) => {
                const { timeZone } = trigger.schedule;
                const time = 'time' in trigger.schedule ? trigger.schedule.time : '06:00';
                if (kind === 'daily') setSchedule({ kind, time, timeZone });
                if (kind === 'weekly') setSchedule({ kind, days: ['mon'], time, timeZone });
                if (kind === 'cron') setSchedule({ kind, cron: '0 6 * * *', timeZone });
              }}
            />
            {trigger.schedule.kind !== 'cron' ? (
              <TextInput
                label={t('workflows.trigger.time')}
                type="time"
                value={trigger.schedule.time}
                onChange={(e) =>
                  setSchedule({ ...trigger.schedule, time: e.currentTarget.value } as Schedule)
                }
              />
            ) : (
              <TextInput
                label={t('workflows.trigger.cronExpression')}
                ff="monospace"
                value={trigger.schedule.cron}
                error={error('trigger.schedule')}
                onChange={(e) =>
                  setSchedule({ ...trigger.schedule, cron: e.currentTarget.value } as Schedule)
                }
              />
            )}
            <Select
              label={t('workflows.trigger.timeZone')}
              searchable
              data={zones}
              value={trigger.schedule.timeZone}
              onChange={(timeZone) => timeZone && setSchedule({ ...trigger.schedule, timeZone })}
            />
          </Group>
          {trigger.schedule.kind === 'weekly' && (
            <Chip.Group
              multiple
              value={trigger.schedule.days}
              onChange={(days) =>
                setSchedule({ ...(trigger.schedule as Extract<Schedule, { kind: 'weekly' }>), days })
              }
            >
              <Group gap={6}>
                {WEEKDAYS.map((d) => (
                  <Chip key={d} value={d} size="xs">
                    {t(`workflows.days.${d}`)}
                  </Chip>
                ))}
              </Group>
            </Chip.Group>
          )}
          {nextRuns.length > 0 && (
            <Text size="sm" c="dimmed" data-testid="next-runs">
              {t('workflows.trigger.nextRuns')}{' '}
              {nextRuns.map((r) => formatDateTime(r, i18n.language)).join(' · ')}
            </Text>
          )}
        </Stack>
      )}
      {trigger.type === 'event' && (
        <Group align="flex-end">
          <Select
            label={t('workflows.trigger.eventType')}
            w={280}
            value={trigger.event}
            data={TRIGGER_EVENTS.map((e) => ({
              value: e,
              label: t(`workflows.events.${e}`, { defaultValue: e }),
            }))}
            onChange={(event) => event && onChange({ type: 'event', event, filter: {} })}
            data-testid="trigger-event"
          />
          {(trigger.event.startsWith('response.') || trigger.event === 'distribution.completed') && (
            <Select
              label={t('workflows.trigger.survey')}
              clearable
              w={280}
              placeholder={t('workflows.trigger.anySurvey')}
              data={resources.surveys.map((s) => ({ value: String(s.id), label: s.name }))}
              value={trigger.filter.surveyId ? String(trigger.filter.surveyId) : null}
              error={error('trigger.filter.surveyId')}
              onChange={(v) => onChange({ ...trigger, filter: v ? { surveyId: Number(v) } : {} })}
              data-testid="trigger-survey"
            />
          )}
          {trigger.event === 'contact.attribute_changed' && (
            <TextInput
              label={t('workflows.trigger.field')}
              placeholder={t('workflows.trigger.anyField')}
              value={trigger.filter.field ?? ''}
              onChange={(e) =>
                onChange({
                  ...trigger,
                  filter: e.currentTarget.value ? { field: e.currentTarget.value } : {},
                })
              }
            />
          )}
          {trigger.event === 'salesforce.outbound_message' &&
            (resources.salesforceTriggers.length ? (
              <Select
                label={t('workflows.trigger.salesforceTrigger')}
                clearable
                data={resources.salesforceTriggers.map((s) => ({ value: String(s.id), label: s.name }))}
                value={trigger.filter.salesforceTriggerId ? String(trigger.filter.salesforceTriggerId) : null}
                onChange={(v) =>
                  onChange({ ...trigger, filter: v ? { salesforceTriggerId: Number(v) } : {} })
                }
              />
            ) : (
              <NumberInput
                label={t('workflows.trigger.salesforceTrigger')}
                value={trigger.filter.salesforceTriggerId ?? ''}
                onChange={(v) =>
                  onChange({ ...trigger, filter: typeof v === 'number' ? { salesforceTriggerId: v } : {} })
                }
              />
            ))}
        </Group>
      )}
      {trigger.type === 'manual' && (
        <Text size="sm" c="dimmed">
          {t('workflows.trigger.manualHelp')}
        </Text>
      )}
    </Stack>
  );
}
