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

export function isFinalStatus(data: PublishStatusData | undefined): boolean {
  return data?.local_status === 'published' || data?.local_status === 'failed';
}

export function publishStatusQuery(api: ApiClient, publishId: string) {
  return queryOptions({
    queryKey: ['publish-status', publishId],
    queryFn: ({ signal }) =>
      api.get<PublishStatusData>(`/tiktok/publish/status/${encodeURIComponent(publishId)}`, signal),
    refetchInterval: (query) =>
      isFinalStatus(query.state.data)
        ? false
        : pollDelayMs(query.state.dataUpdateCount + query.state.errorUpdateCount),
    refetchIntervalInBackground: true,
  });
}

export function usePublishStatus(publishId: string) {
  return useQuery(publishStatusQuery(useApiClient(), publishId));
}
