/**
 * GET /tiktok/publish/status/:publishId — a post's status at TikTok as our API recorded it (its
 * server-side job asks TikTok; the answer never costs a TikTok call). Polled with backoff until
 * it settles (tiktok-api.md §11 point 5e) by the publish screen's result right after a submit.
 */
import type { PublishStatusData } from '@cliprelay/contract';
import { queryOptions, useQuery, type Query } from '@tanstack/react-query';
import type { ApiClient } from '../lib/api-client.ts';
import { useApiClient } from '../lib/api-context.tsx';
import { ApiError } from '../lib/api-error.ts';

export const publishStatusKey = ['publish-status'] as const;

export interface StatusPolling {
  /** Ask again until settled; false asks once. */
  poll?: boolean;
  /** A public post: settled only once TikTok gave its post id (after its review). */
  awaitPostId?: boolean;
  /** The first wait; each next one is `growth` times longer, at most 30 s. */
  firstDelayMs?: number;
  growth?: number;
}

/** Polls before giving up on a post id TikTok's review has not given yet. */
const MAX_POLLS_FOR_POST_ID = 30;

/** The wait before poll number `n` (0-based), growing from `firstDelayMs` up to 30 s. */
export function statusPollDelayMs(n: number, firstDelayMs = 2000, growth = 1.5): number {
  return Math.min(30_000, Math.round(firstDelayMs * growth ** n));
}

/** A failure that may pass (no answer, TikTok or server trouble, a rate limit): worth asking again. */
export function mayPass(error: unknown): boolean {
  return !(error instanceof ApiError) || error.status === 0 || error.status === 429 || error.status >= 500;
}

/** Nothing more to wait for: failed, or published (with its post id, when `awaitPostId`). */
export function isSettled(data: PublishStatusData | undefined, awaitPostId: boolean, polls: number): boolean {
  // Not confirmed by TikTok in time: our server stopped asking, so there is nothing to wait for.
  if (data?.local_status === 'failed' || data?.unconfirmed) return true;
  if (data?.local_status !== 'published') return false;
  return !awaitPostId || data.post_ids.length > 0 || polls >= MAX_POLLS_FOR_POST_ID;
}

export function publishStatusQuery(api: ApiClient, publishId: string, polling: StatusPolling = {}) {
  const { poll = true, awaitPostId = false, firstDelayMs, growth } = polling;
  return queryOptions({
    queryKey: [...publishStatusKey, publishId],
    queryFn: ({ signal }) =>
      api.get<PublishStatusData>(`/tiktok/publish/status/${encodeURIComponent(publishId)}`, signal),
    refetchInterval: poll
      ? (query: Query<PublishStatusData, Error, PublishStatusData, readonly unknown[]>) => {
          const { data, error, status, dataUpdateCount, errorUpdateCount } = query.state;
          const polls = dataUpdateCount + errorUpdateCount;
          if (status === 'error' ? !mayPass(error) : isSettled(data, awaitPostId, polls)) return false;
          return statusPollDelayMs(polls, firstDelayMs, growth);
        }
      : false,
    refetchIntervalInBackground: true,
  });
}

export function usePublishStatus(publishId: string, polling: StatusPolling = {}) {
  return useQuery(publishStatusQuery(useApiClient(), publishId, polling));
}
