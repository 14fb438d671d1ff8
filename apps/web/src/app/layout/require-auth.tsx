import { Alert, Button, Center, Container, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { IconBrandTiktok } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useAuth } from 'react-oidc-context';
import { currentScreenState } from '../../lib/auth.ts';

/** The app behind sign-in: a loader while the session is read, a sign-in screen without one. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const auth = useAuth();
  if (auth.isLoading || auth.activeNavigator) {
    return (
      <Center h="100dvh">
        <Loader aria-label="Loading your session" />
      </Center>
    );
  }
  if (auth.isAuthenticated) return children;
  return (
    <Container size={440} py={80}>
      <Paper withBorder radius="lg" p="xl" shadow="sm">
        <Stack gap="md" align="center" ta="center">
          <IconBrandTiktok size={40} aria-hidden />
          <Title order={1} size="h2">
            Cliprelay
          </Title>
          <Text c="dimmed">Publish your videos to TikTok, and follow them until they are live.</Text>
          {auth.error && (
            <Alert color="red" role="alert" w="100%" ta="left" title="Sign-in did not complete">
              {auth.error.message}. Please try again.
            </Alert>
          )}
          <Button
            size="md"
            fullWidth
            onClick={() => void auth.signinRedirect({ state: currentScreenState() })}
          >
            Sign in
          </Button>
        </Stack>
      </Paper>
    </Container>
  );
}
