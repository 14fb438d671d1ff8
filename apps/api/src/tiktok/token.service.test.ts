/**
 * TokenService with its repository and TikTok client faked (src/testing/fakes.ts) and the real
 * cipher: when a stored token is used, when it is refreshed, what is stored, what a refusal does.
 * The same rules against the sandbox and PostgreSQL: test/tokens.test.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../common/app-error.ts';
import {
  FakeAccounts,
  accountRow,
  asReal,
  capturingLogger,
  testConfig,
  tiktokError,
  tiktokUnreachable,
} from '../testing/fakes.ts';
import type { AccountsRepository } from './accounts.repository.ts';
import type { TikTokClient } from './tiktok.client.ts';
import { TokenCipher } from './token-cipher.ts';
import { REFRESH_MARGIN_MS, TokenService } from './token.service.ts';
import type { TikTokTokenSet } from './tiktok.types.ts';

const MINUTE = 60_000;

function setup(opts: { accessExpiresInMs: number; status?: string }) {
  const cipher = new TokenCipher(testConfig());
  const accounts = new FakeAccounts();
  const account = accounts.add(
    accountRow({
      status: opts.status ?? 'active',
      accessTokenEnc: cipher.encrypt('act.old-access'),
      accessExpiresAt: new Date(Date.now() + opts.accessExpiresInMs),
      refreshTokenEnc: cipher.encrypt('rft.old-refresh'),
      refreshExpiresAt: new Date(Date.now() + 365 * 24 * 60 * MINUTE),
      tokenVersion: 3,
    }),
  );
  let rotations = 0;
  const refresh = vi.fn((_refreshToken: string): Promise<TikTokTokenSet> => {
    rotations++;
    return Promise.resolve({
      open_id: account.openId,
      scope: 'user.info.basic,video.publish',
      access_token: `act.new-access-${rotations}`,
      expires_in: 86_400,
      refresh_token: `rft.new-refresh-${rotations}`,
      refresh_expires_in: 31_536_000,
      token_type: 'Bearer',
    });
  });
  const { logger, lines } = capturingLogger();
  const tiktok = asReal<TikTokClient>({ refresh });
  const service = () => new TokenService(asReal<AccountsRepository>(accounts), tiktok, cipher, logger);
  return { accounts, account, cipher, refresh, logs: lines, tokens: service(), anotherProcess: service };
}

/** The token a call was given. */
const echo = (token: string) => Promise.resolve(token);

