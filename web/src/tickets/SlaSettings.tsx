import { Button, Group, Modal, NumberInput, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconClockHour4 } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api/client.ts';
import { useCan } from '../auth/session.ts';
import { TICKET_PRIORITIES, type TicketPriority } from './types.ts';

interface Settings {
  slaDays: Record<TicketPriority, number>;
  defaults: Record<TicketPriority, number>;
  custom: boolean;
}

/** The directory's service levels (days to resolve, by priority): writers change them here. */
export function SlaSettingsButton({ directoryId }: { directoryId: number }) {
  const { t } = useTranslation();
  const canWrite = useCan('data:write');
  const client = useQueryClient();
  const [opened, setOpened] = useState(false);
  const [draft, setDraft] = useState<Partial<Record<TicketPriority, number>>>({});
  const settings = useQuery({
    queryKey: ['ticket-settings', directoryId],
    queryFn: () => api.get<Settings>(`/directories/${directoryId}/ticket-settings`),
    enabled: opened,
  });
  const save = useMutation({
    mutationFn: (slaDays: Partial<Record<TicketPriority, number>> | null) =>
      api.put<Settings>(`/directories/${directoryId}/ticket-settings`, { slaDays }),
    onSuccess: (saved) => {
      client.setQueryData(['ticket-settings', directoryId], saved);
      setOpened(false);
      notifications.show({ color: 'green', message: t('common.saved') });
    },
    onError: (error) => notifications.show({ color: 'red', message: errorMessage(error) }),
  });
  if (!canWrite) return null;
  const value = (p: TicketPriority) => draft[p] ?? settings.data?.slaDays[p] ?? '';
  return (
    <>
      <Button
        size="sm"
        variant="default"
        leftSection={<IconClockHour4 size={16} />}
        onClick={() => {
          setDraft({});
          setOpened(true);
        }}
        data-testid="tickets-sla"
      >
        {t('tickets.sla.title')}
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={t('tickets.sla.title')}>
        <Stack
          component="form"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate(draft);
          }}
        >
          <Text size="sm" c="dimmed">
            {t('tickets.sla.hint')}
          </Text>
          {[...TICKET_PRIORITIES].reverse().map((p) => (
            <NumberInput
              key={p}
              label={t(`tickets.priorities.${p}`)}
              description={t('tickets.sla.default', { days: settings.data?.defaults[p] ?? '' })}
              suffix={` ${t('tickets.sla.days')}`}
              min={0.1}
              max={365}
              step={1}
              decimalScale={2}
              value={value(p)}
              onChange={(v) => setDraft((d) => ({ ...d, [p]: typeof v === 'number' ? v : Number(v) }))}
            />
          ))}
          <Group justify="space-between">
            <Button variant="subtle" disabled={!settings.data?.custom} onClick={() => save.mutate(null)}>
              {t('tickets.sla.reset')}
            </Button>
            <Button type="submit" loading={save.isPending} disabled={Object.keys(draft).length === 0}>
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
