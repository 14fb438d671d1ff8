import { QueryClient } from '@tanstack/react-query';

/**
 * No automatic retries (seed §6: "the frontend should not silently retry on its own"; the API has
 * already exhausted its own), and no refetch on window focus: a publish form must not change under
 * the user's hands.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}
