/**
 * The history screen's data: the recorded posts, each still-changing one brought up to date with
 * TikTok's live status (polled while it processes), and a refresh of both.
 */
import type { PostSummary, PublishStatusData } from '@cliprelay/contract';
import { useQueries, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import { useApiClient } from '../../../lib/api-context.tsx';
import { publishStatusKey, publishStatusQuery } from '../../../api/publish-status.ts';
import { historyKey, usePosts } from '../api/get-posts.ts';
import { isInProgress, mayChange, withStatus } from '../utils/post-display.ts';

/** At most this many posts ask TikTok at once (the newest), to respect its per-account rate limit. */
export const MAX_LIVE_POSTS = 5;

/** TikTok's review gives a public post its id within minutes; an hour later, polling will not help. */
const POST_ID_WAIT_MS = 60 * 60 * 1000;

function awaitsPostId(post: PostSummary): boolean {
  return (
    post.privacy_level === 'PUBLIC_TO_EVERYONE' &&
    post.post_ids.length === 0 &&
    post.local_status !== 'failed' &&
    Date.now() - Date.parse(post.created_at) < POST_ID_WAIT_MS
  );
}

/** Stable, so that useQueries hands back the same array until a status really changes. */
const statusesOf = (results: UseQueryResult<PublishStatusData>[]) => results.map((r) => r.data);

export function useHistory() {
  const api = useApiClient();
  const queryClient = useQueryClient();
  const posts = usePosts();
  const [refreshing, setRefreshing] = useState(false);

  const live = useMemo(() => (posts.data ?? []).filter(mayChange).slice(0, MAX_LIVE_POSTS), [posts.data]);
  const statuses = useQueries({
    // A public post still waiting for its public id is polled while that can still come (a fresh
    // post, in review); an older one is asked once per visit.
    queries: live.map((post) => {
      const awaitPostId = awaitsPostId(post);
      // From 5 s, slowly longer: a few posts at once stay well under TikTok's 30 status calls a
      // minute per account.
      return publishStatusQuery(api, post.publish_id ?? '', {
        poll: isInProgress(post) || awaitPostId,
        awaitPostId,
        firstDelayMs: 5000,
        growth: 1.2,
      });
    }),
    combine: statusesOf,
  });

  const data = useMemo<PostSummary[] | undefined>(() => {
    if (!posts.data) return undefined;
    const byPost = new Map(live.map((post, i) => [post.id, statuses[i]]));
    return posts.data.map((post) => withStatus(post, byPost.get(post.id)));
  }, [posts.data, live, statuses]);

  /** Reads the history and every live status again; resolves when both answered. */
  const refresh = useCallback(async () => {
    setRefreshing(true);
    try {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: historyKey }),
        queryClient.invalidateQueries({ queryKey: publishStatusKey }),
      ]);
    } finally {
      setRefreshing(false);
    }
  }, [queryClient]);

  return { posts, data, refresh, refreshing };
}
