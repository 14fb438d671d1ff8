/**
 * Checks of the chosen video before anything is sent (seed §7 "Handling large video files";
 * tiktok-api.md §11 point 1c): a video type, at most 4 GB, a warning over 500 MB, and a duration
 * (read by a <video> element's loadedmetadata) within the creator's maximum. The file's first bytes
 * must be a video container's (MP4/MOV, WebM): a renamed text file is refused before upload.
 */
import {
  ERROR_MESSAGES,
  LARGE_VIDEO_WARNING_BYTES,
  MAX_VIDEO_BYTES,
  fileTooLargeMessage,
  formatBytes,
  isVideoMimeType,
  isWithinMaxDuration,
} from '@cliprelay/contract';

export interface VideoCheck {
  /** Stops publishing: the user must choose another video. */
  problem: string | null;
  /** Worth knowing, does not stop publishing. */
  warning: string | null;
  /** With a problem: what to do, in a few words, for the list of what still stops Publish. */
  fix?: string;
}

/** The API's UNSUPPORTED_MEDIA sentence: the browser's check and the server's read the same. */
export const NOT_A_VIDEO = ERROR_MESSAGES.UNSUPPORTED_MEDIA.userMessage;
const NOT_A_VIDEO_FIX = 'Choose a video file: this one is not a video.';

/** The checks that need only the file's type and size: instant. */
export function checkFile(file: Pick<File, 'type' | 'size'>): VideoCheck {
  if (!isVideoMimeType(file.type)) {
    return { problem: NOT_A_VIDEO, warning: null, fix: NOT_A_VIDEO_FIX };
  }
  if (file.size > MAX_VIDEO_BYTES) {
    return {
      problem: fileTooLargeMessage({ sizeBytes: file.size }),
      warning: null,
      fix: `Choose a smaller video: this one is over ${formatBytes(MAX_VIDEO_BYTES)}.`,
    };
  }
  if (file.size === 0) {
    return {
      problem: 'This file is empty. Please choose another video.',
      warning: null,
      fix: 'Choose another video: this file is empty.',
    };
  }
  if (file.size > LARGE_VIDEO_WARNING_BYTES) {
    return {
      problem: null,
      warning: `This is a large video (${formatBytes(file.size)}). Uploading it may take several minutes; keep this tab open until it is done.`,
    };
  }
  return { problem: null, warning: null };
}

/** The check of a known duration against the creator's maximum. */
export function checkDuration(durationSec: number | null, maxSec: number): VideoCheck {
  if (durationSec === null) {
    return {
      problem: null,
      warning: "We couldn't read this video's length in the browser. TikTok will check it after the upload.",
    };
  }
  if (!isWithinMaxDuration(durationSec, maxSec)) {
    return {
      problem: `This video is ${formatDuration(durationSec)} long. This account can post videos up to ${formatDuration(maxSec)}. Please trim it or choose another.`,
      warning: null,
      fix: `Choose a shorter video: this account can post up to ${formatDuration(maxSec)}.`,
    };
  }
  return { problem: null, warning: null };
}

/** QuickTime top-level boxes a .mov may start with when it has no `ftyp` (older files). */
const QUICKTIME_BOXES = new Set(['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

/**
 * Whether the file's first bytes are a video container's: an ISO/QuickTime box type at offset 4
 * (MP4, MOV: `ftyp`, or an older QuickTime box) or the EBML header of WebM/Matroska (1A 45 DF A3).
 * Null when the bytes could not be read (the server checks again).
 */
export async function looksLikeVideo(file: Blob): Promise<boolean | null> {
  let head: Uint8Array;
  try {
    head = new Uint8Array(await file.slice(0, 12).arrayBuffer());
  } catch {
    return null;
  }
  if (head.length >= 4 && head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) {
    return true;
  }
  if (head.length < 8) return false;
  const box = String.fromCharCode(...head.subarray(4, 8));
  return QUICKTIME_BOXES.has(box);
}

/** The check of the file's contents (see `looksLikeVideo`). */
export async function checkContents(file: Blob): Promise<VideoCheck> {
  return (await looksLikeVideo(file)) === false
    ? { problem: NOT_A_VIDEO, warning: null, fix: NOT_A_VIDEO_FIX }
    : { problem: null, warning: null };
}

/** 75 → "1:15", 3600 → "60:00"; fractions round up so a 60.4 s video is not shown as "1:00". */
export function formatDuration(seconds: number): string {
  const whole = Math.ceil(seconds - 1e-6);
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return `${minutes}:${String(rest).padStart(2, '0')}`;
}

/**
 * The duration of a video in seconds, read the way the seed asks: a <video> element's
 * `loadedmetadata`. Null when the browser cannot read it (a codec it does not play) or it takes
 * longer than `timeoutMs`.
 */
export function readVideoDuration(src: string, timeoutMs = 15_000): Promise<number | null> {
  return new Promise((resolve) => {
    const video = document.createElement('video');
    let settled = false;
    const finish = (value: number | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      video.removeAttribute('src');
      video.load();
      resolve(value);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    video.preload = 'metadata';
    video.muted = true;
    video.onloadedmetadata = () => finish(Number.isFinite(video.duration) ? video.duration : null);
    video.onerror = () => finish(null);
    video.src = src;
  });
}
