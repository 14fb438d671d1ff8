/**
 * DELETE /social-accounts/:id: TikTok's access is revoked and the tokens forgotten; the publish
 * history keeps the account's name. The account list is refreshed before the call counts as done.
 */
import { mutationOptions, useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { socialAccountsKey } from '../../../api/social-accounts.ts';
import type { ApiClient } from '../../../lib/api-client.ts';
import { useApiClient } from '../../../lib/api-context.tsx';
import { ApiError } from '../../../lib/api-error.ts';

export function disconnectAccount(api: ApiClient, accountId: string): Promise<unknown> {
  return api.delete<unknown>(`/social-accounts/${encodeURIComponent(accountId)}`);
}

export function disconnectAccountMutation(api: ApiClient, queryClient: QueryClient) {
  return mutationOptions({
    mutationKey: ['social-accounts', 'disconnect'],
    mutationFn: (accountId: string) => disconnectAccount(api, accountId),
    // Returned, so the mutation stays pending until the list no longer shows the account.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: socialAccountsKey }),
    onError: (error) => {
      // Already gone (another tab, another device): the list is out of date.
      if (error instanceof ApiError && error.status === 404) {
        void queryClient.invalidateQueries({ queryKey: socialAccountsKey });
      }
    },
  });
}

export function useDisconnectAccount() {
  return useMutation(disconnectAccountMutation(useApiClient(), useQueryClient()));
}
