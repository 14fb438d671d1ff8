/** The history on wide screens: one row per post. */
import type { PostSummary } from '@cliprelay/contract';
import { Group, Stack, Table, Text } from '@mantine/core';
import { PRIVACY_WORDS, SOURCE_WORDS } from '../utils/post-display.ts';
import {
  AccountName,
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

const NOWRAP = { whiteSpace: 'nowrap' } as const;

export function PostTable({ posts, now }: { posts: PostSummary[]; now: number }) {
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table aria-label="Your posts" verticalSpacing="sm" horizontalSpacing="md" highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Video</Table.Th>
            <Table.Th style={NOWRAP}>TikTok account</Table.Th>
            <Table.Th style={NOWRAP}>Who can view</Table.Th>
            <Table.Th>Posted</Table.Th>
            <Table.Th w="30%">Status</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {posts.map((post) => (
            <Table.Tr key={post.id} style={{ verticalAlign: 'top' }}>
              <Table.Td>
                <Group gap="sm" wrap="nowrap" align="flex-start">
                  <PostThumbnail post={post} />
                  <Stack gap={2} style={{ minWidth: 0 }}>
                    <PostTitle post={post} lineClamp={2} />
                    <Text size="xs" c="dimmed">
                      {SOURCE_WORDS[post.source_type]}
                    </Text>
                  </Stack>
                </Group>
              </Table.Td>
              <Table.Td maw={200}>
                <AccountName post={post} />
              </Table.Td>
              <Table.Td style={NOWRAP}>
                <Text size="sm">{PRIVACY_WORDS[post.privacy_level]}</Text>
              </Table.Td>
              <Table.Td style={NOWRAP}>
                <PostedAt post={post} now={now} />
              </Table.Td>
              <Table.Td>
                <Stack gap={6} align="flex-start">
                  <StatusBadge post={post} />
                  <FailureDetails post={post} />
                  <UnconfirmedNote post={post} />
                  <TikTokLink post={post} />
                  <RetryButton post={post} />
                  <EarlierAttempts post={post} now={now} />
                  <PostDetails post={post} />
                </Stack>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
