/**
 * After a successful submit: "Video submitted to TikTok", the note that processing takes a few
 * minutes (tiktok-api.md §11 point 5d), what was posted (account, video, caption, audience), then
 * TikTok's live status in words, polled with backoff until the post is published (with a link when
 * TikTok gives a post id) or failed (with the fix). Ids and codes go in a small details line.
 */
import type { CreatorInfoData, PublishStatusData } from '@cliprelay/contract';
import {
  Alert,
  Anchor,
  Avatar,
  Button,
  Card,
  Group,
  Loader,
  SimpleGrid,
  Stack,
  Text,
  ThemeIcon,
  Title,
} from '@mantine/core';
import { IconCircleCheck, IconCircleX, IconExternalLink, IconEye } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { mayPass, usePublishStatus } from '../../../api/publish-status.ts';
import { describeApiError } from '../../../lib/describe-api-error.ts';
import { tiktokPostUrl } from '../../../lib/tiktok.ts';
import { describePublishError } from '../utils/describe-publish-error.ts';
import { PRIVACY_LABELS } from '../utils/privacy.ts';
import type { PublishState } from '../utils/publish-state.ts';

/** TikTok's processing stages, in words. */
const STAGE: Record<string, string> = {
  PROCESSING_UPLOAD: 'TikTok is processing your video',
  PROCESSING_DOWNLOAD: 'TikTok is fetching your video from the media library',
  SEND_TO_USER_INBOX: 'Your video is waiting in your TikTok inbox',
};

export function PublishResult({
  publishId,
  creator,
  state,
  onPublishAnother,
}: {
  publishId: string;
  creator: CreatorInfoData;
  /** The form as it was sent: what the summary shows. */
  state: PublishState;
  onPublishAnother: () => void;
}) {
  // A public post gets a link once TikTok has reviewed it: the status is polled until then.
  const isPublic = state.privacyLevel === 'PUBLIC_TO_EVERYONE';
  const audience = state.privacyLevel ? PRIVACY_LABELS[state.privacyLevel] : null;
  const video =
    state.source === 'FILE_UPLOAD'
      ? (state.selectedFile?.name ?? null)
      : (state.selectedMedia?.title ?? null);
  return (
    <Card>
      <Stack gap="md">
        <Alert
          color="green"
          icon={<IconCircleCheck aria-hidden />}
          title="Video submitted to TikTok"
          role="status"
        >
          <Text size="sm">
            Your video is with TikTok, for {creator.creator_nickname}. It can take a few minutes before it
            appears on your TikTok profile; the status below follows it.
          </Text>
        </Alert>

        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm" data-testid="post-summary">
          <Fact label="TikTok account">
            <Group gap="xs" wrap="nowrap">
              <Avatar
                src={creator.creator_avatar_url || null}
                name={creator.creator_nickname}
                size={24}
                radius="xl"
              />
              <Text size="sm" truncate>
                {creator.creator_nickname}
                {creator.creator_username && (
                  <Text span size="sm" c="dimmed">
                    {' '}
                    @{creator.creator_username}
                  </Text>
                )}
              </Text>
            </Group>
          </Fact>
          <Fact label="Who can view">{audience}</Fact>
          <Fact label="Caption">
            {state.title.trim() ? (
              <Text size="sm" lineClamp={3} style={{ overflowWrap: 'anywhere' }}>
                {state.title}
              </Text>
            ) : (
              <Text size="sm" c="dimmed">
                No caption
              </Text>
            )}
          </Fact>
          {video && <Fact label="Video">{video}</Fact>}
        </SimpleGrid>

        <LiveStatus
          publishId={publishId}
          username={creator.creator_username}
          isPublic={isPublic}
          audience={audience}
        />
        <Group gap="sm">
          <Button onClick={onPublishAnother}>Publish another video</Button>
          <Button component={Link} to="/history" variant="default">
            See all posts
          </Button>
        </Group>
        <Text size="xs" c="dimmed">
          Details for support: publish ID{' '}
          <span data-testid="publish-id" style={{ fontFamily: 'var(--mantine-font-family-monospace)' }}>
            {publishId}
          </span>
        </Text>
      </Stack>
    </Card>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2} style={{ minWidth: 0 }}>
      <Text size="xs" c="dimmed" fw={500}>
        {label}
      </Text>
      {typeof children === 'string' ? (
        <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
          {children}
        </Text>
      ) : (
        children
      )}
    </Stack>
  );
}

