import type { ChunkRulesName } from './options.ts';

/**
 * §4.1 chunk rules, with the byte bounds of the chosen reading of "MB" (§4.6). "strict" takes the
 * safe bound of both readings on every side (architecture §5): the larger minimum, the smaller maximum.
 */
export interface ChunkBounds {
  minChunk: number;
  maxChunk: number;
  maxFinalChunk: number;
  maxVideoSize: number;
  maxChunkCount: number;
}

const MiB = 1024 * 1024;

export const CHUNK_BOUNDS: Record<ChunkRulesName, ChunkBounds> = {
  strict: {
    minChunk: 5 * MiB,
    maxChunk: 64_000_000,
    maxFinalChunk: 128_000_000,
    maxVideoSize: 4_000_000_000,
    maxChunkCount: 1000,
  },
  binary: {
    minChunk: 5 * MiB,
    maxChunk: 64 * MiB,
    maxFinalChunk: 128 * MiB,
    maxVideoSize: 4 * 1024 * MiB,
    maxChunkCount: 1000,
  },
  decimal: {
    minChunk: 5_000_000,
    maxChunk: 64_000_000,
    maxFinalChunk: 128_000_000,
    maxVideoSize: 4_000_000_000,
    maxChunkCount: 1000,
  },
};

export interface ChunkPlan {
  video_size: number;
  chunk_size: number;
  total_chunk_count: number;
}

/** Returns the invalid_params message for a bad plan, or undefined when TikTok would accept it. */
export function chunkPlanProblem(plan: ChunkPlan, bounds: ChunkBounds): string | undefined {
  const { video_size: size, chunk_size: chunk, total_chunk_count: count } = plan;
  if (size < 1 || size > bounds.maxVideoSize) return 'The video size is invalid';
  if (chunk < 1) return 'The chunk size is invalid';
  if (count < 1 || count > bounds.maxChunkCount) return 'The total chunk count is invalid';
  const single = count === 1 && chunk === size;
  // §4.1.3: videos under the minimum chunk size go up whole.
  if (size < bounds.minChunk) return single ? undefined : 'The chunk size is invalid';
  // §4.1.4: a single chunk only up to the maximum chunk size.
  if (single) return size <= bounds.maxChunk ? undefined : 'The chunk size is invalid';
  // §4.5 (sim PR #5568): a one-chunk plan must declare chunk_size = video_size, whatever floor() says.
  if (count === 1) return 'The chunk size is invalid';
  if (chunk < bounds.minChunk || chunk > bounds.maxChunk || chunk > size) return 'The chunk size is invalid';
  // §4.1.1: total_chunk_count = floor(video_size / chunk_size); ceil is the classic mistake (§4.5).
  if (count !== Math.floor(size / chunk)) return 'The total chunk count is invalid';
  if (finalChunkSize(plan) > bounds.maxFinalChunk) return 'The chunk size is invalid';
  return undefined;
}

/** §4.1.7: the final chunk absorbs the remainder. */
export function finalChunkSize(plan: ChunkPlan): number {
  return plan.video_size - (plan.total_chunk_count - 1) * plan.chunk_size;
}
