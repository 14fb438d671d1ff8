/**
 * GET /tiktok/publish/status/:publishId — TikTok's status of a post, polled with backoff after a
 * successful submit until it is published or failed (tiktok-api.md §11 point 5e).
 */
import type { PublishStatusData } from '@cliprelay/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import type { ApiClient } from '../../../lib/api-client.ts';
import { useApiClient } from '../../../lib/api-context.tsx';

/** The wait before poll number `n` (0-based): 2 s, 3 s, 4.5 s … up to 30 s. */
export function pollDelayMs(n: number): number {
  return Math.min(30_000, Math.round(2000 * 1.5 ** n));
}

/** Polls before giving up on a post id that TikTok's moderation has not given yet (~10 min). */
const MAX_POLLS_FOR_POST_ID = 30;

/**
 * Nothing more will change: failed, or published (and, for a public post, TikTok gave its post id:
 * that comes after moderation, a little later than "published").
 */
export function isFinalStatus(data: PublishStatusData | undefined, awaitPostId = false): boolean {
  if (data?.local_status === 'failed') return true;
  if (data?.local_status !== 'published') return false;
  return !awaitPostId || data.post_ids.length > 0;
}

/** `awaitPostId`: a public post, whose link TikTok gives once it is reviewed. */
export function publishStatusQuery(api: ApiClient, publishId: string, awaitPostId = false) {
  return queryOptions({
    queryKey: ['publish-status', publishId],
    queryFn: ({ signal }) =>
      api.get<PublishStatusData>(`/tiktok/publish/status/${encodeURIComponent(publishId)}`, signal),
    refetchInterval: (query) => {
      const polls = query.state.dataUpdateCount + query.state.errorUpdateCount;
      if (isFinalStatus(query.state.data, awaitPostId)) return false;
      if (query.state.data?.local_status === 'published' && polls >= MAX_POLLS_FOR_POST_ID) return false;
      return pollDelayMs(polls);
    },
    refetchIntervalInBackground: true,
  });
}

export function usePublishStatus(publishId: string, awaitPostId = false) {
  return useQuery(publishStatusQuery(useApiClient(), publishId, awaitPostId));
}
