import { MAX_VIDEO_BYTES } from '@cliprelay/contract';
import { describe, expect, it } from 'vitest';
import { AppError } from '../common/app-error.ts';
import {
  MAX_CHUNK_BYTES,
  MAX_CHUNK_COUNT,
  MAX_FINAL_CHUNK_BYTES,
  MIN_CHUNK_BYTES,
  planChunks,
  type ChunkPlan,
} from './chunk-plan.ts';

const MiB = 1024 * 1024;

function expectTiles(plan: ChunkPlan): void {
  let next = 0;
  plan.chunks.forEach((chunk, i) => {
    expect(chunk.index).toBe(i);
    expect(chunk.start).toBe(next);
    expect(chunk.length).toBe(chunk.end - chunk.start + 1);
    next = chunk.end + 1;
  });
  expect(next).toBe(plan.videoSize);
  expect(plan.chunks).toHaveLength(plan.totalChunkCount);
}

function expectSafeBounds(plan: ChunkPlan): void {
  expect(plan.totalChunkCount).toBeGreaterThanOrEqual(1);
  expect(plan.totalChunkCount).toBeLessThanOrEqual(MAX_CHUNK_COUNT);
  expect(plan.totalChunkCount).toBe(Math.floor(plan.videoSize / plan.chunkSize));
  if (plan.totalChunkCount === 1) {
    expect(plan.chunkSize).toBe(plan.videoSize);
    expect(plan.videoSize).toBeLessThanOrEqual(MAX_CHUNK_BYTES);
    return;
  }
  expect(plan.chunkSize).toBeGreaterThanOrEqual(MIN_CHUNK_BYTES);
  expect(plan.chunkSize).toBeLessThanOrEqual(MAX_CHUNK_BYTES);
  for (const chunk of plan.chunks.slice(0, -1)) expect(chunk.length).toBe(plan.chunkSize);
  const last = plan.chunks.at(-1)!;
  expect(last.length).toBeGreaterThanOrEqual(plan.chunkSize);
  expect(last.length).toBeLessThanOrEqual(MAX_FINAL_CHUNK_BYTES);
}

describe('planChunks', () => {
  it("uploads TikTok's 4 MiB example whole (§4.5)", () => {
    const plan = planChunks(4_194_304);
    expect(plan).toEqual({
      videoSize: 4_194_304,
      chunkSize: 4_194_304,
      totalChunkCount: 1,
      chunks: [{ index: 0, start: 0, end: 4_194_303, length: 4_194_304 }],
    });
  });

  it("cuts TikTok's 50,000,123-byte example into 5 chunks with a 10,000,123-byte last chunk (§4.5)", () => {
    const plan = planChunks(50_000_123, 10_000_000);
    expect(plan.chunkSize).toBe(10_000_000);
    expect(plan.totalChunkCount).toBe(5);
    expect(plan.chunks.at(-1)).toEqual({ index: 4, start: 40_000_000, end: 50_000_122, length: 10_000_123 });
    expectTiles(plan);
  });

  it('counts chunks with floor, not ceil: 41 MiB in 10 MiB chunks is 4 chunks, the last 11,534,336 bytes', () => {
    const plan = planChunks(41 * MiB, 10 * MiB);
    expect(plan.totalChunkCount).toBe(4);
    expect(plan.chunks.map((c) => c.length)).toEqual([10 * MiB, 10 * MiB, 10 * MiB, 11_534_336]);
    expectTiles(plan);
  });

  it('never leaves an undersized last chunk, even with one byte over a multiple of the chunk size', () => {
    const plan = planChunks(30_000_001, 10_000_000);
    expect(plan.totalChunkCount).toBe(3);
    expect(plan.chunks.at(-1)!.length).toBe(10_000_001);
  });

  it('allows a single chunk of exactly 64,000,000 bytes but splits 64,000,001 bytes', () => {
    const single = planChunks(64_000_000, 64_000_000);
    expect(single.totalChunkCount).toBe(1);
    expect(single.chunkSize).toBe(64_000_000);

    const split = planChunks(64_000_001, 64_000_000);
    expect(split.totalChunkCount).toBe(2);
    expect(split.chunkSize).toBe(32_000_000);
    expect(split.chunks.map((c) => c.length)).toEqual([32_000_000, 32_000_001]);
    expectSafeBounds(split);
    expectTiles(split);
  });

  it('uses the whole video as chunk_size when it is smaller than two chunks (floor gives 1)', () => {
    const plan = planChunks(15_000_000, 10_000_000);
    expect(plan).toMatchObject({ chunkSize: 15_000_000, totalChunkCount: 1 });
  });

  it('uploads a 1-byte video as one chunk', () => {
    expect(planChunks(1).chunks).toEqual([{ index: 0, start: 0, end: 0, length: 1 }]);
  });

  it('plans a 4 GiB video in 429 chunks of 10,000,000 bytes within every bound', () => {
    const plan = planChunks(MAX_VIDEO_BYTES);
    expect(plan.chunkSize).toBe(10_000_000);
    expect(plan.totalChunkCount).toBe(429);
    expect(plan.chunks.at(-1)!.length).toBe(MAX_VIDEO_BYTES - 428 * 10_000_000);
    expectSafeBounds(plan);
    expectTiles(plan);
  });

  it('stays under 1000 chunks for 4 GiB with the smallest allowed chunk', () => {
    const plan = planChunks(MAX_VIDEO_BYTES, MIN_CHUNK_BYTES);
    expect(plan.totalChunkCount).toBe(819);
    expectSafeBounds(plan);
    expectTiles(plan);
  });

  it.each([
    [1, 10_000_000],
    [5_242_879, 10_000_000],
    [5_242_880, 5_242_880],
    [10_485_759, 5_242_880],
    [10_485_760, 5_242_880],
    [19_999_999, 10_000_000],
    [20_000_000, 10_000_000],
    [63_999_999, 64_000_000],
    [64_000_000, 10_000_000],
    [100_000_000, 64_000_000],
    [127_999_999, 64_000_000],
    [128_000_000, 64_000_000],
    [1_000_000_007, 10_485_760],
    [MAX_VIDEO_BYTES - 1, 64_000_000],
  ])('plans %d bytes (preferred chunk %d) within the safe bounds and tiling the file', (size, preferred) => {
    const plan = planChunks(size, preferred);
    expectSafeBounds(plan);
    expectTiles(plan);
  });

  it('rejects sizes that are not positive integers as VALIDATION_FAILED', () => {
    for (const size of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => planChunks(size)).toThrow(
        expect.objectContaining({
          code: 'VALIDATION_FAILED',
          details: ['video_size must be a positive integer'],
        }),
      );
    }
  });

  it('rejects a video over 4 GiB as FILE_TOO_LARGE', () => {
    let error: unknown;
    try {
      planChunks(MAX_VIDEO_BYTES + 1);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'FILE_TOO_LARGE',
      message: 'Video file is too large. Maximum size is 4 GB.',
    });
  });

  it('refuses a preferred chunk size outside [5,242,880 .. 64,000,000]', () => {
    expect(() => planChunks(100_000_000, 5_000_000)).toThrow(RangeError);
    expect(() => planChunks(100_000_000, 64_000_001)).toThrow(RangeError);
    expect(() => planChunks(100_000_000, 10_000_000.5)).toThrow(RangeError);
  });
});
