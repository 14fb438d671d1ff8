/** GET /social-accounts: the user's linked TikTok accounts (shared by the accounts and publish screens). */
import type { SocialAccount } from '@cliprelay/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import type { ApiClient } from '../lib/api-client.ts';
import { useApiClient } from '../lib/api-context.tsx';

export const socialAccountsKey = ['social-accounts'] as const;

export function socialAccountsQuery(api: ApiClient) {
  return queryOptions({
    queryKey: socialAccountsKey,
    queryFn: ({ signal }) => api.get<SocialAccount[]>('/social-accounts', signal),
  });
}

export function useSocialAccounts() {
  return useQuery(socialAccountsQuery(useApiClient()));
}

/** The name to show for an account: its nickname, else @username, else a neutral label. */
export function accountLabel(account: Pick<SocialAccount, 'display_name' | 'username'>): string {
  return account.display_name ?? (account.username ? `@${account.username}` : 'TikTok account');
}
