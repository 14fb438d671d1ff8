/** The history on phones: one card per post. */
import type { PostSummary } from '@cliprelay/contract';
import { Card, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { PRIVACY_WORDS, SOURCE_WORDS, accountName } from '../utils/post-display.ts';
import {
  EarlierAttempts,
  FailureDetails,
  PostDetails,
  PostedAt,
  PostThumbnail,
  PostTitle,
  RetryButton,
  StatusBadge,
  TikTokLink,
  UnconfirmedNote,
} from './post-parts.tsx';

export function PostCards({ posts, now }: { posts: PostSummary[]; now: number }) {
  return (
    <SimpleGrid component="ul" cols={{ base: 1, sm: 2 }} spacing="md" p={0} m={0} aria-label="Your posts">
      {posts.map((post) => (
        <PostCard key={post.id} post={post} now={now} />
      ))}
    </SimpleGrid>
  );
}

function PostCard({ post, now }: { post: PostSummary; now: number }) {
  const titleId = `post-${post.id}-title`;
  const account = accountName(post);
  const handle = post.account_display_name && post.account_username ? ` (@${post.account_username})` : '';
  return (
    <Card component="li" aria-labelledby={titleId} padding="md" style={{ listStyle: 'none' }}>
      <Stack gap="xs">
        <Group align="flex-start" wrap="nowrap" gap="sm">
          <PostThumbnail post={post} width={40} />
          <Stack gap={6} style={{ flex: 1, minWidth: 0 }}>
            <PostTitle post={post} id={titleId} lineClamp={3} />
            <StatusBadge post={post} style={{ alignSelf: 'flex-start' }} />
          </Stack>
        </Group>
        <FailureDetails post={post} />
        <UnconfirmedNote post={post} />
        <Stack gap={2}>
          <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
            {account}
            <Text span size="sm" c="dimmed">
              {handle}
            </Text>
          </Text>
          <Text size="sm" c="dimmed">
            {SOURCE_WORDS[post.source_type]}
          </Text>
          <Text size="sm" c="dimmed">
            Who can view: {PRIVACY_WORDS[post.privacy_level]}
          </Text>
          <PostedAt post={post} now={now} inline />
        </Stack>
        <TikTokLink post={post} />
        <RetryButton post={post} />
        <EarlierAttempts post={post} now={now} />
        <PostDetails post={post} />
      </Stack>
    </Card>
  );
}
