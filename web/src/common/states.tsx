import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, errorMessage } from '../api/client.ts';

export function Loading() {
  const { t } = useTranslation();
  return (
    <Center py="xl" aria-label={t('common.loading')}>
      <Loader size="sm" />
    </Center>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const forbidden = error instanceof ApiError && error.status === 403;
  return (
    <Alert
      color={forbidden ? 'yellow' : 'red'}
      title={forbidden ? t('common.noPermission') : t('common.errorTitle')}
      m="md"
    >
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{errorMessage(error)}</Text>
        {onRetry && !forbidden && (
          <Button size="xs" variant="light" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        )}
      </Stack>
    </Alert>
  );
}

export function NotFound() {
  const { t } = useTranslation();
  return (
    <Center py="xl">
      <Text c="dimmed">{t('common.notFound')}</Text>
    </Center>
  );
}

/** A list query's loading and error states, its empty result's message, else its data rendered. */
export function QueryState<T extends { items: unknown[] }>({
  query,
  empty,
  children,
}: {
  query: UseQueryResult<T>;
  empty: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorState error={query.error} />;
  if (query.data.items.length === 0)
    return (
      <Text c="dimmed" size="sm">
        {empty}
      </Text>
    );
  return children(query.data);
}
