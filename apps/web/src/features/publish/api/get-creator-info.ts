/**
 * GET /tiktok/creator-info/:socialAccountId — what the creator may do right now. Fetched each
 * time the publish form opens for an account (tiktok-api.md §11 point 1: "the latest"); the
 * form's state then keeps it for that session, so it does not change while the user fills it in.
 */
import type { CreatorInfoData } from '@cliprelay/contract';
import { queryOptions } from '@tanstack/react-query';
import type { ApiClient } from '../../../lib/api-client.ts';

export function creatorInfoQuery(api: ApiClient, socialAccountId: string) {
  return queryOptions({
    queryKey: ['creator-info', socialAccountId],
    queryFn: ({ signal }) =>
      api.get<CreatorInfoData>(`/tiktok/creator-info/${encodeURIComponent(socialAccountId)}`, signal),
    staleTime: 0,
  });
}
