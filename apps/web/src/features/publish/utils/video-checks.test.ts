import { describe, expect, it } from 'vitest';
import { NOT_A_VIDEO, checkContents, looksLikeVideo } from './video-checks.ts';

const bytes = (...values: number[]) => new Blob([new Uint8Array(values)]);
const box = (type: string) => new Blob([new Uint8Array([0, 0, 0, 24]), type, 'isom']);

describe('looksLikeVideo: the first bytes of the file', () => {
  it('knows an MP4 or MOV by its ftyp box at offset 4, and an older QuickTime file by its moov', async () => {
    expect(await looksLikeVideo(box('ftyp'))).toBe(true);
    expect(await looksLikeVideo(box('moov'))).toBe(true);
  });

  it('knows a WebM by its EBML header', async () => {
    expect(await looksLikeVideo(bytes(0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81))).toBe(true);
  });

  it('refuses text, an image and an empty or tiny file', async () => {
    expect(await looksLikeVideo(new Blob(['These are my notes, not a video.']))).toBe(false);
    expect(await looksLikeVideo(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a))).toBe(false);
    expect(await looksLikeVideo(new Blob([]))).toBe(false);
  });

  it('a refused file gets one message and a short fix, no warning', async () => {
    expect(await checkContents(new Blob(['hello world, plain text']))).toEqual({
      problem: NOT_A_VIDEO,
      warning: null,
      fix: 'Choose a video file: this one is not a video.',
    });
    expect(await checkContents(box('ftyp'))).toEqual({ problem: null, warning: null });
  });
});
