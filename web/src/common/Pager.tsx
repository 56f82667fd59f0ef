import { Button, Group, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

export function Pager({
  pageNumber,
  nextCursor,
  onNext,
  onPrevious,
}: {
  pageNumber: number;
  nextCursor: string | null | undefined;
  onNext: (cursor: string) => void;
  onPrevious: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Group justify="flex-end" gap="xs">
      <Text size="sm" c="dimmed">
        {pageNumber}
      </Text>
      <Button
        size="xs"
        variant="default"
        disabled={pageNumber <= 1}
        onClick={onPrevious}
        data-testid="page-previous"
      >
        {t('common.previous')}
      </Button>
      <Button
        size="xs"
        variant="default"
        disabled={!nextCursor}
        onClick={() => nextCursor && onNext(nextCursor)}
        data-testid="page-next"
      >
        {t('common.next')}
      </Button>
    </Group>
  );
}
