import {
  Alert,
  Autocomplete,
  Badge,
  Box,
  Button,
  Card,
  Group,
  Paper,
  ScrollArea,
  Stack,
  Text,
  Textarea,
} from '@mantine/core';
import { IconDeviceMobile, IconSend } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api, errorMessage } from '../api/client.ts';
import type { Page } from '../api/types.ts';
import { useCan } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import type { OutboxMessage } from './types.ts';

/** GET /sms/conversations: the texts exchanged with a number, oldest first. */
interface SmsMessage {
  id: number;
  /** in: from the phone; out: to it. */
  direction: 'in' | 'out';
  body: string;
  at: string;
}

const E164 = /^\+[1-9][0-9]{6,14}$/;

/**
 * Offline two-way SMS: be the phone of a number that received a text (outbox provider only). The
 * conversation is the server's record of the texts exchanged with the number, both ways.
 */
export function PhoneSimulatorPage() {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const canWrite = useCan('data:write');
  const [params, setParams] = useSearchParams();
  const phone = params.get('phone') ?? '';
  const [typed, setTyped] = useState(phone);
  const [body, setBody] = useState('');
  // What became of the last reply sent from here (the conversation does not keep it).
  const [outcome, setOutcome] = useState<{ phone: string; body: string; outcome: string } | null>(null);
  const bottom = useRef<HTMLDivElement>(null);
  const numbers = useQuery({
    queryKey: ['outbox', 'sms-numbers'],
    queryFn: () => api.get<Page<OutboxMessage>>('/outbox', { channel: 'sms', limit: 200 }),
  });
  const conversation = useQuery({
    queryKey: ['sms-conversation', phone],
    queryFn: () => api.get<{ items: SmsMessage[] }>('/sms/conversations', { phone }),
    enabled: E164.test(phone),
    refetchInterval: 4000,
  });
  useEffect(() => {
    setTyped(phone);
  }, [phone]);
  const reply = useMutation({
    mutationFn: () =>
      api.post<{ replies: string[]; outcome: string }>('/sms/simulator', { from: phone, body }),
    onSuccess: async (result) => {
      setOutcome({ phone, body, outcome: result.outcome });
      setBody('');
      await Promise.all([
        client.invalidateQueries({ queryKey: ['sms-conversation', phone] }),
        client.invalidateQueries({ queryKey: ['outbox'] }),
      ]);
    },
  });
  const pick = (value: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value) next.set('phone', value);
        else next.delete('phone');
        return next;
      },
      { replace: true },
    );

  const known = [...new Set((numbers.data?.items ?? []).map((m) => m.toAddress))];
  const messages = (conversation.data?.items ?? []).map((m) => ({ ...m, mine: m.direction === 'in' }));
  // The outcome of the reply sent from here, beside that reply (the phone's latest text).
  const lastMine = messages.filter((m) => m.mine).at(-1);
  const lastOutcome =
    outcome && outcome.phone === phone && lastMine?.body === outcome.body ? outcome.outcome : null;
  const count = messages.length;
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll when a message arrives
  useEffect(() => {
    bottom.current?.scrollIntoView({ block: 'end' });
  }, [count]);

  return (
    <Stack maw={560}>
      <Text size="sm" c="dimmed">
        {t('distributions.simulatorHint')}
      </Text>
      <Group align="flex-end">
        <Autocomplete
          label={t('distributions.phoneNumber')}
          placeholder="+15551234567"
          leftSection={<IconDeviceMobile size={16} />}
          data={known}
          value={typed}
          onChange={(value) => {
            setTyped(value);
            if (E164.test(value) || !value) pick(value);
          }}
          w={280}
          data-testid="simulator-phone"
        />
        {numbers.data && known.length === 0 && (
          <Text size="sm" c="dimmed" mb={6}>
            {t('distributions.noSmsYet')}
          </Text>
        )}
      </Group>
      {phone && !E164.test(phone) && <Alert color="yellow">{t('distributions.notE164')}</Alert>}
      {E164.test(phone) && (
        <Card withBorder radius="lg" p={0} data-testid="simulator-phone-screen">
          <Group px="md" py="xs" bg="var(--mantine-color-default-hover)" justify="space-between">
            <Text fw={600}>{phone}</Text>
            {conversation.isFetching && (
              <Badge variant="light" size="xs">
                …
              </Badge>
            )}
          </Group>
          <ScrollArea h={420} px="md" py="sm">
            {conversation.isPending ? (
              <Loading />
            ) : conversation.isError ? (
              <ErrorState error={conversation.error} />
            ) : messages.length === 0 ? (
              <Text c="dimmed" size="sm">
                {t('distributions.noConversation')}
              </Text>
            ) : (
              <Stack gap="xs">
                {messages.map((m) => (
                  <Box
                    key={m.id}
                    data-testid={`simulator-message-${m.direction}`}
                    style={{ alignSelf: m.mine ? 'flex-end' : 'flex-start' }}
                    maw="80%"
                  >
                    <Paper
                      p="xs"
                      px="sm"
                      radius="lg"
                      bg={
                        m.mine ? 'var(--mantine-color-indigo-filled)' : 'var(--mantine-color-default-hover)'
                      }
                      c={m.mine ? 'white' : undefined}
                      style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}
                    >
                      <Text size="sm">{m.body}</Text>
                    </Paper>
                    <Text size="xs" c="dimmed" ta={m.mine ? 'right' : 'left'}>
                      {new Date(m.at).toLocaleTimeString(i18n.language, {
                        hour: '2-digit',
                        minute: '2-digit',
                      })}
                      {m === lastMine && lastOutcome && ` · ${lastOutcome}`}
                    </Text>
                  </Box>
                ))}
                <div ref={bottom} />
              </Stack>
            )}
          </ScrollArea>
          {canWrite && (
            <Stack gap={4} p="sm" style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}>
              {reply.isError && (
                <Text size="sm" c="red">
                  {errorMessage(reply.error)}
                </Text>
              )}
              <Group align="flex-end" wrap="nowrap">
                <Textarea
                  flex={1}
                  autosize
                  minRows={1}
                  maxRows={4}
                  aria-label={t('distributions.reply')}
                  placeholder={t('distributions.reply')}
                  value={body}
                  onChange={(e) => setBody(e.currentTarget.value)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' && !e.shiftKey && body.trim()) {
                      e.preventDefault();
                      reply.mutate();
                    }
                  }}
                  data-testid="simulator-body"
                />
                <Button
                  onClick={() => reply.mutate()}
                  loading={reply.isPending}
                  disabled={!body.trim()}
                  leftSection={<IconSend size={14} />}
                  data-testid="simulator-send"
                >
                  {t('distributions.sendReply')}
                </Button>
              </Group>
            </Stack>
          )}
        </Card>
      )}
    </Stack>
  );
}
