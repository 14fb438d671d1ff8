/**
 * The FILE_UPLOAD chunk plan (tiktok-api.md §4, architecture.md §5). TikTok's "MB" may mean 10^6
 * or 2^20 bytes (§4.6), so every bound below is the one that is safe under both readings.
 */
import { MAX_VIDEO_BYTES, fileTooLargeMessage } from '@cliprelay/contract';
import { AppError } from '../common/app-error.ts';

/** Smallest non-final chunk: 5 MB read as 2^20 (the larger reading). */
export const MIN_CHUNK_BYTES = 5 * 1024 * 1024;
/** Largest non-final chunk, and largest single-chunk video: 64 MB read as 10^6 (the smaller reading). */
export const MAX_CHUNK_BYTES = 64_000_000;
/** Largest final chunk, which absorbs the trailing bytes: 128 MB read as 10^6. */
export const MAX_FINAL_CHUNK_BYTES = 128_000_000;
export const MAX_CHUNK_COUNT = 1000;
export const DEFAULT_CHUNK_BYTES = 10_000_000;

export interface PlannedChunk {
  index: number;
  /** First byte, 0-based. */
  start: number;
  /** Last byte, inclusive (as in `Content-Range`). */
  end: number;
  length: number;
}

export interface ChunkPlan {
  videoSize: number;
  /** What init sends as `chunk_size`: the size of every chunk but the last. */
  chunkSize: number;
  /** What init sends as `total_chunk_count`: floor(videoSize / chunkSize). */
  totalChunkCount: number;
  chunks: PlannedChunk[];
}

/**
 * Plans the chunks for a video of `videoSize` bytes.
 *
 * A video smaller than two preferred chunks goes up whole when it fits in one chunk
 * (≤ 64,000,000 bytes), as TikTok's own 4 MB example does; anything else is cut into chunks of
 * `preferredChunkSize` with count = floor(size / chunk) and the remainder added to the last chunk
 * (never ceil, which would leave an undersized last chunk). A video over 64,000,000 bytes that is
 * smaller than two preferred chunks is cut into two halves.
 *
 * Throws AppError FILE_TOO_LARGE above MAX_VIDEO_BYTES and VALIDATION_FAILED for a size that is
 * not a positive integer; a preferred chunk size outside the safe bounds is a programming error
 * (RangeError).
 */
export function planChunks(videoSize: number, preferredChunkSize = DEFAULT_CHUNK_BYTES): ChunkPlan {
  if (!Number.isSafeInteger(videoSize) || videoSize <= 0) {
    throw new AppError('VALIDATION_FAILED', 'The video size must be a positive whole number of bytes.', {
      details: ['video_size must be a positive integer'],
    });
  }
  if (videoSize > MAX_VIDEO_BYTES) {
    throw new AppError('FILE_TOO_LARGE', fileTooLargeMessage());
  }
  if (
    !Number.isSafeInteger(preferredChunkSize) ||
    preferredChunkSize < MIN_CHUNK_BYTES ||
    preferredChunkSize > MAX_CHUNK_BYTES
  ) {
    throw new RangeError(
      `preferredChunkSize must be an integer in [${MIN_CHUNK_BYTES}, ${MAX_CHUNK_BYTES}], got ${preferredChunkSize}`,
    );
  }

  let chunkSize: number;
  if (videoSize <= MAX_CHUNK_BYTES && videoSize < 2 * preferredChunkSize) {
    chunkSize = videoSize;
  } else if (videoSize < 2 * preferredChunkSize) {
    // Over the single-chunk limit but under two preferred chunks: two halves, each ≤ 64,000,000.
    chunkSize = Math.floor(videoSize / 2);
  } else {
    chunkSize = preferredChunkSize;
  }
  // MAX_VIDEO_BYTES / MIN_CHUNK_BYTES < 820, so the count never needs capping at 1000; the
  // final check below still guards every rule.
  const totalChunkCount = Math.floor(videoSize / chunkSize);

  const chunks: PlannedChunk[] = [];
  for (let index = 0; index < totalChunkCount; index++) {
    const start = index * chunkSize;
    const end = index === totalChunkCount - 1 ? videoSize - 1 : start + chunkSize - 1;
    chunks.push({ index, start, end, length: end - start + 1 });
  }
  const plan: ChunkPlan = { videoSize, chunkSize, totalChunkCount, chunks };
  assertPlanIsValid(plan);
  return plan;
}

/** The rules of §4.1 with the safe bounds; a violation here is a bug in planChunks. */
function assertPlanIsValid(plan: ChunkPlan): void {
  const { videoSize, chunkSize, totalChunkCount, chunks } = plan;
  const last = chunks[chunks.length - 1];
  const problems: string[] = [];
  if (totalChunkCount < 1 || totalChunkCount > MAX_CHUNK_COUNT) problems.push('chunk count out of range');
  if (totalChunkCount === 1 && (chunkSize !== videoSize || videoSize > MAX_CHUNK_BYTES)) {
    problems.push('invalid single chunk');
  }
  if (totalChunkCount > 1 && (chunkSize < MIN_CHUNK_BYTES || chunkSize > MAX_CHUNK_BYTES)) {
    problems.push('chunk size out of range');
  }
  if (!last || last.end !== videoSize - 1 || last.length > MAX_FINAL_CHUNK_BYTES) {
    problems.push('invalid final chunk');
  }
  if (problems.length > 0) {
    throw new Error(`Invalid chunk plan for ${videoSize} bytes: ${problems.join(', ')}`);
  }
}
