import { queryUrl } from '@cliprelay/test-kit/postgres';
import type { Stack } from './stack.ts';

/** Raw SQL against a stack's database, beside the API, through a connection of our own. */
export function queryDb<T = Record<string, any>>(
  stack: Stack,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  return queryUrl<T>(stack.databaseUrl, text, params);
}

/** The social_accounts row, token columns included. */
export async function accountRow(stack: Stack, accountId: string): Promise<Record<string, any>> {
  const [row] = await queryDb(stack, 'select * from social_accounts where id = $1', [accountId]);
  if (!row) throw new Error(`no social_accounts row ${accountId}`);
  return row;
}

/** Sets when the API believes the account's access token expires (its own clock, not TikTok's). */
export async function setAccessExpiresIn(stack: Stack, accountId: string, seconds: number): Promise<void> {
  await queryDb(
    stack,
    `update social_accounts set access_expires_at = now() + make_interval(secs => $2) where id = $1`,
    [accountId, seconds],
  );
}

/** Makes the API believe the account's access token has expired. */
export function expireAccessTokenLocally(stack: Stack, accountId: string): Promise<void> {
  return setAccessExpiresIn(stack, accountId, -60);
}

/**
 * The API's kept creator_info of the account is out of date, as after its short window
 * (src/tiktok/creator-info.ts): the next creator-info read asks TikTok.
 */
export async function forgetCreatorInfo(stack: Stack, accountId: string): Promise<void> {
  await queryDb(stack, 'update social_accounts set creator_info_at = null where id = $1', [accountId]);
}
