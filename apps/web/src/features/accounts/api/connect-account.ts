/**
 * POST /tiktok/connect: asks the API for TikTok's consent page, then sends the browser there.
 * The same call connects a new account and reconnects one that needs it (TikTok's answer names
 * the account, and the API updates the existing one).
 */
import type { ConnectData } from '@cliprelay/contract';
import { mutationOptions, useMutation } from '@tanstack/react-query';
import type { ApiClient } from '../../../lib/api-client.ts';
import { useApiClient } from '../../../lib/api-context.tsx';
import { useNavigateAway, type NavigateAway } from '../../../lib/external-navigation.tsx';

/** Which button started the connection, so that only that one shows it is busy. */
export interface ConnectRequest {
  trigger: string;
}

export function connectAccount(api: ApiClient): Promise<ConnectData> {
  // With credentials: the answer sets the HttpOnly cookie that binds the OAuth flow to this
  // browser, without which TikTok's redirect links nothing (the API's account-linking CSRF guard).
  return api.post<ConnectData>('/tiktok/connect', undefined, undefined, { credentials: 'include' });
}

export function connectAccountMutation(api: ApiClient, navigateAway: NavigateAway) {
  return mutationOptions({
    mutationKey: ['tiktok-connect'],
    mutationFn: (_request: ConnectRequest) => connectAccount(api),
    onSuccess: ({ authorizeUrl }) => navigateAway(authorizeUrl),
  });
}

export function useConnectAccount() {
  return useMutation(connectAccountMutation(useApiClient(), useNavigateAway()));
}
