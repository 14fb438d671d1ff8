import {
  ActionIcon,
  AppShell,
  Avatar,
  Burger,
  Container,
  Group,
  Menu,
  NavLink,
  Text,
  UnstyledButton,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconDeviceDesktop,
  IconHistory,
  IconLogout,
  IconMoon,
  IconPlugConnected,
  IconSun,
  IconUpload,
} from '@tabler/icons-react';
import { Suspense } from 'react';
import { useAuth } from 'react-oidc-context';
import { NavLink as RouterNavLink, Outlet, useLocation } from 'react-router';
import { ScreenLoader } from './simple-pages.tsx';

const NAV = [
  { to: '/publish', label: 'Publish', icon: IconUpload },
  { to: '/accounts', label: 'Accounts', icon: IconPlugConnected },
  { to: '/history', label: 'History', icon: IconHistory },
] as const;

/** The frame of every signed-in screen: header with the sections and the user's menu. */
export function AppLayout() {
  const [opened, { toggle, close }] = useDisclosure(false);
  const { pathname } = useLocation();

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { desktop: true, mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Container size="lg" h="100%">
          <Group h="100%" justify="space-between" wrap="nowrap">
            <Group gap="xs" wrap="nowrap">
              <Burger
                opened={opened}
                onClick={toggle}
                hiddenFrom="sm"
                size="sm"
                aria-label={opened ? 'Close navigation' : 'Open navigation'}
              />
              <Logo />
            </Group>
            <Group gap={4} visibleFrom="sm" component="nav" aria-label="Main">
              <MainLinks pathname={pathname} inline />
            </Group>
            <Group gap="xs" wrap="nowrap">
              <ColorSchemeToggle />
              <UserMenu />
            </Group>
          </Group>
        </Container>
      </AppShell.Header>

      <AppShell.Navbar p="sm" component="nav" aria-label="Main">
        <MainLinks pathname={pathname} onNavigate={close} />
      </AppShell.Navbar>

      <AppShell.Main>
        <Container size="lg" px={{ base: 0, sm: 'md' }} pb="xl">
          <Suspense fallback={<ScreenLoader />}>
            <Outlet />
          </Suspense>
        </Container>
      </AppShell.Main>
    </AppShell>
  );
}

/** The sections: in the header on wide screens (inline), in the burger's drawer on phones. */
function MainLinks({
  pathname,
  inline = false,
  onNavigate,
}: {
  pathname: string;
  inline?: boolean;
  onNavigate?: () => void;
}) {
  return NAV.map((item) => (
    <NavLink
      key={item.to}
      component={RouterNavLink}
      to={item.to}
      label={item.label}
      leftSection={<item.icon size={18} aria-hidden />}
      active={pathname.startsWith(item.to)}
      onClick={onNavigate}
      {...(inline ? { w: 'auto', style: { borderRadius: 'var(--mantine-radius-md)' } } : {})}
    />
  ));
}

function Logo() {
  return (
    <Group gap={8} wrap="nowrap">
      <svg width="28" height="28" viewBox="0 0 32 32" aria-hidden>
        <rect width="32" height="32" rx="8" fill="var(--mantine-color-indigo-6)" />
        <path d="M11 9.5v13l11-6.5z" fill="#fff" />
      </svg>
      <Text fw={700} size="lg">
        Cliprelay
      </Text>
    </Group>
  );
}

/** Light or dark: follows the system until switched here; the choice is remembered. */
function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const computed = useComputedColorScheme('light', { getInitialValueInEffect: false });
  const next = computed === 'dark' ? 'light' : 'dark';
  return (
    <ActionIcon
      variant="default"
      size="lg"
      radius="xl"
      onClick={() => setColorScheme(next)}
      aria-label={next === 'dark' ? 'Switch to dark mode' : 'Switch to light mode'}
    >
      {computed === 'dark' ? <IconSun size={18} aria-hidden /> : <IconMoon size={18} aria-hidden />}
    </ActionIcon>
  );
}

function UserMenu() {
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const auth = useAuth();
  const profile = auth.user?.profile;
  const name = profile?.name ?? profile?.email ?? 'Signed in';
  return (
    <Menu position="bottom-end" width={220}>
      <Menu.Target>
        <UnstyledButton aria-label={`Account menu for ${name}`}>
          <Group gap="xs" wrap="nowrap">
            <Avatar name={name} color="initials" size={32} />
            <Text size="sm" fw={500} visibleFrom="xs" truncate maw={160}>
              {name}
            </Text>
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        {profile?.email && <Menu.Label>{profile.email}</Menu.Label>}
        {colorScheme !== 'auto' && (
          <Menu.Item
            leftSection={<IconDeviceDesktop size={16} aria-hidden />}
            onClick={() => setColorScheme('auto')}
          >
            Follow the system&apos;s light or dark setting
          </Menu.Item>
        )}
        <Menu.Item
          leftSection={<IconLogout size={16} aria-hidden />}
          onClick={() => void auth.signoutRedirect()}
        >
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
