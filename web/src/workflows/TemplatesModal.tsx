import { Alert, Button, Card, Group, Modal, SimpleGrid, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiError, api, errorMessage } from '../api/client.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { useResources } from './resources.ts';
import { SchemaForm } from './SchemaForm.tsx';
import type { Problem, Template, Workflow } from './types.ts';

/** Ready-to-copy workflows: pick one, answer what it needs (the survey, the SFTP source …), create it. */
export function TemplatesModal({
  directoryId,
  opened,
  onClose,
}: {
  directoryId: number;
  opened: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const resources = useResources(directoryId);
  const templates = useQuery({
    queryKey: ['workflow-templates'],
    queryFn: () => api.get<{ items: Template[] }>('/workflow-templates'),
    enabled: opened,
  });
  const [chosen, setChosen] = useState<Template | null>(null);
  const [answers, setAnswers] = useState<Record<string, unknown>>({});
  const [problems, setProblems] = useState<Problem[]>([]);
  const create = useMutation({
    mutationFn: () =>
      api.post<Workflow>(`/directories/${directoryId}/workflow-templates/${chosen!.key}`, answers),
    onSuccess: (workflow) => {
      notifications.show({ color: 'green', message: t('workflows.templates.created') });
      onClose();
      navigate(`/workflows/${workflow.id}`);
    },
    onError: (error) => {
      if (error instanceof ApiError && Array.isArray(error.details)) setProblems(error.details as Problem[]);
      else notifications.show({ color: 'red', message: errorMessage(error) });
    },
  });
  const close = () => {
    setChosen(null);
    setAnswers({});
    setProblems([]);
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} size="xl" title={t('workflows.templates.title')}>
      {templates.isPending ? (
        <Loading />
      ) : templates.isError ? (
        <ErrorState error={templates.error} />
      ) : !chosen ? (
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          {templates.data.items.map((template) => (
            <Card key={template.key} withBorder data-testid={`template-${template.key}`}>
              <Stack gap="xs" h="100%" justify="space-between">
                <Stack gap={4}>
                  <Text fw={600}>
                    {t(`workflows.templates.items.${template.key}.name`, { defaultValue: template.name })}
                  </Text>
                  <Text size="sm" c="dimmed">
                    {t(`workflows.templates.items.${template.key}.description`, {
                      defaultValue: template.description,
                    })}
                  </Text>
                </Stack>
                <Button size="xs" variant="light" onClick={() => setChosen(template)}>
                  {t('workflows.templates.use')}
                </Button>
              </Stack>
            </Card>
          ))}
        </SimpleGrid>
      ) : (
        <Stack>
          <Text fw={600}>
            {t(`workflows.templates.items.${chosen.key}.name`, { defaultValue: chosen.name })}
          </Text>
          {problems.length > 0 && (
            <Alert color="red" title={t('workflows.problems')}>
              {problems.map((p) => (
                <Text key={`${p.path}${p.message}`} size="sm">
                  {p.path}: {p.message}
                </Text>
              ))}
            </Alert>
          )}
          <SchemaForm
            schema={chosen.parameters}
            value={answers}
            onChange={setAnswers}
            ctx={{ root: chosen.parameters, secrets: [], templateFields: [], resources, problems }}
          />
          <Group justify="space-between">
            <Button variant="subtle" onClick={() => setChosen(null)}>
              {t('workflows.templates.back')}
            </Button>
            <Button loading={create.isPending} onClick={() => create.mutate()} data-testid="template-create">
              {t('common.create')}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
