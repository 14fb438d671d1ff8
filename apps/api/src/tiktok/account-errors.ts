import type { TikTokErrorInfo } from '../common/app-error.ts';
import { AppError } from '../common/app-error.ts';

/** The account does not exist, is another user's (never confirm it exists) or was disconnected. */
export function accountNotFound(): AppError {
  return new AppError('ACCOUNT_NOT_FOUND', 'TikTok account not connected. Connect it in account settings.');
}

/** TikTok no longer accepts the account's tokens: only the user can fix it, by reconnecting. */
export function reconnectRequired(tiktok?: TikTokErrorInfo): AppError {
  return new AppError(
    'ACCOUNT_RECONNECT_REQUIRED',
    'TikTok no longer accepts this account’s authorization. Reconnect the account in account settings.',
    { retryable: false, ...(tiktok ? { tiktok } : {}) },
  );
}
