/**
 * What TikTok's status of a post means for our row: one mapping for the job that follows each
 * post and for TikTok's webhooks alike.
 */
import { describeFailReason, type LocalPostStatus } from '@cliprelay/contract';
import type { PostRow } from '../db/schema.ts';
import type { TikTokPublishStatus } from '../tiktok/tiktok.types.ts';
import type { PostUpdate } from './posts.repository.ts';

/** A publish whose outcome is settled: nothing more will come from TikTok. */
export function isSettled(
  post: Pick<PostRow, 'localStatus' | 'tiktokStatus' | 'privacyLevel' | 'postIds'>,
): boolean {
  // Failed on our side (e.g. the upload broke off): TikTok would only report it as still uploading.
  if (post.localStatus === 'failed') return true;
  if (post.tiktokStatus === 'FAILED' || post.tiktokStatus === 'SEND_TO_USER_INBOX') return true;
  if (post.tiktokStatus !== 'PUBLISH_COMPLETE') return false;
  // Public posts get their ids after moderation; other posts never get any (tiktok-api.md §6.1).
  return post.privacyLevel !== 'PUBLIC_TO_EVERYONE' || post.postIds.length > 0;
}

/** The row's new fields for what TikTok said. */
export function statusUpdate(
  post: PostRow,
  s: Omit<TikTokPublishStatus, 'uploaded_bytes' | 'downloaded_bytes'>,
): PostUpdate {
  const failed = s.status === 'FAILED';
  const entry = failed ? describeFailReason(s.fail_reason ?? 'unknown') : undefined;
  const localStatus: LocalPostStatus =
    s.status === 'PUBLISH_COMPLETE' || s.status === 'SEND_TO_USER_INBOX'
      ? 'published'
      : failed
        ? 'failed'
        : post.localStatus === 'uploading' && s.status === 'PROCESSING_UPLOAD'
          ? 'uploading'
          : 'processing';
  return {
    tiktokStatus: s.status,
    failReason: s.fail_reason,
    postIds: s.post_ids.length > 0 ? s.post_ids : post.postIds,
    localStatus,
    tiktokLogId: s.logId ?? post.tiktokLogId,
    errorCode: entry ? entry.errorCode : post.errorCode,
    // TikTok spoke again: a post we had stopped following ("not confirmed yet") is followed anew.
    userMessage: entry ? entry.userMessage : post.followEndedAt ? null : post.userMessage,
    followEndedAt: null,
  };
}
