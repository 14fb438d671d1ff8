/**
 * GET /tiktok/posts — the user's publish history, one row per submit, newest first, as our API
 * recorded it. While a post may still change (on its way, or a public post awaiting its link),
 * the list is read again every few seconds: our server asks TikTok, the browser asks our server.
 */
import type { PostSummary } from '@cliprelay/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import type { ApiClient } from '../../../lib/api-client.ts';
import { useApiClient } from '../../../lib/api-context.tsx';
import { mayChange } from '../utils/post-display.ts';

/** The API's default page: the newest 50 posts. */
export const POSTS_LIMIT = 50;

/** Every query of this feature starts with this key, so one invalidation refreshes them all. */
export const historyKey = ['history'] as const;
export const postsKey = [...historyKey, 'posts'] as const;

export const POSTS_REFETCH_MS = 5000;

export function postsQuery(api: ApiClient) {
  return queryOptions({
    queryKey: postsKey,
    queryFn: ({ signal }) => api.get<PostSummary[]>(`/tiktok/posts?limit=${POSTS_LIMIT}`, signal),
    refetchInterval: (query) => (query.state.data?.some(mayChange) ? POSTS_REFETCH_MS : false),
  });
}

export function usePosts() {
  return useQuery(postsQuery(useApiClient()));
}
