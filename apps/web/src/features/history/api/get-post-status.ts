/**
 * GET /tiktok/publish/status/:publishId — asks TikTok how a post is doing. Our API records the
 * answer on the post, so history rows that are still processing ask it until they settle: the
 * history endpoint alone only tells what was last recorded.
 */
import type { PublishStatusData } from '@cliprelay/contract';
import { queryOptions, type Query } from '@tanstack/react-query';
import type { ApiClient } from '../../../lib/api-client.ts';
import { ApiError } from '../../../lib/api-error.ts';
import { historyKey } from './get-posts.ts';

/**
 * The wait before poll number `n` (0-based): 5 s at first, slowly longer, at most 30 s, so that a
 * few posts processing at once stay well under TikTok's 30 status calls a minute per account.
 */
export function statusPollDelayMs(n: number): number {
  return Math.min(30_000, Math.round(5000 * 1.2 ** n));
}

/** A failure that may pass (no answer, TikTok or server trouble, a rate limit): worth asking again. */
function mayPass(error: unknown): boolean {
  return !(error instanceof ApiError) || error.status === 0 || error.status === 429 || error.status >= 500;
}

function nextPoll(query: Query<PublishStatusData, Error, PublishStatusData, readonly unknown[]>) {
  const { data, error, status, dataUpdateCount, errorUpdateCount } = query.state;
  const settled = data?.local_status === 'published' || data?.local_status === 'failed';
  if (status === 'error' ? !mayPass(error) : settled) return false;
  return statusPollDelayMs(dataUpdateCount + errorUpdateCount);
}

export function postStatusQuery(api: ApiClient, publishId: string, poll: boolean) {
  return queryOptions({
    queryKey: [...historyKey, 'status', publishId],
    queryFn: ({ signal }) =>
      api.get<PublishStatusData>(`/tiktok/publish/status/${encodeURIComponent(publishId)}`, signal),
    refetchInterval: poll ? nextPoll : false,
  });
}
