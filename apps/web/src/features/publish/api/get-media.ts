/** GET /media — the user's media library: videos already on our CDN, published with PULL_FROM_URL. */
import type { MediaItem } from '@cliprelay/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import type { ApiClient } from '../../../lib/api-client.ts';
import { useApiClient } from '../../../lib/api-context.tsx';

export const mediaLibraryKey = ['media'] as const;

export function mediaLibraryQuery(api: ApiClient) {
  return queryOptions({
    queryKey: mediaLibraryKey,
    queryFn: ({ signal }) => api.get<MediaItem[]>('/media', signal),
  });
}

export function useMediaLibrary(enabled: boolean) {
  return useQuery({ ...mediaLibraryQuery(useApiClient()), enabled });
}
