import {
  Anchor,
  Badge,
  Button,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api, errorMessage } from '../api/client.ts';
import { useCan } from '../auth/session.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { DirectoryPicker, NoDirectory, useCurrentDirectory } from '../directory/current-directory.tsx';
import { formatDateTime } from '../i18n/index.ts';
import { STATUS_COLORS, type Survey, type SurveyTemplate } from './types.ts';

/** The current directory's surveys, and a new one from a template or from scratch. */
export function SurveysPage() {
  const { t, i18n } = useTranslation();
  const { directories, current, pick } = useCurrentDirectory();
  const canWrite = useCan('data:write');
  const [creating, setCreating] = useState(false);
  const surveys = useQuery({
    queryKey: ['surveys', current?.id],
    queryFn: () => api.get<{ items: Survey[] }>(`/directories/${current!.id}/surveys`),
    enabled: !!current,
  });

  if (directories.isError) return <ErrorState error={directories.error} />;
  if (current === undefined) return <Loading />;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('nav.surveys')}</Title>
        <Group>
          {current && canWrite && (
            <Button onClick={() => setCreating(true)} data-testid="new-survey">
              {t('surveys.new')}
            </Button>
          )}
          {current && <DirectoryPicker current={current} items={directories.data!.items} onPick={pick} />}
        </Group>
      </Group>
      {current === null ? (
        <NoDirectory onCreated={pick} />
      ) : surveys.isPending ? (
        <Loading />
      ) : surveys.isError ? (
        <ErrorState error={surveys.error} onRetry={() => void surveys.refetch()} />
      ) : surveys.data.items.length === 0 ? (
        <Text c="dimmed">{t('surveys.empty')}</Text>
      ) : (
        <Table striped highlightOnHover data-testid="surveys-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('common.name')}</Table.Th>
              <Table.Th>{t('surveys.status')}</Table.Th>
              <Table.Th>{t('surveys.version')}</Table.Th>
              <Table.Th>{t('surveys.updated')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {surveys.data.items.map((survey) => (
              <Table.Tr key={survey.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/surveys/${survey.id}`}>
                    {survey.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Badge color={STATUS_COLORS[survey.status]} variant="light">
                    {t(`surveys.statuses.${survey.status}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>{survey.currentVersion}</Table.Td>
                <Table.Td>{formatDateTime(survey.updatedAt, i18n.language)}</Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/surveys/${survey.id}/results`} size="sm">
                    {t('surveys.results')}
                  </Anchor>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {current && (
        <NewSurveyModal opened={creating} directoryId={current.id} onClose={() => setCreating(false)} />
      )}
    </Stack>
  );
}

function NewSurveyModal({
  opened,
  directoryId,
  onClose,
}: {
  opened: boolean;
  directoryId: number;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [template, setTemplate] = useState<string | null>('relationship-nps');
  const templates = useQuery({
    queryKey: ['survey-templates'],
    queryFn: () => api.get<{ items: SurveyTemplate[] }>('/survey-templates'),
    enabled: opened,
  });
  const create = useMutation({
    mutationFn: () =>
      api.post<Survey>(`/directories/${directoryId}/surveys`, {
        name: name.trim(),
        // From scratch: one page with a question the builder then changes.
        ...(template
          ? { template }
          : {
              definition: {
                pages: [
                  { name: 'page1', elements: [{ type: 'comment', name: 'comment', title: 'Your question' }] },
                ],
              },
            }),
      }),
    onSuccess: async (survey) => {
      await client.invalidateQueries({ queryKey: ['surveys', directoryId] });
      onClose();
      void navigate(`/surveys/${survey.id}`);
    },
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  const picked = templates.data?.items.find((x) => x.key === template);
  return (
    <Modal opened={opened} onClose={onClose} title={t('surveys.new')}>
      <Stack>
        <TextInput
          label={t('common.name')}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          data-autofocus
          data-testid="survey-name"
        />
        <Select
          label={t('surveys.template')}
          clearable
          placeholder={t('surveys.blank')}
          value={template}
          onChange={setTemplate}
          data={(templates.data?.items ?? []).map((x) => ({ value: x.key, label: x.name }))}
          data-testid="survey-template"
        />
        {picked && (
          <Text size="sm" c="dimmed">
            {picked.description}
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button onClick={() => create.mutate()} loading={create.isPending} disabled={!name.trim()}>
            {t('common.create')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
