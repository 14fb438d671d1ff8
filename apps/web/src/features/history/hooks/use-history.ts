/**
 * The history screen's data: the recorded submits, read again every few seconds while one of
 * them may still change, and a refresh. Our server follows every post at TikTok (one job per
 * post, whatever the number of tabs) and records what TikTok says, so the list is the live state:
 * no row asks TikTok through the browser.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { historyKey, usePosts } from '../api/get-posts.ts';

export function useHistory() {
  const queryClient = useQueryClient();
  const posts = usePosts();
  const [refreshing, setRefreshing] = useState(false);

  /** Reads the history again; resolves when it answered. */
  const refresh = useCallback(async () => {
    setRefreshing(true);
    try {
      await queryClient.invalidateQueries({ queryKey: historyKey });
    } finally {
      setRefreshing(false);
    }
  }, [queryClient]);

  return { posts, data: posts.data, refresh, refreshing };
}
