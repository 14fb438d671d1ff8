/**
 * After a successful submit: the publish_id, "Video submitted to TikTok", the note that processing
 * takes a few minutes (tiktok-api.md §11 point 5d), then TikTok's live status, polled with backoff
 * until the post is published (with a link when TikTok gives a post id) or failed (with the fix).
 */
import { describeFailReason, type CreatorInfoData, type PublishStatusData } from '@cliprelay/contract';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Code,
  Group,
  Loader,
  Stack,
  Text,
  ThemeIcon,
  Title,
} from '@mantine/core';
import { IconCircleCheck, IconCircleX, IconExternalLink } from '@tabler/icons-react';
import { Link } from 'react-router';
import { mayPass, usePublishStatus } from '../../../api/publish-status.ts';
import { describePublishError } from '../utils/describe-publish-error.ts';
import { tiktokPostUrl } from '../../../lib/tiktok.ts';

const STAGE: Record<string, string> = {
  PROCESSING_UPLOAD: 'TikTok is processing the uploaded video',
  PROCESSING_DOWNLOAD: 'TikTok is downloading the video from the media library',
  SEND_TO_USER_INBOX: 'The video is waiting in your TikTok inbox',
};

export function PublishResult({
  publishId,
  creator,
  isPublic,
  onPublishAnother,
}: {
  publishId: string;
  creator: CreatorInfoData;
  /** A public post gets a link once TikTok has reviewed it: the status is polled until then. */
  isPublic: boolean;
  onPublishAnother: () => void;
}) {
  return (
    <Card>
      <Stack gap="md">
        <Alert
          color="green"
          icon={<IconCircleCheck aria-hidden />}
          title="Video submitted to TikTok"
          role="status"
        >
          <Stack gap={6}>
            <Text size="sm">
              TikTok is processing your video for {creator.creator_nickname}. It can take a few minutes before
              it appears on your TikTok profile.
            </Text>
            <Text size="sm">
              Publish ID: <Code data-testid="publish-id">{publishId}</Code>
            </Text>
          </Stack>
        </Alert>
        <LiveStatus publishId={publishId} username={creator.creator_username} isPublic={isPublic} />
        <Group gap="sm">
          <Button onClick={onPublishAnother}>Publish another video</Button>
          <Button component={Link} to="/history" variant="default">
            See all posts
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function LiveStatus({
  publishId,
  username,
  isPublic,
}: {
  publishId: string;
  username: string;
  isPublic: boolean;
}) {
  const status = usePublishStatus(publishId, { awaitPostId: isPublic });
  return (
    <Card withBorder radius="md" p="md" bg="gray.0" aria-live="polite" data-testid="live-status">
      <Title order={2} size="h5" mb="xs">
        Status on TikTok
      </Title>
      {status.data ? (
        <StatusBody data={status.data} username={username} isPublic={isPublic} />
      ) : status.isError ? null : (
        <Group gap="xs">
          <Loader size="xs" aria-hidden />
          <Text size="sm">Checking the status…</Text>
        </Group>
      )}
      {status.isError && (
        <Text size="sm" c="orange.8" mt="xs">
          The status could not be refreshed ({describePublishError(status.error).message})
          {mayPass(status.error) ? ' We keep trying.' : ' See it later in your history.'}
        </Text>
      )}
    </Card>
  );
}

function StatusBody({
  data,
  username,
  isPublic,
}: {
  data: PublishStatusData;
  username: string;
  isPublic: boolean;
}) {
  if (data.local_status === 'published') {
    const postId = data.post_ids[0];
    return (
      <Stack gap={6}>
        <Group gap="xs">
          <ThemeIcon color="green" variant="light" radius="xl" size="sm">
            <IconCircleCheck size={14} aria-hidden />
          </ThemeIcon>
          <Text fw={600}>Published on TikTok</Text>
        </Group>
        {postId && username ? (
          <Anchor href={tiktokPostUrl(username, postId)} target="_blank" rel="noopener noreferrer" size="sm">
            View the post on TikTok{' '}
            <IconExternalLink size={14} aria-hidden style={{ verticalAlign: 'middle' }} />
          </Anchor>
        ) : isPublic ? (
          <Text size="sm" c="dimmed">
            TikTok is reviewing the post; its link appears here once it is public.
          </Text>
        ) : (
          <Text size="sm" c="dimmed">
            It is on your TikTok profile. TikTok gives no public link for posts that are not public.
          </Text>
        )}
      </Stack>
    );
  }
  if (data.local_status === 'failed') {
    const message =
      data.user_message ?? (data.fail_reason ? describeFailReason(data.fail_reason).userMessage : null);
    return (
      <Stack gap={6}>
        <Group gap="xs">
          <ThemeIcon color="red" variant="light" radius="xl" size="sm">
            <IconCircleX size={14} aria-hidden />
          </ThemeIcon>
          <Text fw={600}>TikTok could not publish this video</Text>
        </Group>
        <Text size="sm">{message ?? 'Please try again.'}</Text>
        {data.fail_reason && (
          <Text size="xs" c="dimmed">
            TikTok&apos;s reason: <Code>{data.fail_reason}</Code>
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
    <Group gap="xs">
      <Loader size="xs" aria-hidden />
      <Text size="sm">{STAGE[data.status] ?? 'TikTok is processing the video'}…</Text>
      <Badge variant="light" color="gray" size="sm">
        {data.status}
      </Badge>
    </Group>
  );
}
