import { describe, expect, it } from 'vitest';

import { formatBytes, isTitleWithinLimit, isVideoMimeType, titleLength } from '../src/format.ts';
import {
  LARGE_VIDEO_WARNING_BYTES,
  MAX_VIDEO_BYTES,
  TITLE_MAX_LENGTH,
  VIDEO_CONTENT_TYPES,
} from '../src/limits.ts';

describe('formatBytes', () => {
  it('formats the 4 GiB limit as the seed words it, "4 GB"', () => {
    expect(formatBytes(MAX_VIDEO_BYTES)).toBe('4 GB');
    expect(formatBytes(LARGE_VIDEO_WARNING_BYTES)).toBe('500 MB');
  });

  it.each([
    [0, '0 B'],
    [1, '1 B'],
    [1023, '1023 B'],
    [1024, '1 KB'],
    [1536, '1.5 KB'],
    [1.5 * 1024 ** 3, '1.5 GB'],
    [123.44 * 1024 ** 2, '123.4 MB'],
    [1024 ** 2 - 1, '1 MB'], // rounds up into the next unit, never "1024 KB"
    [50_000_123, '47.7 MB'],
    [2 * 1024 ** 4, '2 TB'],
    [5000 * 1024 ** 4, '5000 TB'],
  ])('formats %d bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects %d', (bytes) => {
    expect(() => formatBytes(bytes)).toThrow(RangeError);
  });
});

describe('isVideoMimeType', () => {
  it.each([...VIDEO_CONTENT_TYPES, 'video/x-matroska', 'Video/MP4', 'video/mp4; codecs="avc1"'])(
    'accepts %s',
    (type) => {
      expect(isVideoMimeType(type)).toBe(true);
    },
  );

  it.each(['', 'video/', 'video', 'image/png', 'audio/mp4', 'application/octet-stream', 'text/video/mp4'])(
    'rejects %j',
    (type) => {
      expect(isVideoMimeType(type)).toBe(false);
    },
  );

  it('rejects a missing type', () => {
    expect(isVideoMimeType(null)).toBe(false);
    expect(isVideoMimeType(undefined)).toBe(false);
  });
});

describe('titleLength', () => {
  it('counts UTF-16 code units, as TikTok does', () => {
    expect(titleLength('')).toBe(0);
    expect(titleLength('funny #cat video')).toBe(16);
    expect(titleLength('é')).toBe(1);
    expect(titleLength('😀')).toBe(2); // one emoji outside the BMP = a surrogate pair
    expect(titleLength('👍🏽')).toBe(4);
  });

  it('does not trim', () => {
    expect(titleLength('  a  ')).toBe(5);
  });

  it('checks the 150 limit the same way', () => {
    expect(isTitleWithinLimit('a'.repeat(TITLE_MAX_LENGTH))).toBe(true);
    expect(isTitleWithinLimit('a'.repeat(TITLE_MAX_LENGTH + 1))).toBe(false);
    // 75 emoji look like 75 characters but are 150 units; one more is over.
    expect(isTitleWithinLimit('😀'.repeat(75))).toBe(true);
    expect(isTitleWithinLimit(`${'😀'.repeat(75)}a`)).toBe(false);
  });
});
