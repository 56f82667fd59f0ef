import { AppShell, Avatar, Burger, Group, Menu, NavLink, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconAddressBook,
  IconBuildingSkyscraper,
  IconChartBar,
  IconClipboardList,
  IconFilter,
  IconGauge,
  IconLogout,
  IconRoute,
  IconSend,
  IconSettings,
  IconTicket,
  IconUser,
} from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import { useCurrentUser, useSignOut } from '../auth/session.ts';
import { LanguageSwitch } from './LanguageSwitch.tsx';

const SECTIONS = [
  { key: 'command-center', path: '/', label: 'health.title', icon: IconGauge },
  { key: 'directory', icon: IconAddressBook },
  { key: 'accounts', icon: IconBuildingSkyscraper },
  { key: 'segments', label: 'segments.nav', icon: IconFilter },
  { key: 'surveys', icon: IconClipboardList },
  { key: 'distributions', icon: IconSend },
  { key: 'tickets', label: 'tickets.nav', icon: IconTicket },
  { key: 'workflows', icon: IconRoute },
  { key: 'dashboards', icon: IconChartBar },
  { key: 'settings', icon: IconSettings },
] as const;

/** The frame around every signed-in page: sections on the left, language and user menu on top. */
export function AppFrame({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const navigate = useNavigate();
  const user = useCurrentUser();
  const signOut = useSignOut();

  return (
    <AppShell
      data-testid="app-shell"
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="sm">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <Text fw={700} size="lg" component={Link} to="/">
              {t('app.name')}
            </Text>
            <Text size="sm" c="dimmed" visibleFrom="sm">
              {t('app.tagline')}
            </Text>
          </Group>
          <Group gap="sm">
            <LanguageSwitch />
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <UnstyledButton
                  data-testid="user-menu"
                  aria-label={t('auth.signedInAs', { email: user.email })}
                >
                  <Avatar radius="xl" size="sm" color="indigo">
                    {(user.name || user.email).slice(0, 1).toUpperCase()}
                  </Avatar>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{t('auth.signedInAs', { email: user.email })}</Menu.Label>
                <Menu.Item leftSection={<IconUser size={14} />} component={Link} to="/settings/profile">
                  {t('settings.profile')}
                </Menu.Item>
                <Menu.Item
                  data-testid="sign-out"
                  leftSection={<IconLogout size={14} />}
                  onClick={async () => {
                    await signOut();
                    navigate('/login', { replace: true });
                  }}
                >
                  {t('auth.signOut')}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Sections">
        {SECTIONS.map((section) => {
          const { key, icon: Icon } = section;
          const path = 'path' in section ? section.path : `/${key}`;
          return (
            <NavLink
              key={key}
              data-testid={`nav-${key}`}
              component={Link}
              to={path}
              label={t('label' in section ? section.label : `nav.${key}`)}
              leftSection={<Icon size={18} stroke={1.6} />}
              active={
                path === '/'
                  ? location.pathname === '/'
                  : location.pathname === path || location.pathname.startsWith(`${path}/`)
              }
              onClick={close}
            />
          );
        })}
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
