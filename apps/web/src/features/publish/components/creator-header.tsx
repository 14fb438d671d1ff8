import type { CreatorInfoData } from '@cliprelay/contract';
import { Avatar, Group, Stack, Text } from '@mantine/core';

/** Who will post: TikTok asks apps to show the creator's nickname (tiktok-api.md §11 point 1a). */
export function CreatorHeader({ creator }: { creator: CreatorInfoData }) {
  return (
    <Group gap="sm" wrap="nowrap">
      <Avatar
        src={creator.creator_avatar_url || null}
        name={creator.creator_nickname}
        size={48}
        radius="xl"
      />
      <Stack gap={0} style={{ minWidth: 0 }}>
        <Text size="xs" c="dimmed">
          Posting to TikTok as
        </Text>
        <Text fw={600} truncate data-testid="creator-nickname">
          {creator.creator_nickname}
        </Text>
        {creator.creator_username && (
          <Text size="sm" c="dimmed" truncate>
            @{creator.creator_username}
          </Text>
        )}
      </Stack>
    </Group>
  );
}