describe('TokenService.withFreshToken', () => {
  it('hands a token that is not near expiry to the call as stored, without asking TikTok', async () => {
    const { tokens, refresh, accounts, account } = setup({ accessExpiresInMs: REFRESH_MARGIN_MS + MINUTE });
    await expect(tokens.withFreshToken(account.id, echo)).resolves.toBe('act.old-access');
    expect(refresh).not.toHaveBeenCalled();
    expect(accounts.row(account.id).tokenVersion).toBe(3);
  });

  it('refreshes a token within the margin once, and stores the rotated pair encrypted before using it', async () => {
    const { tokens, refresh, accounts, account, cipher } = setup({
      accessExpiresInMs: REFRESH_MARGIN_MS - MINUTE,
    });
    const seenByCall: string[] = [];
    const result = await tokens.withFreshToken(account.id, (t) => {
      // The rotated pair is committed before TikTok sees the new token in use.
      seenByCall.push(cipher.decrypt(accounts.row(account.id).refreshTokenEnc!));
      return echo(t);
    });
    expect(result).toBe('act.new-access-1');
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(refresh).toHaveBeenCalledWith('rft.old-refresh');
    expect(seenByCall).toEqual(['rft.new-refresh-1']);

    const stored = accounts.row(account.id);
    expect(stored.tokenVersion).toBe(4);
    expect(stored.accessTokenEnc).not.toContain('act.new-access-1');
    expect(stored.refreshTokenEnc).not.toContain('rft.new-refresh-1');
    expect(cipher.decrypt(stored.accessTokenEnc!)).toBe('act.new-access-1');
    expect(cipher.decrypt(stored.refreshTokenEnc!)).toBe('rft.new-refresh-1');
    expect(stored.accessExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 86_000_000);
  });

  it('refreshes an expired token the same way', async () => {
    const { tokens, refresh, account } = setup({ accessExpiresInMs: -MINUTE });
    await expect(tokens.withFreshToken(account.id, echo)).resolves.toBe('act.new-access-1');
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('lets concurrent callers in one process share a single refresh: one lock, one TikTok call', async () => {
    const { tokens, refresh, accounts, account } = setup({ accessExpiresInMs: MINUTE });
    const got = await Promise.all(Array.from({ length: 5 }, () => tokens.withFreshToken(account.id, echo)));
    expect(got).toEqual(Array(5).fill('act.new-access-1'));
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(accounts.transactions).toBe(1);
  });

  it('uses the pair another process rotated while it waited for the lock, instead of refreshing again', async () => {
    const { tokens, anotherProcess, refresh, account } = setup({ accessExpiresInMs: MINUTE });
    const [a, b] = await Promise.all([
      tokens.withFreshToken(account.id, echo),
      anotherProcess().withFreshToken(account.id, echo),
    ]);
    expect([a, b]).toEqual(['act.new-access-1', 'act.new-access-1']);
    // A second refresh would have spent the rotated refresh token TikTok just issued.
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('when TikTok says access_token_invalid, refreshes once and retries the call with the new token', async () => {
    const { tokens, refresh, account } = setup({ accessExpiresInMs: 60 * MINUTE });
    const call = vi.fn((t: string) =>
      t === 'act.old-access' ? Promise.reject(tiktokError('access_token_invalid')) : echo(t),
    );
    await expect(tokens.withFreshToken(account.id, call)).resolves.toBe('act.new-access-1');
    expect(call).toHaveBeenCalledTimes(2);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('marks the account reconnect-needed when TikTok refuses even the refreshed token', async () => {
    const { tokens, accounts, account } = setup({ accessExpiresInMs: 60 * MINUTE });
    const call = vi.fn(() => Promise.reject(tiktokError('access_token_invalid', 'log-2')));
    const err = await tokens.withFreshToken(account.id, call).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'ACCOUNT_RECONNECT_REQUIRED', retryable: false });
    expect((err as AppError).tiktok).toEqual({ code: 'access_token_invalid', logId: 'log-2' });
    expect(call).toHaveBeenCalledTimes(2);
    expect(accounts.row(account.id).status).toBe('reconnect_required');
  });

  it('a refused refresh (invalid_grant) marks the account reconnect-needed, and the call is never made', async () => {
    const { tokens, refresh, accounts, account } = setup({ accessExpiresInMs: MINUTE });
    refresh.mockRejectedValueOnce(tiktokError('invalid_grant'));
    const call = vi.fn(echo);
    const err = await tokens.withFreshToken(account.id, call).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ACCOUNT_RECONNECT_REQUIRED' });
    expect(call).not.toHaveBeenCalled();
    expect(accounts.row(account.id).status).toBe('reconnect_required');
    expect(accounts.row(account.id).tokenVersion).toBe(3);
  });

  it('a passing refresh failure is thrown as it is and leaves the account and its tokens alone', async () => {
    const { tokens, refresh, accounts, account } = setup({ accessExpiresInMs: MINUTE });
    const before = { ...accounts.row(account.id) };
    refresh.mockRejectedValueOnce(tiktokUnreachable());
    await expect(tokens.withFreshToken(account.id, echo)).rejects.toMatchObject({
      code: 'TIKTOK_UNAVAILABLE',
      retryable: true,
    });
    expect(accounts.row(account.id)).toEqual(before);
    // The next call tries again (the failed refresh is not kept as the answer).
    await expect(tokens.withFreshToken(account.id, echo)).resolves.toBe('act.new-access-1');
  });

  it('refuses an account needing reconnection without asking TikTok', async () => {
    const { tokens, refresh, account } = setup({ accessExpiresInMs: MINUTE, status: 'reconnect_required' });
    const call = vi.fn(echo);
    await expect(tokens.withFreshToken(account.id, call)).rejects.toMatchObject({
      code: 'ACCOUNT_RECONNECT_REQUIRED',
    });
    expect(refresh).not.toHaveBeenCalled();
    expect(call).not.toHaveBeenCalled();
  });

  it('answers ACCOUNT_NOT_FOUND for a disconnected or unknown account', async () => {
    const { tokens, account } = setup({ accessExpiresInMs: 60 * MINUTE, status: 'disconnected' });
    await expect(tokens.withFreshToken(account.id, echo)).rejects.toMatchObject({
      code: 'ACCOUNT_NOT_FOUND',
    });
    await expect(tokens.withFreshToken('no-such-account', echo)).rejects.toMatchObject({
      code: 'ACCOUNT_NOT_FOUND',
    });
  });

  it('puts no token in a thrown error or a log line, whatever failed', async () => {
    const secrets = ['act.old-access', 'rft.old-refresh', 'act.new-access-1', 'rft.new-refresh-1'];
    const failures: unknown[] = [];
    for (const fail of ['invalid_grant', 'unreachable', 'invalid_token_twice'] as const) {
      const { tokens, refresh, account, logs } = setup({ accessExpiresInMs: MINUTE });
      if (fail === 'invalid_grant') refresh.mockRejectedValueOnce(tiktokError('invalid_grant'));
      if (fail === 'unreachable') refresh.mockRejectedValueOnce(tiktokUnreachable());
      const call = () => Promise.reject(tiktokError('access_token_invalid'));
      failures.push(await tokens.withFreshToken(account.id, call).catch((e: unknown) => e));
      for (const line of logs) for (const s of secrets) expect(line).not.toContain(s);
    }
    expect(failures).toHaveLength(3);
    for (const err of failures) {
      expect(err).toBeInstanceOf(AppError);
      const e = err as AppError;
      const said = [
        e.message,
        JSON.stringify(e),
        e.cause instanceof Error ? e.cause.message : '',
        ...(e.details ?? []),
      ].join('\n');
      for (const s of secrets) expect(said).not.toContain(s);
    }
  });
});
