import { Button, Card, Group, PasswordInput, Select, Stack, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api/client.ts';
import { LOCALES, type Locale, type User } from '../api/types.ts';
import { ME_KEY, useCurrentUser } from '../auth/session.ts';
import { LANGUAGE_NAMES, setLanguage } from '../i18n/index.ts';

export function ProfilePanel() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const client = useQueryClient();
  const [name, setName] = useState(user.name);
  const [locale, setLocale] = useState<string>(user.locale ?? '');
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');

  const saveProfile = useMutation({
    mutationFn: () =>
      api.patch<{ user: User }>('/auth/me', { name, locale: locale ? (locale as Locale) : null }),
    onSuccess: async ({ user: updated }) => {
      client.setQueryData(ME_KEY, updated);
      await setLanguage(updated.locale, true);
      notifications.show({ message: t('common.saved'), color: 'green' });
    },
    onError: (error) => notifications.show({ message: errorMessage(error), color: 'red' }),
  });

  const changePassword = useMutation({
    mutationFn: () => api.post('/auth/me/password', { currentPassword, newPassword }),
    onSuccess: () => {
      setCurrentPassword('');
      setNewPassword('');
      notifications.show({ message: t('settings.passwordChanged'), color: 'green' });
    },
    onError: (error) => notifications.show({ message: errorMessage(error), color: 'red' }),
  });

  return (
    <Stack maw={480}>
      <Card withBorder>
        <Stack>
          <TextInput label={t('common.email')} value={user.email} readOnly />
          <TextInput
            label={t('settings.profileName')}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <Select
            label={t('settings.profileLanguage')}
            value={locale}
            onChange={(value) => setLocale(value ?? '')}
            data={[
              { value: '', label: t('settings.browserLanguage') },
              ...LOCALES.map((value) => ({ value, label: LANGUAGE_NAMES[value] })),
            ]}
          />
          <Group>
            <Button onClick={() => saveProfile.mutate()} loading={saveProfile.isPending}>
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </Card>
      <Card withBorder>
        <Stack>
          <Title order={4}>{t('settings.changePassword')}</Title>
          <PasswordInput
            label={t('settings.currentPassword')}
            autoComplete="current-password"
            value={currentPassword}
            onChange={(e) => setCurrentPassword(e.currentTarget.value)}
          />
          <PasswordInput
            label={t('settings.newPassword')}
            autoComplete="new-password"
            value={newPassword}
            onChange={(e) => setNewPassword(e.currentTarget.value)}
          />
          <Group>
            <Button
              onClick={() => changePassword.mutate()}
              loading={changePassword.isPending}
              disabled={!currentPassword || !newPassword}
            >
              {t('settings.changePassword')}
            </Button>
          </Group>
        </Stack>
      </Card>
    </Stack>
  );
}
