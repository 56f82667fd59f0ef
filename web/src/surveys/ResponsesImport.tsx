import { Alert, Button, Card, FileInput, Group, ScrollArea, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconUpload } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, errorMessage } from '../api/client.ts';
import type { ImportIssue, ResponsesImportRejection, ResponsesImportReport } from './response-types.ts';

/** What the last check or import said about the chosen file. */
type Outcome =
  | { kind: 'checked' | 'imported'; report: ResponsesImportReport }
  | { kind: 'rejected'; rejection: ResponsesImportRejection };

const counts = (r: ResponsesImportReport) => ({ rows: r.rows, created: r.created, skipped: r.skipped });

/**
 * Historical responses from a CSV in the export's format: a dry run first (counts, warnings, or
 * every problem with its line), then the import itself, which the server also checks all or nothing.
 */
export function ResponsesImport({ surveyId }: { surveyId: number }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const send = useMutation({
    mutationFn: (dryRun: boolean) => {
      const form = new FormData();
      form.append('file', file!, file!.name);
      return api.post<ResponsesImportReport>(
        `/surveys/${surveyId}/responses/import${dryRun ? '?dryRun=true' : ''}`,
        form,
      );
    },
    onSuccess: (report) => {
      setOutcome({ kind: report.dryRun ? 'checked' : 'imported', report });
      if (!report.dryRun) {
        void client.invalidateQueries({ queryKey: ['responses', surveyId] });
        notifications.show({ color: 'green', message: t('responses.import.done', counts(report)) });
      }
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === 'import_rejected')
        setOutcome({ kind: 'rejected', rejection: error.details as ResponsesImportRejection });
      else notifications.show({ color: 'red', message: errorMessage(error), autoClose: false });
    },
  });
  const choose = (next: File | null) => {
    setFile(next);
    setOutcome(null);
  };
  const warnings = outcome && outcome.kind !== 'rejected' ? outcome.report : outcome?.rejection;

  return (
    <Card withBorder data-testid="responses-import">
      <Stack>
        <Title order={5}>{t('responses.import.title')}</Title>
        <Text size="sm" c="dimmed">
          {t('responses.import.hint')}
        </Text>
        <Group align="flex-end">
          <FileInput
            w={340}
            label={t('responses.import.file')}
            placeholder={t('responses.import.pick')}
            accept=".csv,text/csv"
            clearable
            leftSection={<IconUpload size={16} />}
            value={file}
            onChange={choose}
            data-testid="responses-import-file"
          />
          <Button
            variant="default"
            onClick={() => send.mutate(true)}
            loading={send.isPending && send.variables === true}
            disabled={!file || send.isPending}
            data-testid="responses-import-check"
          >
            {t('responses.import.check')}
          </Button>
          <Button
            onClick={() => send.mutate(false)}
            loading={send.isPending && send.variables === false}
            // Only a file that passed its check, and only once.
            disabled={outcome?.kind !== 'checked' || send.isPending}
            data-testid="responses-import-run"
          >
            {t('responses.import.run')}
          </Button>
        </Group>
        {outcome?.kind === 'checked' && (
          <Alert color="blue" data-testid="responses-import-checked">
            {t('responses.import.checked', counts(outcome.report))}
          </Alert>
        )}
        {outcome?.kind === 'imported' && (
          <Alert color="green" data-testid="responses-import-done">
            {t('responses.import.done', counts(outcome.report))}
          </Alert>
        )}
        {outcome?.kind === 'rejected' && (
          <Alert color="red" data-testid="responses-import-problems">
            <Stack gap="xs">
              <Text size="sm">
                {t('responses.import.problems', { total: outcome.rejection.problemCount })}
              </Text>
              {outcome.rejection.problems.length < outcome.rejection.problemCount && (
                <Text size="sm">
                  {t('responses.import.listed', { shown: outcome.rejection.problems.length })}
                </Text>
              )}
              <IssuesTable issues={outcome.rejection.problems} />
            </Stack>
          </Alert>
        )}
        {warnings && warnings.warningCount > 0 && (
          <Stack gap="xs">
            <Text size="sm" fw={500}>
              {t('responses.import.warnings', { total: warnings.warningCount })}
            </Text>
            <IssuesTable issues={warnings.warnings} />
          </Stack>
        )}
      </Stack>
    </Card>
  );
}

function IssuesTable({ issues }: { issues: ImportIssue[] }) {
  const { t } = useTranslation();
  return (
    <ScrollArea.Autosize mah={320}>
      <Table striped withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('responses.import.line')}</Table.Th>
            <Table.Th>{t('responses.import.column')}</Table.Th>
            <Table.Th>{t('responses.import.reason')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {issues.map((issue) => (
            <Table.Tr key={`${issue.line}:${issue.column}:${issue.reason}`}>
              <Table.Td>{issue.line}</Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {issue.column ?? ''}
                </Text>
              </Table.Td>
              <Table.Td>{issue.reason}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea.Autosize>
  );
}
