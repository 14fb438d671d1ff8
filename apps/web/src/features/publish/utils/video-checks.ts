/**
 * Checks of the chosen video before anything is sent (seed §7 "Handling large video files";
 * tiktok-api.md §11 point 1c): a video type, at most 4 GB, a warning over 500 MB, and a duration
 * (read by a <video> element's loadedmetadata) within the creator's maximum.
 */
import {
  LARGE_VIDEO_WARNING_BYTES,
  MAX_VIDEO_BYTES,
  formatBytes,
  isVideoMimeType,
} from '@cliprelay/contract';

export interface VideoCheck {
  /** Stops publishing: the user must choose another video. */
  problem: string | null;
  /** Worth knowing, does not stop publishing. */
  warning: string | null;
}

/** The checks that need only the file's type and size: instant. */
export function checkFile(file: Pick<File, 'type' | 'size'>): VideoCheck {
  if (!isVideoMimeType(file.type)) {
    return {
      problem: 'This file is not a video. Please choose a video file (MP4, MOV or WebM).',
      warning: null,
    };
  }
  if (file.size > MAX_VIDEO_BYTES) {
    return {
      problem: `This video is ${formatBytes(file.size)}. Video file is too large. Maximum size is 4 GB.`,
      warning: null,
    };
  }
  if (file.size === 0) return { problem: 'This file is empty. Please choose another video.', warning: null };
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
  if (durationSec > maxSec) {
    return {
      problem: `This video is ${formatDuration(durationSec)} long. This account can post videos up to ${formatDuration(maxSec)}. Please trim it or choose another.`,
      warning: null,
    };
  }
  return { problem: null, warning: null };
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
