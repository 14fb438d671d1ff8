/** Limits shared by the web app's form and the API's validation: the same numbers on both sides. */

/** The seed's caption limit (TikTok itself allows 2200 UTF-16 units; we keep the seed's 150). */
export const TITLE_MAX_LENGTH = 150;

/** Largest video we accept: 4 GiB. Bigger uploads get 413 before a byte is read. */
export const MAX_VIDEO_BYTES = 4 * 1024 * 1024 * 1024;

/** Files above this size get a "this may take several minutes" warning in the form. */
export const LARGE_VIDEO_WARNING_BYTES = 500 * 1024 * 1024;

export const PRIVACY_LEVELS = [
  'PUBLIC_TO_EVERYONE',
  'MUTUAL_FOLLOW_FRIENDS',
  'FOLLOWER_OF_CREATOR',
  'SELF_ONLY',
] as const;
export type PrivacyLevel = (typeof PRIVACY_LEVELS)[number];

export const SOURCE_TYPES = ['FILE_UPLOAD', 'PULL_FROM_URL'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

/** Containers TikTok accepts on the upload PUT (tiktok-api.md §4.4). */
export const VIDEO_CONTENT_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'] as const;
export type VideoContentType = (typeof VIDEO_CONTENT_TYPES)[number];
