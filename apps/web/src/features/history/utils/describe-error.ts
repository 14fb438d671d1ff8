/** Words for a history call that failed: the API's own sentence when it has one, else the seed's. */
import { userMessageForStatus } from '@cliprelay/contract';
import { ApiError } from '../../../lib/api-error.ts';

export function describeHistoryError(error: unknown): string {
  if (!(error instanceof ApiError)) return userMessageForStatus(500);
  const own = typeof error.body?.message === 'string' ? error.body.message : null;
  if (own && error.status >= 400 && error.status < 500 && error.status !== 401) return own;
  return userMessageForStatus(error.status);
}
