/** The pieces of a history post shared by the desktop table and the phone cards. */
import type { PostSummary } from '@cliprelay/contract';
import { Anchor, Badge, Button, Loader, Stack, Text, VisuallyHidden } from '@mantine/core';
import type { CSSProperties } from 'react';
import {
  IconCircleCheck,
  IconCircleX,
  IconExternalLink,
  IconHelpCircle,
  IconRepeat,
} from '@tabler/icons-react';
import { useNavigate } from 'react-router';
import { VideoThumbnail } from '../../../components/video-thumbnail.tsx';
import { publishDraftLocation } from '../../../lib/publish-draft.ts';
import {
  absoluteTime,
  accountName,
  attemptFailure,
  attemptsSummary,
  failureMessage,
  postTitle,
  postUrl,
  relativeTime,
  retryDraft,
  statusLook,
  videoName,
} from '../utils/post-display.ts';

export interface PostProps {
  post: PostSummary;
}

export function StatusBadge({ post, style }: PostProps & { style?: CSSProperties }) {
  const { label, color } = statusLook(post);
  const icon = post.unconfirmed ? (
    <IconHelpCircle size={12} aria-hidden />
  ) : post.local_status === 'published' ? (
    <IconCircleCheck size={12} aria-hidden />
  ) : post.local_status === 'failed' ? (
    <IconCircleX size={12} aria-hidden />
  ) : (
    <Loader size={10} color={color} aria-hidden />
  );
  return (
    <Badge color={color} variant="light" leftSection={icon} data-status={post.local_status} style={style}>
      {label}
    </Badge>
  );
}

/** TikTok's reason for a failed post, in words with the fix (its raw code is in the details). */
export function FailureDetails({ post }: PostProps) {
  if (post.local_status !== 'failed') return null;
  return (
    <Text size="sm" c="red" data-testid="failure">
      {failureMessage(post)}
    </Text>
  );
}

/** A failed post: the publish screen again, filled in with this post's settings. */
export function RetryButton({ post }: PostProps) {
  const navigate = useNavigate();
  if (post.local_status !== 'failed') return null;
  const { to, state } = publishDraftLocation(retryDraft(post));
  return (
    <Button
      size="xs"
      variant="light"
      leftSection={<IconRepeat size={14} aria-hidden />}
      onClick={() => void navigate(to, { state })}
    >
      Try again with the same settings
      <VisuallyHidden component="span"> ({postTitle(post)})</VisuallyHidden>
    </Button>
  );
}

/** The post's caption, or its video's name and "No caption" when it had none. */
export function PostTitle({ post, id, lineClamp }: PostProps & { id?: string; lineClamp: number }) {
  const captioned = post.title.trim() !== '';
  const name = captioned ? null : videoName(post);
  return (
    <Stack gap={0} style={{ minWidth: 0 }}>
      <Text
        id={id}
        size="sm"
        fw={600}
        c={captioned ? undefined : 'dimmed'}
        lineClamp={lineClamp}
        style={{ overflowWrap: 'anywhere' }}
      >
        {postTitle(post)}
      </Text>
      {name && (
        <Text size="xs" c="dimmed" fs="italic">
          No caption
        </Text>
      )}
    </Stack>
  );
}

/**
 * A small picture of the video: a library video's first frame (components/video-thumbnail.tsx, from its
 * URL), else — a device file, or a video that does not load — a neutral placeholder.
 */
export function PostThumbnail({ post, width = 44 }: PostProps & { width?: number }) {
  const url = post.source_type === 'PULL_FROM_URL' ? post.video_url : null;
  return <VideoThumbnail src={url} width={width} data-testid="post-thumbnail" />;
}

