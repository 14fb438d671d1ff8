/** How a post of the publish history reads: labels, status, TikTok's reason, link and times. */
import type { PostSummary, PostAttempt, PrivacyLevel, SourceType } from '@cliprelay/contract';
import { describeApiError } from '../../../lib/describe-api-error.ts';
import type { PublishDraft } from '../../../lib/publish-draft.ts';
import { tiktokPostUrl } from '../../../lib/tiktok.ts';

/** The words of the publish screen's privacy choice, short enough for a table cell. */
export const PRIVACY_WORDS: Record<PrivacyLevel, string> = {
  PUBLIC_TO_EVERYONE: 'Everyone',
  MUTUAL_FOLLOW_FRIENDS: 'Friends',
  FOLLOWER_OF_CREATOR: 'Followers',
  SELF_ONLY: 'Only me',
};

export const SOURCE_WORDS: Record<SourceType, string> = {
  FILE_UPLOAD: 'From your device',
  PULL_FROM_URL: 'From your media library',
};

export const NO_CAPTION = 'No caption';

/** The video's own name: the device file's, or the last part of the library video's address. */
export function videoName(post: Pick<PostSummary, 'file_name' | 'video_url'>): string | null {
  if (post.file_name) return post.file_name;
  if (!post.video_url) return null;
  try {
    const last = new URL(post.video_url).pathname.split('/').filter(Boolean).pop();
    return last ? decodeURIComponent(last) : null;
  } catch {
    return null;
  }
}

/** How a post is named: its caption, else its video's name, else "No caption". */
export function postTitle(post: Pick<PostSummary, 'title' | 'file_name' | 'video_url'>): string {
  return post.title.trim() || videoName(post) || NO_CAPTION;
}

/** The same post again, for "Try again with the same settings" on the publish screen. */
export function retryDraft(post: PostSummary): PublishDraft {
  return {
    socialAccountId: post.social_account_id,
    source: post.source_type,
    videoUrl: post.video_url,
    fileName: post.file_name,
    settings: {
      title: post.title,
      privacy_level: post.privacy_level,
      disable_comment: post.disable_comment,
      disable_duet: post.disable_duet,
      disable_stitch: post.disable_stitch,
      brand_organic_toggle: post.brand_organic_toggle,
      brand_content_toggle: post.brand_content_toggle,
      is_aigc: post.is_aigc,
    },
  };
}

/** Still on its way to TikTok (or being processed there). */
export function isInProgress(post: Pick<PostSummary, 'local_status'>): boolean {
  return post.local_status !== 'published' && post.local_status !== 'failed';
}

/** TikTok's review gives a public post its id within minutes; a day later, it will not come. */
const POST_ID_WAIT_MS = 24 * 60 * 60 * 1000;

/**
 * Whether our server may still learn news of a post, mirroring what it considers settled: on its
 * way, or published publicly and still waiting for its public id — unless TikTok never confirmed
 * it in time (`unconfirmed`: the server stopped asking).
 */
export function mayChange(post: PostSummary, now = Date.now()): boolean {
  if (post.unconfirmed || post.local_status === 'failed') return false;
  if (post.local_status !== 'published') return true;
  return (
    post.privacy_level === 'PUBLIC_TO_EVERYONE' &&
    post.post_ids.length === 0 &&
    now - Date.parse(post.created_at) < POST_ID_WAIT_MS
  );
}

export interface StatusLook {
  label: string;
  color: string;
}

export function statusLook(post: Pick<PostSummary, 'local_status' | 'unconfirmed'>): StatusLook {
  if (post.unconfirmed) return { label: 'Not confirmed', color: 'yellow' };
  switch (post.local_status) {
    case 'published':
      return { label: 'Published', color: 'green' };
    case 'failed':
      return { label: 'Failed', color: 'red' };
    default:
      return { label: 'Processing', color: 'blue' };
  }
}

/** What went wrong, for people: our recorded message, else TikTok's catalogue entry for its reason. */
export function failureMessage(post: Pick<PostSummary, 'user_message' | 'fail_reason'>): string {
  return describeApiError(post).message;
}

/** "Tried 3 times: the first 2 attempts failed." for a submit that needed Try again. */
export function attemptsSummary(post: Pick<PostSummary, 'earlier_attempts' | 'local_status'>): string | null {
  const earlier = post.earlier_attempts.length;
  if (earlier === 0) return null;
  const tries = `Tried ${earlier + 1} times`;
  return earlier === 1
    ? `${tries}: the first attempt failed.`
    : `${tries}: the first ${earlier} attempts failed.`;
}

/** What went wrong in an earlier attempt, in words. */
export function attemptFailure(attempt: PostAttempt): string {
  return attempt.user_message ?? 'This attempt did not reach TikTok.';
}

/** The TikTok account's name: nickname, else @username, else a neutral label (a forgotten account). */
export function accountName(post: Pick<PostSummary, 'account_display_name' | 'account_username'>): string {
  return (
    post.account_display_name ?? (post.account_username ? `@${post.account_username}` : 'TikTok account')
  );
}

/** The post's public TikTok address, when TikTok gave it an id (public posts after moderation). */
export function postUrl(post: Pick<PostSummary, 'account_username' | 'post_ids'>): string | null {
  const id = post.post_ids[0];
  return id && post.account_username ? tiktokPostUrl(post.account_username, id) : null;
}

const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "just now", "5 minutes ago", "yesterday", "3 weeks ago"… */
export function relativeTime(date: Date, now: number): string {
  const seconds = Math.round((date.getTime() - now) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === 'minute') {
      return RELATIVE.format(Math.trunc(seconds / size) || Math.sign(seconds), unit);
    }
  }
  return 'just now';
}

const ABSOLUTE = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The date and time in the user's own conventions, e.g. "Jun 3, 2025, 4:05 PM". */
export function absoluteTime(date: Date): string {
  return ABSOLUTE.format(date);
}
