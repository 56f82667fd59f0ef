import { Button, CopyButton, Group, Modal, NumberInput, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api/client.ts';

interface Made {
  url: string;
  expiresAt: string;
}

/** Makes the signed URL of a CRM record's response widget, to paste behind an iframe in the CRM. */
export function EmbedLinkButton({
  directoryId,
  field,
  value,
}: {
  directoryId: number;
  field: 'sfContactId' | 'sfAccountId' | 'sfLeadId';
  value: string;
}) {
  const { t, i18n } = useTranslation();
  const [open, setOpen] = useState(false);
  const [minutes, setMinutes] = useState<number>(60);
  const make = useMutation({
    mutationFn: () =>
      api.post<Made>('/embeds/responses', {
        directory: directoryId,
        record: { field, value },
        expiresInMinutes: minutes,
        locale: i18n.language,
      }),
  });
  return (
    <>
      <Button size="xs" variant="light" onClick={() => setOpen(true)} data-testid="embed-link-open">
        {t('embed.makeLink')}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={t('embed.makeLink')} size="lg">
        <Stack>
          <Text size="sm">{t('embed.help', { field, value })}</Text>
          <Group align="flex-end">
            <NumberInput
              label={t('embed.validFor')}
              min={1}
              max={60 * 24 * 30}
              value={minutes}
              onChange={(v) => setMinutes(Number(v) || 60)}
              w={200}
            />
            <Button onClick={() => make.mutate()} loading={make.isPending} data-testid="embed-link-make">
              {t('embed.create')}
            </Button>
          </Group>
          {make.isError && <Text c="red">{errorMessage(make.error)}</Text>}
          {make.data && (
            <Group align="flex-end" wrap="nowrap">
              <TextInput
                readOnly
                value={make.data.url}
                label={t('embed.url')}
                style={{ flex: 1 }}
                data-testid="embed-link-url"
              />
              <CopyButton value={make.data.url}>
                {({ copied, copy }) => (
                  <Button variant="default" onClick={copy}>
                    {copied ? t('surveys.copied') : t('surveys.copy')}
                  </Button>
                )}
              </CopyButton>
            </Group>
          )}
        </Stack>
      </Modal>
    </>
  );
}
