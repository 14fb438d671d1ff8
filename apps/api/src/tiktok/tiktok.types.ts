import type { PrivacyLevel } from '@cliprelay/contract';

/** TikTok's flat OAuth token body (tiktok-api.md §7.2, §7.3). */
export interface TikTokTokenSet {
  open_id: string;
  scope: string;
  access_token: string;
  expires_in: number;
  refresh_token: string;
  refresh_expires_in: number;
  token_type: string;
}

export interface TikTokUser {
  open_id: string;
  union_id?: string;
  display_name?: string;
  avatar_url?: string;
  username?: string;
}

/** creator_info's data (§2.1). */
export interface TikTokCreatorInfo {
  creator_avatar_url: string;
  creator_username: string;
  creator_nickname: string;
  privacy_level_options: PrivacyLevel[];
  comment_disabled: boolean;
  duet_disabled: boolean;
  stitch_disabled: boolean;
  max_video_post_duration_sec: number;
}

export interface TikTokPostInfo {
  title?: string;
  privacy_level: PrivacyLevel;
  disable_comment: boolean;
  disable_duet: boolean;
  disable_stitch: boolean;
  brand_content_toggle: boolean;
  brand_organic_toggle: boolean;
  is_aigc: boolean;
  video_cover_timestamp_ms?: number;
}

export type TikTokSourceInfo =
  | { source: 'PULL_FROM_URL'; video_url: string }
  | { source: 'FILE_UPLOAD'; video_size: number; chunk_size: number; total_chunk_count: number };

export interface TikTokInitResult {
  publish_id: string;
  upload_url?: string;
  logId: string | null;
}

/** status/fetch's data (§2.4), with post ids kept as strings (they are 19-digit JSON numbers). */
export interface TikTokPublishStatus {
  status: string;
  fail_reason: string | null;
  post_ids: string[];
  uploaded_bytes: number | null;
  downloaded_bytes: number | null;
  logId: string | null;
}
