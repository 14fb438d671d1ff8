/** Small pure helpers the web app and the API both need, so that both count and word things alike. */
import { TITLE_MAX_LENGTH } from './limits.ts';

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/**
 * A byte count for people, in BINARY units (1 KB = 1024 B, 1 GB = 2^30 B) with the familiar short
 * labels, as the seed does: its "Maximum size is 4 GB" is MAX_VIDEO_BYTES, 4 GiB, which this
 * formats as "4 GB" (a decimal formatter would say "4.3 GB"). At most one decimal, no trailing
 * ".0": 1536 → "1.5 KB", 500 MiB → "500 MB", 1.5 GiB → "1.5 GB". Whole bytes below 1 KB: "512 B".
 *
 * @throws RangeError for a negative, NaN or infinite count.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError(`Not a byte count: ${bytes}`);
  let value = bytes;
  let unit = 0;
  while (unit < BYTE_UNITS.length - 1 && Math.round(value * 10) / 10 >= 1024) {
    value /= 1024;
    unit += 1;
  }
  const shown = unit === 0 ? String(Math.round(value)) : String(Math.round(value * 10) / 10);
  return `${shown} ${BYTE_UNITS[unit] ?? 'B'}`;
}

/**
 * Whether a MIME type is a video (`video/*`), as the seed's client check `type.startsWith('video/')`,
 * but case-insensitive and requiring a subtype. Parameters are allowed (`video/mp4; codecs=…`).
 * Empty, null or undefined (a browser that could not tell) is not a video. This is the first,
 * cheap check; TikTok's upload itself takes only VIDEO_CONTENT_TYPES.
 */
export function isVideoMimeType(type: string | null | undefined): boolean {
  return typeof type === 'string' && /^video\/[^\s/;]+/i.test(type.trim());
}

/**
 * The length the title limit counts: JavaScript's `string.length`, i.e. UTF-16 code units, which is
 * how TikTok counts titles ("UTF-16 runes", tiktok-api.md §2.2) and what a textarea's `maxLength`
 * counts. An emoji outside the BMP counts 2. No trimming or normalisation: the title is counted as
 * it will be sent.
 *
 * Note for the API: class-validator's `@MaxLength` counts a surrogate pair as 1 (validator.js
 * `isLength`), so it would let through titles TikTok counts as longer; validate with this function.
 */
export function titleLength(title: string): number {
  return title.length;
}

/** Whether a title fits TITLE_MAX_LENGTH as titleLength counts it. */
export function isTitleWithinLimit(title: string): boolean {
  return titleLength(title) <= TITLE_MAX_LENGTH;
}
