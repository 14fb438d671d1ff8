/**
 * The optional `Idempotency-Key` of `POST /tiktok/publish/init` and `POST /tiktok/publish/upload`
 * (Stripe's model): per user, kept 24 h. The same key for the same request answers the first
 * attempt's success again, or 409 while that attempt may still lead to a post, and never starts a
 * second TikTok init; the same key for another request is a 422. Once the attempt failed for good
 * (refused before TikTok's init, TikTok said FAILED, its upload was abandoned), the key runs anew,
 * so "Try again" under the same key is safe.
 */
import { Injectable } from '@nestjs/common';
import { messageFor } from '@cliprelay/contract';
import { createHash } from 'node:crypto';
import { AppError } from '../common/app-error.ts';
import type { PostRow } from '../db/schema.ts';
import { IdempotencyRepository } from './idempotency.repository.ts';

/**
 * An attempt with no post yet whose process is alive frees its key only after this: longer than a
 * 4 GB store-then-forward upload takes at any usable speed, so a live attempt never runs twice (a
 * dead process's attempt is free at once: db/presence.ts).
 */
const STALE_ATTEMPT_SEC = 6 * 3600;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** The error code of a post whose init died unanswered (posts.repository.ts `failAbandoned`). */
export const OUTCOME_UNKNOWN = 'OUTCOME_UNKNOWN';

/** The running attempt under a key: links its post, then records its success or its failure. */
export interface KeyedAttempt<T> {
  readonly onPost: (postId: string) => Promise<void>;
  readonly succeeded: (result: T) => Promise<T>;
  readonly failed: () => Promise<void>;
}

/** A request without a key: nothing to record. */
function unkeyed<T>(): KeyedAttempt<T> {
  return {
    onPost: () => Promise.resolve(),
    succeeded: (result) => Promise.resolve(result),
    failed: () => Promise.resolve(),
  };
}

@Injectable()
export class Idempotency {
  constructor(private readonly keys: IdempotencyRepository) {}

  /**
   * Starts the request under `key`: resolves `{ replay }` with the answer to give again, or
   * `{ attempt }` to run. `recovered(post)` may answer for an attempt whose process died after
   * TikTok's init (its post is followed; nothing must be sent again).
   */
  async begin<T>(
    userId: string,
    key: string | undefined,
    request: unknown,
    recovered: (post: PostRow) => T | undefined = () => undefined,
  ): Promise<{ replay: T } | { attempt: KeyedAttempt<T> }> {
    if (key === undefined) return { attempt: unkeyed<T>() };
    if (!KEY_PATTERN.test(key)) {
      const message = 'Idempotency-Key must be 1 to 255 visible ASCII characters.';
      throw new AppError('VALIDATION_FAILED', message, { details: [message] });
    }
    const claim = await this.keys.claim(userId, key, hashOf(request), {
      staleSec: STALE_ATTEMPT_SEC,
      // A PULL_FROM_URL whose init died unanswered may be a post at TikTok: never run it again.
      failedForGood: (post) => post.localStatus === 'failed' && post.errorCode !== OUTCOME_UNKNOWN,
    });
    switch (claim.kind) {
      case 'mismatch':
        throw new AppError(
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was already used for a different publish. Use a new key for a new publish.',
        );
      case 'replay':
        return { replay: claim.response as T };
      case 'busy': {
        const answer = claim.post ? recovered(claim.post) : undefined;
        if (answer !== undefined) return { replay: answer };
        if (claim.post?.errorCode === OUTCOME_UNKNOWN) {
          throw new AppError(
            'IDEMPOTENCY_KEY_IN_USE',
            'Our server restarted before TikTok answered, so we cannot tell whether this video was posted. Check your TikTok profile; to post it anyway, publish it again as a new post.',
            { retryable: false },
          );
        }
        throw new AppError('IDEMPOTENCY_KEY_IN_USE', messageFor('IDEMPOTENCY_KEY_IN_USE'), {
          retryable: true,
        });
      }
      case 'run':
        return {
          attempt: {
            onPost: (postId) => this.keys.attachPost(userId, key, postId),
            succeeded: async (result) => {
              await this.keys.storeResponse(userId, key, result);
              return result;
            },
            failed: () => this.keys.releaseIfNoPost(userId, key),
          },
        };
    }
  }
}

/** The request as JSON with its keys sorted: the same settings in another order are the same. */
function hashOf(request: unknown): string {
  const canonical = JSON.stringify(request, (_k, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)))
      : value,
  );
  return createHash('sha256').update(canonical).digest('hex');
}
