/** Contract objects as the API sends them, for tests of states the test stack cannot reach. */
import type { PostSummary } from '@cliprelay/contract';

/** A history row: a published public post from the device, with TikTok's post id. */
export function postSummary(overrides: Partial<PostSummary> = {}): PostSummary {
  const now = new Date().toISOString();
  return {
    id: 'post-1',
    social_account_id: 'acc-1',
    account_display_name: 'Mia Moves',
    account_username: 'mia.moves',
    source_type: 'FILE_UPLOAD',
    title: 'Dance challenge',
    privacy_level: 'PUBLIC_TO_EVERYONE',
    disable_comment: false,
    disable_duet: false,
    disable_stitch: false,
    brand_organic_toggle: false,
    brand_content_toggle: false,
    is_aigc: false,
    video_url: null,
    file_name: 'dance.mp4',
    video_size: 1_000_000,
    publish_id: 'v_inbox_file~v2.7234567890123456789',
    local_status: 'published',
    tiktok_status: 'PUBLISH_COMPLETE',
    fail_reason: null,
    error_code: null,
    user_message: null,
    post_ids: ['7234567890123456789'],
    tiktok_log_id: null,
    unconfirmed: false,
    earlier_attempts: [],
    created_at: now,
    updated_at: now,
    ...overrides,
  };
}