function LiveStatus({
  publishId,
  username,
  isPublic,
  audience,
}: {
  publishId: string;
  username: string;
  isPublic: boolean;
  audience: string | null;
}) {
  const status = usePublishStatus(publishId, { awaitPostId: isPublic });
  return (
    <Card withBorder radius="md" p="md" aria-live="polite" data-testid="live-status">
      <Title order={2} size="h5" mb="xs">
        Status on TikTok
      </Title>
      {status.data ? (
        <StatusBody data={status.data} username={username} isPublic={isPublic} audience={audience} />
      ) : status.isError ? null : (
        <Group gap="xs">
          <Loader size="xs" aria-hidden />
          <Text size="sm">Checking the status…</Text>
        </Group>
      )}
      {status.isError && (
        <Text size="sm" c="orange" mt="xs">
          The status could not be refreshed ({describePublishError(status.error).message})
          {mayPass(status.error) ? ' We keep trying.' : ' See it later in your history.'}
        </Text>
      )}
    </Card>
  );
}

function StatusLine({ icon, color, children }: { icon: ReactNode; color: string; children: ReactNode }) {
  return (
    <Group gap="xs" wrap="nowrap">
      <ThemeIcon color={color} variant="light" radius="xl" size="sm">
        {icon}
      </ThemeIcon>
      <Text fw={600}>{children}</Text>
    </Group>
  );
}

function StatusBody({
  data,
  username,
  isPublic,
  audience,
}: {
  data: PublishStatusData;
  username: string;
  isPublic: boolean;
  audience: string | null;
}) {
  if (data.local_status === 'published') {
    const postId = data.post_ids[0];
    if (postId && username) {
      return (
        <Stack gap={6}>
          <StatusLine color="green" icon={<IconCircleCheck size={14} aria-hidden />}>
            Published on TikTok
          </StatusLine>
          <Anchor href={tiktokPostUrl(username, postId)} target="_blank" rel="noopener noreferrer" size="sm">
            View the post on TikTok{' '}
            <IconExternalLink size={14} aria-hidden style={{ verticalAlign: 'middle' }} />
          </Anchor>
        </Stack>
      );
    }
    if (isPublic) {
      // Posted, but not public yet: TikTok reviews public posts before giving them an address.
      return (
        <Stack gap={6}>
          <StatusLine color="blue" icon={<IconEye size={14} aria-hidden />}>
            Posted — TikTok is reviewing it
          </StatusLine>
          <Text size="sm" c="dimmed">
            Everyone can see it once TikTok&apos;s review is done; its link appears here then.
          </Text>
        </Stack>
      );
    }
    return (
      <Stack gap={6}>
        <StatusLine color="green" icon={<IconCircleCheck size={14} aria-hidden />}>
          Published on TikTok
        </StatusLine>
        <Text size="sm" c="dimmed">
          It is on your TikTok profile{audience ? `, for: ${audience}` : ''}. Only public posts get a link to
          share.
        </Text>
      </Stack>
    );
  }
  if (data.local_status === 'failed') {
    const failure = describeApiError(data);
    return (
      <Stack gap={6}>
        <StatusLine color="red" icon={<IconCircleX size={14} aria-hidden />}>
          {failure.title}
        </StatusLine>
        <Text size="sm">{failure.message}</Text>
        {data.fail_reason && (
          <Text size="xs" c="dimmed">
            Details for support: TikTok&apos;s reason code {data.fail_reason}
          </Text>
        )}
      </Stack>
    );
  }
  if (data.unconfirmed) {
    return (
      <Stack gap={6} data-testid="unconfirmed">
        <Text fw={600}>TikTok has not confirmed this post yet</Text>
        <Text size="sm">{data.user_message}</Text>
      </Stack>
    );
  }
  return (
    <Group gap="xs" wrap="nowrap">
      <Loader size="xs" aria-hidden />
      <Text size="sm">{STAGE[data.status] ?? 'TikTok is processing your video'}…</Text>
    </Group>
  );
}
