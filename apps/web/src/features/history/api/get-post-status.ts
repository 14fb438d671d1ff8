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

/** Polls before giving up on a public post id TikTok's review has not given yet. */
const MAX_POLLS_FOR_POST_ID = 30;

/**
 * When to ask again: never once settled (failed; published, and for a public post `awaitPostId`
 * with its post id), nor after a failure that will not pass.
 */
function nextPoll(awaitPostId: boolean) {
  return (query: Query<PublishStatusData, Error, PublishStatusData, readonly unknown[]>) => {
    const { data, error, status, dataUpdateCount, errorUpdateCount } = query.state;
    const polls = dataUpdateCount + errorUpdateCount;
    const published = data?.local_status === 'published';
    const settled =
      data?.local_status === 'failed' ||
      (published && (!awaitPostId || data.post_ids.length > 0 || polls >= MAX_POLLS_FOR_POST_ID));
    if (status === 'error' ? !mayPass(error) : settled) return false;
    return statusPollDelayMs(polls);
  };
}

/** `poll`: ask again until settled; `awaitPostId`: a public post, settled only with its post id. */
export function postStatusQuery(api: ApiClient, publishId: string, poll: boolean, awaitPostId = false) {
  return queryOptions({
    queryKey: [...historyKey, 'status', publishId],
    queryFn: ({ signal }) =>
      api.get<PublishStatusData>(`/tiktok/publish/status/${encodeURIComponent(publishId)}`, signal),
    refetchInterval: poll ? nextPoll(awaitPostId) : false,
  });
}
