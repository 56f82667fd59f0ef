import { Alert, Button, Card, Center, Container, Loader, Stack, Text, Title } from '@mantine/core';
import { IconCircleCheck, IconMailOff } from '@tabler/icons-react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { ApiError, api } from '../api/client.ts';

interface Target {
  channel: 'email' | 'sms';
  alreadyOptedOut: boolean;
}

/**
 * The public page of an unsubscribe link (/u/:token), outside the signed-in frame: it says which
 * channel, asks to confirm (a link scanner's GET must not unsubscribe anyone), then confirms.
 * The language is the browser's.
 */
export function UnsubscribePage() {
  const { token = '' } = useParams();
  const { t } = useTranslation();
  const target = useQuery({
    queryKey: ['unsubscribe', token],
    queryFn: () => api.get<Target>(`/public/unsubscribe/${encodeURIComponent(token)}`),
    retry: false,
  });
  const confirm = useMutation({
    mutationFn: () =>
      api.post<{ unsubscribed: boolean; channel: 'email' | 'sms' }>(
        `/public/unsubscribe/${encodeURIComponent(token)}`,
      ),
  });

  const problem = (error: unknown) => {
    const status = error instanceof ApiError ? error.status : 0;
    return (
      <Alert
        color={status === 410 ? 'yellow' : 'red'}
        title={
          status === 410
            ? t('unsubscribe.expiredTitle')
            : status === 403 || status === 404 || status === 400
              ? t('unsubscribe.invalidTitle')
              : t('unsubscribe.errorTitle')
        }
        data-testid="unsubscribe-error"
      >
        {status === 410
          ? t('unsubscribe.expired')
          : status === 403 || status === 404 || status === 400
            ? t('unsubscribe.invalid')
            : status === 429
              ? t('unsubscribe.tooMany')
              : t('unsubscribe.error')}
      </Alert>
    );
  };

  let content: React.ReactNode;
  if (target.isPending) content = <Loader mx="auto" />;
  else if (target.isError) content = problem(target.error);
  else if (confirm.isSuccess || target.data.alreadyOptedOut)
    content = (
      <Stack align="center" gap="sm" data-testid="unsubscribe-done">
        <IconCircleCheck size={48} color="var(--mantine-color-teal-6)" />
        <Title order={3} ta="center">
          {confirm.isSuccess ? t('unsubscribe.doneTitle') : t('unsubscribe.alreadyTitle')}
        </Title>
        <Text ta="center">{t(`unsubscribe.done.${target.data.channel}`)}</Text>
      </Stack>
    );
  else
    content = (
      <Stack align="center" gap="md" data-testid="unsubscribe-ask">
        <IconMailOff size={48} color="var(--mantine-color-indigo-6)" />
        <Title order={3} ta="center">
          {t('unsubscribe.title')}
        </Title>
        <Text ta="center">{t(`unsubscribe.ask.${target.data.channel}`)}</Text>
        {confirm.isError && problem(confirm.error)}
        <Button
          size="md"
          onClick={() => confirm.mutate()}
          loading={confirm.isPending}
          data-testid="unsubscribe-confirm"
        >
          {t(`unsubscribe.confirm.${target.data.channel}`)}
        </Button>
        <Text size="sm" c="dimmed" ta="center">
          {t('unsubscribe.keep')}
        </Text>
      </Stack>
    );

  return (
    <Center mih="100vh" bg="var(--mantine-color-default-hover)">
      <Container size={480} w="100%" py="xl">
        <Card withBorder shadow="sm" padding="xl" radius="md">
          {content}
        </Card>
      </Container>
    </Center>
  );
}
