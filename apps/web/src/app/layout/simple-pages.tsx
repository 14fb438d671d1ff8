import { parseOAuthOutcome } from '@cliprelay/contract';
import { Button, Center, Loader, Stack, Text, Title } from '@mantine/core';
import { Link, Navigate, useLocation } from 'react-router';

/**
 * `/`: the publish screen, except when TikTok's OAuth round trip ends here
 * (`?tiktok_connect=…`, the API's WEB_APP_URL), which the accounts screen reports.
 */
export function HomeRedirect() {
  const { search } = useLocation();
  const outcome = parseOAuthOutcome(new URLSearchParams(search));
  return <Navigate to={outcome ? `/accounts${search}` : '/publish'} replace />;
}

export function NotFoundPage() {
  return (
    <Stack align="flex-start" gap="sm" py="xl">
      <Title order={1} size="h2">
        Page not found
      </Title>
      <Text c="dimmed">There is nothing at this address.</Text>
      <Button component={Link} to="/publish">
        Go to Publish
      </Button>
    </Stack>
  );
}

/** The whole page while something loads, where the session's loader was: nothing moves after it. */
export function FullPageLoader({ label }: { label: string }) {
  return (
    <Center h="100dvh">
      <Loader aria-label={label} />
    </Center>
  );
}

/** A screen's place in the signed-in frame while its code loads. */
export function ScreenLoader() {
  return (
    <Center mih="50dvh">
      <Loader aria-label="Loading the screen" />
    </Center>
  );
}