/** Ids and codes for support, folded away: the publish id and TikTok's reason code. */
export function PostDetails({ post }: PostProps) {
  if (!post.publish_id && !post.fail_reason) return null;
  return (
    <details data-testid="post-details">
      <summary style={{ cursor: 'pointer' }}>
        <Text span size="xs" c="dimmed">
          Details
        </Text>
      </summary>
      <Stack gap={2} mt={4}>
        {post.publish_id && (
          <Text size="xs" c="dimmed">
            Publish ID: {/* Kept whole: TikTok's ids have a hyphen a browser would otherwise break at. */}
            <span style={{ fontFamily: 'var(--mantine-font-family-monospace)', whiteSpace: 'nowrap' }}>
              {post.publish_id}
            </span>
          </Text>
        )}
        {post.fail_reason && (
          <Text size="xs" c="dimmed">
            TikTok&apos;s reason code:{' '}
            <span style={{ fontFamily: 'var(--mantine-font-family-monospace)' }}>{post.fail_reason}</span>
          </Text>
        )}
      </Stack>
    </details>
  );
}

/** TikTok never confirmed the post in time: what that means and what to do. */
export function UnconfirmedNote({ post }: PostProps) {
  if (!post.unconfirmed || !post.user_message) return null;
  return (
    <Text size="sm" c="yellow.9" data-testid="unconfirmed">
      {post.user_message}
    </Text>
  );
}

/** A submit that took more than one try: how many, and what went wrong in the earlier ones. */
export function EarlierAttempts({ post, now }: PostProps & { now: number }) {
  const summary = attemptsSummary(post);
  if (!summary) return null;
  return (
    <details data-testid="earlier-attempts">
      <summary style={{ cursor: 'pointer', color: 'var(--mantine-color-dimmed)' }}>
        <Text span size="xs" c="dimmed">
          {summary}
        </Text>
      </summary>
      <Stack component="ol" gap={4} mt={4} pl="md" m={0}>
        {post.earlier_attempts.map((attempt) => (
          <Text component="li" key={attempt.id} size="xs" c="dimmed">
            <time dateTime={attempt.created_at} title={absoluteTime(new Date(attempt.created_at))}>
              {relativeTime(new Date(attempt.created_at), now)}
            </time>
            : {attemptFailure(attempt)}
          </Text>
        ))}
      </Stack>
    </details>
  );
}

/** "View on TikTok" when TikTok gave the post a public id; otherwise why there is no link. */
export function TikTokLink({ post }: PostProps) {
  if (post.local_status !== 'published') return null;
  const url = postUrl(post);
  if (url) {
    return (
      <Anchor href={url} target="_blank" rel="noopener noreferrer" size="sm" fw={500}>
        View on TikTok{' '}
        <VisuallyHidden component="span">({postTitle(post)}, opens in a new tab)</VisuallyHidden>{' '}
        <IconExternalLink size={14} aria-hidden style={{ verticalAlign: 'middle' }} />
      </Anchor>
    );
  }
  return (
    <Text size="xs" c="dimmed">
      {post.privacy_level === 'PUBLIC_TO_EVERYONE'
        ? 'Link once TikTok’s review is done'
        : 'No public link for this post'}
    </Text>
  );
}

export function AccountName({ post }: PostProps) {
  const name = accountName(post);
  return (
    <Stack gap={0} style={{ minWidth: 0 }}>
      <Text size="sm" truncate>
        {name}
      </Text>
      {post.account_display_name && post.account_username && (
        <Text size="xs" c="dimmed" truncate>
          @{post.account_username}
        </Text>
      )}
    </Stack>
  );
}

/** When the post was sent: "5 minutes ago", and the exact date and time. */
export function PostedAt({ post, now, inline = false }: PostProps & { now: number; inline?: boolean }) {
  const date = new Date(post.created_at);
  const absolute = absoluteTime(date);
  const relative = (
    <time dateTime={post.created_at} title={absolute}>
      {relativeTime(date, now)}
    </time>
  );
  if (inline) {
    return (
      <Text size="sm" c="dimmed">
        {relative} · {absolute}
      </Text>
    );
  }
  return (
    <Stack gap={0}>
      <Text size="sm">{relative}</Text>
      <Text size="xs" c="dimmed">
        {absolute}
      </Text>
    </Stack>
  );
}
