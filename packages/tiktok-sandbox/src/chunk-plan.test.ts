import { describe, expect, it } from 'vitest';
import { CHUNK_BOUNDS, chunkPlanProblem, finalChunkSize } from './chunk-plan.ts';

const strict = CHUNK_BOUNDS.strict;
const plan = (video_size: number, chunk_size: number, total_chunk_count: number) => ({
  video_size,
  chunk_size,
  total_chunk_count,
});

describe('chunk plan rules (tiktok-api.md §4.1, §4.5, §4.6)', () => {
  it('accepts the three worked plans of §4.5', () => {
    expect(chunkPlanProblem(plan(4_194_304, 4_194_304, 1), strict)).toBeUndefined();
    expect(chunkPlanProblem(plan(50_000_123, 10_000_000, 5), strict)).toBeUndefined();
    expect(chunkPlanProblem(plan(42_991_616, 10_485_760, 4), strict)).toBeUndefined();
  });

  it('gives the last chunk the remainder (§4.1.7)', () => {
    expect(finalChunkSize(plan(50_000_123, 10_000_000, 5))).toBe(10_000_123);
    expect(finalChunkSize(plan(42_991_616, 10_485_760, 4))).toBe(11_534_336);
  });

  it('rejects ceil instead of floor (§4.5, §12.4)', () => {
    expect(chunkPlanProblem(plan(42_991_616, 10_485_760, 5), strict)).toBe(
      'The total chunk count is invalid',
    );
  });

  it('rejects a small video split into chunks and a single chunk that is not the whole video (§4.1.3)', () => {
    expect(chunkPlanProblem(plan(4_000_000, 2_000_000, 2), strict)).toBe('The chunk size is invalid');
    expect(chunkPlanProblem(plan(6_000_000, 5_242_880, 1), strict)).toBe('The chunk size is invalid');
  });

  it('draws the single-chunk limit at the strict bound, 64,000,000 bytes (§4.1.4, §4.6)', () => {
    expect(chunkPlanProblem(plan(64_000_000, 64_000_000, 1), strict)).toBeUndefined();
    expect(chunkPlanProblem(plan(64_000_001, 64_000_001, 1), strict)).toBe('The chunk size is invalid');
    expect(chunkPlanProblem(plan(67_108_864, 67_108_864, 1), CHUNK_BOUNDS.binary)).toBeUndefined();
  });

  it('uses the larger minimum chunk in strict mode and the decimal one in decimal mode (§4.6)', () => {
    expect(chunkPlanProblem(plan(20_000_000, 5_000_000, 4), strict)).toBe('The chunk size is invalid');
    expect(chunkPlanProblem(plan(20_000_000, 5_000_000, 4), CHUNK_BOUNDS.decimal)).toBeUndefined();
  });

  it('caps the chunk count at 1000 and the video at the mode maximum (§4.1.5, §4.2)', () => {
    expect(chunkPlanProblem(plan(20_000_000, 5_242_880, 1001), strict)).toBe(
      'The total chunk count is invalid',
    );
    expect(chunkPlanProblem(plan(4_000_000_001, 10_000_000, 400), strict)).toBe('The video size is invalid');
    expect(chunkPlanProblem(plan(4_294_967_296, 64 * 1024 * 1024, 64), CHUNK_BOUNDS.binary)).toBeUndefined();
  });
});
