/**
 * A publish form filled in advance: what "Try again with the same settings" on the history screen
 * hands to the publish screen. Features never import each other, so the draft travels through the
 * router (the account in the URL, the rest in the location's state) in this shared shape.
 *
 * The publish screen applies it through its own rules: a privacy level the creator no longer
 * offers is dropped, an interaction the creator has turned off stays off. A device file cannot
 * travel (the browser gives no way back to it): the draft names it, and the user picks it again.
 */
import type { PostSettings, PrivacyLevel, SourceType } from '@cliprelay/contract';

export interface PublishDraft {
  socialAccountId: string;
  settings: Omit<PostSettings, 'video_cover_timestamp_ms'>;
  source: SourceType;
  /** PULL_FROM_URL: the library video's URL, chosen again if it is still in the library. */
  videoUrl: string | null;
  /** FILE_UPLOAD: the name the file had, so the user knows which one to choose again. */
  fileName: string | null;
}

const DRAFT_STATE_KEY = 'publishDraft';

/** Where to navigate for a prefilled form: `navigate(to, { state })`. */
export function publishDraftLocation(draft: PublishDraft): { to: string; state: Record<string, unknown> } {
  return {
    to: `/publish?account=${encodeURIComponent(draft.socialAccountId)}`,
    state: { [DRAFT_STATE_KEY]: draft },
  };
}

const PRIVACY: readonly PrivacyLevel[] = [
  'PUBLIC_TO_EVERYONE',
  'MUTUAL_FOLLOW_FRIENDS',
  'FOLLOWER_OF_CREATOR',
  'SELF_ONLY',
];

/** The draft in a location's state, when one is there and well formed; otherwise null. */
export function readPublishDraft(state: unknown): PublishDraft | null {
  if (!state || typeof state !== 'object') return null;
  const draft = (state as Record<string, unknown>)[DRAFT_STATE_KEY];
  if (!draft || typeof draft !== 'object') return null;
  const d = draft as Partial<PublishDraft>;
  const s = d.settings;
  if (
    typeof d.socialAccountId !== 'string' ||
    (d.source !== 'FILE_UPLOAD' && d.source !== 'PULL_FROM_URL') ||
    !s ||
    typeof s.title !== 'string' ||
    !PRIVACY.includes(s.privacy_level)
  ) {
    return null;
  }
  return {
    socialAccountId: d.socialAccountId,
    source: d.source,
    videoUrl: typeof d.videoUrl === 'string' ? d.videoUrl : null,
    fileName: typeof d.fileName === 'string' ? d.fileName : null,
    settings: {
      title: s.title,
      privacy_level: s.privacy_level,
      disable_comment: s.disable_comment !== false,
      disable_duet: s.disable_duet !== false,
      disable_stitch: s.disable_stitch !== false,
      brand_organic_toggle: s.brand_organic_toggle === true,
      brand_content_toggle: s.brand_content_toggle === true,
      is_aigc: s.is_aigc === true,
    },
  };
}
