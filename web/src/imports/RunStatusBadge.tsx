import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { ImportRun } from '../api/types.ts';

const COLORS = { queued: 'gray', running: 'blue', succeeded: 'green', failed: 'red' } as const;

export function RunStatusBadge({ run }: { run: Pick<ImportRun, 'status'> }) {
  const { t } = useTranslation();
  return (
    <Badge color={COLORS[run.status]} data-testid="run-status">
      {t(`imports.statusValue.${run.status}`)}
    </Badge>
  );
}
