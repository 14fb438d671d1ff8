import {
  Box,
  Button,
  Card,
  EmptyState,
  Group,
  Skeleton,
  Stack,
  Text,
  VisuallyHidden,
  useMantineTheme,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconHistory, IconRefresh, IconUpload } from '@tabler/icons-react';
import { Link } from 'react-router';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { POSTS_LIMIT } from '../api/get-posts.ts';
import { useHistory } from '../hooks/use-history.ts';
import { useNow } from '../hooks/use-now.ts';
import { describeApiError } from '../../../lib/describe-api-error.ts';
import { PostCards } from './post-cards.tsx';
import { PostTable } from './post-table.tsx';

/** `/history`: every video the user sent to TikTok, newest first, with how it went. */
export function HistoryPage() {
  const { posts, data, refresh, refreshing } = useHistory();
  const now = useNow();
  const theme = useMantineTheme();
  // Read at once (not after a first render), so a phone never flashes the table.
  const wide = useMediaQuery(`(min-width: ${theme.breakpoints.md})`, true, {
    getInitialValueInEffect: false,
  });

  return (
    <Stack gap="lg" py="md">
      <PageHeader
        title="Publish history"
        description="The videos you sent to TikTok from Cliprelay, newest first. Statuses update on their own while TikTok processes a video."
        actions={
          <Button
            variant="default"
            leftSection={<IconRefresh size={16} aria-hidden />}
            loading={refreshing}
            disabled={posts.isPending}
            onClick={() => void refresh()}
          >
            Refresh
          </Button>
        }
      />

      {posts.isPending ? (
        <HistorySkeleton wide={wide} />
      ) : !data ? (
        <ErrorAlert
          title="Could not load your publish history"
          message={describeApiError(posts.error).message}
          onRetry={() => void posts.refetch()}
          retrying={posts.isFetching}
        />
      ) : data.length === 0 ? (
        <Card>
          <EmptyState icon={<IconHistory size={28} aria-hidden />} variant="light" py="lg">
            <EmptyState.Title order={2}>No posts yet</EmptyState.Title>
            <EmptyState.Description>
              Videos you publish to TikTok from Cliprelay appear here, with whether TikTok published them.
            </EmptyState.Description>
            <EmptyState.Actions>
              <Button component={Link} to="/publish" leftSection={<IconUpload size={16} aria-hidden />}>
                Publish a video
              </Button>
            </EmptyState.Actions>
          </EmptyState>
        </Card>
      ) : (
        <Stack gap="sm">
          {posts.isError && (
            <ErrorAlert
              title="Could not refresh your publish history"
              message={`${describeApiError(posts.error).message} What you see may be out of date.`}
              onRetry={() => void posts.refetch()}
              retrying={posts.isFetching}
            />
          )}
          {wide ? (
            <Card p={0}>
              <PostTable posts={data} now={now} />
            </Card>
          ) : (
            <PostCards posts={data} now={now} />
          )}
          {data.length >= POSTS_LIMIT && (
            <Text size="sm" c="dimmed" ta="center">
              Showing your {POSTS_LIMIT} most recent posts.
            </Text>
          )}
        </Stack>
      )}
    </Stack>
  );
}

function HistorySkeleton({ wide }: { wide: boolean }) {
  const rows = [0, 1, 2];
  return (
    <Box aria-busy="true">
      <VisuallyHidden role="status">Loading your publish history…</VisuallyHidden>
      {wide ? (
        <Card padding="md" aria-hidden>
          <Stack gap="xl">
            {rows.map((i) => (
              <Group key={i} gap="xl" wrap="nowrap">
                <Stack gap={6} style={{ flex: 2 }}>
                  <Skeleton height={14} width="70%" />
                  <Skeleton height={10} width="45%" />
                </Stack>
                <Skeleton height={14} style={{ flex: 1 }} />
                <Skeleton height={14} style={{ flex: 1 }} />
                <Skeleton height={14} style={{ flex: 1 }} />
                <Box style={{ flex: 2 }}>
                  <Skeleton height={20} width={100} radius="xl" />
                </Box>
              </Group>
            ))}
          </Stack>
        </Card>
      ) : (
        <Stack gap="md" aria-hidden>
          {rows.map((i) => (
            <Card key={i} padding="md">
              <Group justify="space-between" wrap="nowrap">
                <Skeleton height={16} width="55%" />
                <Skeleton height={20} width={80} radius="xl" />
              </Group>
              <Skeleton height={12} mt="md" width="70%" />
              <Skeleton height={12} mt="xs" width="50%" />
            </Card>
          ))}
        </Stack>
      )}
    </Box>
  );
}
