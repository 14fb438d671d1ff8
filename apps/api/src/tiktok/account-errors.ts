import { messageFor } from '@cliprelay/contract';
import type { TikTokErrorInfo } from '../common/app-error.ts';
import { AppError } from '../common/app-error.ts';

/** The account does not exist, is another user's (never confirm it exists) or was disconnected. */
export function accountNotFound(): AppError {
  return new AppError('ACCOUNT_NOT_FOUND', messageFor('ACCOUNT_NOT_FOUND'));
}

/** TikTok no longer accepts the account's tokens: only the user can fix it, by reconnecting. */
export function reconnectRequired(tiktok?: TikTokErrorInfo): AppError {
  return new AppError('ACCOUNT_RECONNECT_REQUIRED', messageFor('ACCOUNT_RECONNECT_REQUIRED'), {
    retryable: false,
    ...(tiktok ? { tiktok } : {}),
  });
}
