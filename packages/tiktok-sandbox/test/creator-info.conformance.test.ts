/**
 * Conformance: POST /v2/post/publish/creator_info/query/ and the common envelope.
 * Sources: tiktok-api.md §2.0, §2.1, §8, §10, §12 (pitfall 11); docs/sandbox-decisions-for-helpers.md.
 */
import { describe, expect, it } from 'vitest';
import {
  advanceClock,
  createCreator,
  creatorWithToken,
  http,
  initFileUpload,
  issueToken,
  tiktokPost,
  useSandbox,
  type HttpResult,
  type Envelope,
} from './helpers.ts';

const CREATOR_INFO = '/v2/post/publish/creator_info/query/';
const LOG_ID = /^\d{14}[0-9A-F]{20}$/;
const SMALL_PLAN = { video_size: 4096, chunk_size: 4096, total_chunk_count: 1 };

interface CreatorInfo {
  creator_avatar_url: string;
  creator_username: string;
  creator_nickname: string;
  privacy_level_options: string[];
  comment_disabled: boolean;
  duet_disabled: boolean;
  stitch_disabled: boolean;
  max_video_post_duration_sec: number;
}

async function creatorInfo(
  base: string,
  token: string | undefined,
  body?: unknown,
): Promise<HttpResult<Envelope<CreatorInfo>>> {
  return tiktokPost<Envelope<CreatorInfo>>(base, CREATOR_INFO, token, body);
}

/** Raw call with full control over headers and body text. */
async function rawCreatorInfo(
  base: string,
  headers: Record<string, string>,
  body?: string,
): Promise<HttpResult<Envelope<CreatorInfo>>> {
  return http<Envelope<CreatorInfo>>(base + CREATOR_INFO, { method: 'POST', headers, body });
}

function expectLogId(res: HttpResult<Envelope<unknown>>): void {
  const logId = res.json.error.log_id;
  expect(logId).toMatch(LOG_ID);
  expect(res.headers.get('x-tt-logid')).toBe(logId);
  // The first 14 digits are a UTC timestamp YYYYMMDDhhmmss.
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(logId);
  expect(m).not.toBeNull();
  const [, y, mo, d, h, mi, s] = m!;
  const stamp = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  expect(Number.isNaN(stamp)).toBe(false);
  expect(Number(mo)).toBeGreaterThanOrEqual(1);
  expect(Number(mo)).toBeLessThanOrEqual(12);
  expect(Number(h)).toBeLessThan(24);
}

/** Expects TikTok's error envelope without a data member (errorData: false, the default). */
function expectError(res: HttpResult<Envelope<unknown>>, status: number, code: string): void {
  expect({ status: res.status, code: res.json?.error?.code }).toEqual({ status, code });
  expect(res.json).not.toHaveProperty('data');
  expect(typeof res.json.error.message).toBe('string');
  expectLogId(res);
}

function sorted(list: readonly string[]): string[] {
  return [...list].sort();
}

const PUBLIC_OPTIONS = ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'];
const PRIVATE_OPTIONS = ['FOLLOWER_OF_CREATOR', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'];

// ---------------------------------------------------------------------------------------------

describe('creator_info on an unaudited app (default options)', () => {
  const sb = useSandbox();

  it('§2.0 success envelope is {data, error:{code:"ok", message, log_id}} with an x-tt-logid header', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const res = await creatorInfo(sb.url, token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
    expect(sorted(Object.keys(res.json))).toEqual(['data', 'error']);
    expect(sorted(Object.keys(res.json.error))).toEqual(['code', 'log_id', 'message']);
    expect(res.json.error.code).toBe('ok');
    expect(typeof res.json.error.message).toBe('string');
    expectLogId(res);
  });

  it('§2.0 log_id is a 14-digit UTC timestamp of now + 20 upper-case hex, unique per request', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const a = await creatorInfo(sb.url, token);
    const b = await creatorInfo(sb.url, token);
    expectLogId(a);
    expectLogId(b);
    expect(a.json.error.log_id).not.toBe(b.json.error.log_id);
    const stamp = a.json.error.log_id.slice(0, 14);
    const t = Date.UTC(
      Number(stamp.slice(0, 4)),
      Number(stamp.slice(4, 6)) - 1,
      Number(stamp.slice(6, 8)),
      Number(stamp.slice(8, 10)),
      Number(stamp.slice(10, 12)),
      Number(stamp.slice(12, 14)),
    );
    expect(Math.abs(t - Date.now())).toBeLessThan(5 * 60_000);
  });

  it('§2.0 errors carry no data member by default and still have log_id + x-tt-logid', async () => {
    const res = await creatorInfo(sb.url, undefined);
    expectError(res, 401, 'access_token_invalid');
    expect(sorted(Object.keys(res.json))).toEqual(['error']);
  });

  it('§2.1 returns every documented field with its documented type', async () => {
    const { creator, token } = await creatorWithToken(sb.url, {
      username: 'ann.creates',
      nickname: 'Ann Creates',
      private_account: true,
      max_video_post_duration_sec: 600,
    });
    const res = await creatorInfo(sb.url, token);
    expect(res.status).toBe(200);
    expect(res.json.error.code).toBe('ok');
    const data = res.json.data!;
    expect(typeof data.creator_avatar_url).toBe('string');
    expect(() => new URL(data.creator_avatar_url)).not.toThrow();
    expect(new URL(data.creator_avatar_url).protocol).toMatch(/^https?:$/);
    expect(data.creator_username).toBe('ann.creates');
    expect(data.creator_nickname).toBe('Ann Creates');
    expect(Array.isArray(data.privacy_level_options)).toBe(true);
    for (const key of ['comment_disabled', 'duet_disabled', 'stitch_disabled'] as const) {
      expect(typeof data[key], key).toBe('boolean');
    }
    expect(Number.isInteger(data.max_video_post_duration_sec)).toBe(true);
    expect(data.max_video_post_duration_sec).toBe(600);
    expect(creator.open_id).toBeTruthy();
  });

  it('§2.1 (decision) an unaudited app is offered only SELF_ONLY, for a public and for a private account', async () => {
    const pub = await creatorWithToken(sb.url, { private_account: false });
    const priv = await creatorWithToken(sb.url, { private_account: true });
    const a = await creatorInfo(sb.url, pub.token);
    const b = await creatorInfo(sb.url, priv.token);
    expect(a.json.data?.privacy_level_options).toEqual(['SELF_ONLY']);
    expect(b.json.data?.privacy_level_options).toEqual(['SELF_ONLY']);
  });

  it('§2.1 comment/duet/stitch flags echo the creator settings of a public account', async () => {
    const a = await creatorWithToken(sb.url, {
      private_account: false,
      comment_disabled: true,
      duet_disabled: false,
      stitch_disabled: true,
    });
    const b = await creatorWithToken(sb.url, {
      private_account: false,
      comment_disabled: false,
      duet_disabled: true,
      stitch_disabled: false,
    });
    const ra = await creatorInfo(sb.url, a.token);
    const rb = await creatorInfo(sb.url, b.token);
    expect(ra.json.data).toMatchObject({
      comment_disabled: true,
      duet_disabled: false,
      stitch_disabled: true,
    });
    expect(rb.json.data).toMatchObject({
      comment_disabled: false,
      duet_disabled: true,
      stitch_disabled: false,
    });
  });

  it('§2.1 duet_disabled and stitch_disabled are true for a private account whatever its settings', async () => {
    const { token } = await creatorWithToken(sb.url, {
      private_account: true,
      comment_disabled: false,
      duet_disabled: false,
      stitch_disabled: false,
    });
    const res = await creatorInfo(sb.url, token);
    expect(res.json.data).toMatchObject({
      comment_disabled: false,
      duet_disabled: true,
      stitch_disabled: true,
    });
  });

  it('§2.1 max_video_post_duration_sec echoes the creator setting', async () => {
    const a = await creatorWithToken(sb.url, { private_account: true, max_video_post_duration_sec: 180 });
    const res = await creatorInfo(sb.url, a.token);
    expect(res.json.data?.max_video_post_duration_sec).toBe(180);
  });

  it('§2.1 reports a banned creator as HTTP 200 with spam_risk_user_banned_from_posting and no data', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true, banned: true });
    const res = await creatorInfo(sb.url, token);
    expectError(res, 200, 'spam_risk_user_banned_from_posting');
  });

  it('§2.1 reports the daily cap (posts_today 15) as HTTP 200 with spam_risk_too_many_posts and no data', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true, posts_today: 15 });
    const res = await creatorInfo(sb.url, token);
    expectError(res, 200, 'spam_risk_too_many_posts');
  });

  it('§2.1 posts_today 14 is still below the daily cap of 15', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true, posts_today: 14 });
    const res = await creatorInfo(sb.url, token);
    expect(res.status).toBe(200);
    expect(res.json.error.code).toBe('ok');
  });

  it('§2.1 §10 the daily cap reached through inits is reported on creator_info with HTTP 200', async () => {
    const { creator, token } = await creatorWithToken(sb.url, { private_account: true, posts_today: 13 });
    for (let i = 0; i < 2; i++) {
      const init = await initFileUpload(sb.url, token, SMALL_PLAN);
      expect(init.json.error.code).toBe('ok');
    }
    const res = await creatorInfo(sb.url, token);
    expectError(res, 200, 'spam_risk_too_many_posts');
    expect(creator.open_id).toBeTruthy();
  });

  it('§2.1 §10 reports the active-user cap (6th distinct creator, unaudited app) as HTTP 200 reached_active_user_cap', async () => {
    const posters: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { token } = await creatorWithToken(sb.url, { private_account: true });
      const init = await initFileUpload(sb.url, token, SMALL_PLAN);
      expect(init.json.error.code, `creator ${i + 1}`).toBe('ok');
      posters.push(token);
    }
    const sixth = await creatorWithToken(sb.url, { private_account: true });
    const res = await creatorInfo(sb.url, sixth.token);
    expectError(res, 200, 'reached_active_user_cap');
    // A creator that already posted today is still within the app's quota.
    const again = await creatorInfo(sb.url, posters[0]);
    expect(again.status).toBe(200);
    expect(again.json.error.code).toBe('ok');
  });

  it('§2.1 missing Authorization header → 401 access_token_invalid', async () => {
    const res = await rawCreatorInfo(sb.url, { 'content-type': 'application/json; charset=UTF-8' }, '{}');
    expectError(res, 401, 'access_token_invalid');
  });

  it('§2.1 garbage bearer tokens → 401 access_token_invalid', async () => {
    await createCreator(sb.url, { private_account: true });
    for (const token of ['garbage', 'act.notarealtoken!1234.e1', '']) {
      const res = await rawCreatorInfo(
        sb.url,
        { 'content-type': 'application/json; charset=UTF-8', authorization: `Bearer ${token}` },
        '{}',
      );
      expectError(res, 401, 'access_token_invalid');
    }
  });

  it('§2.1 a refresh token is not an access token → 401 access_token_invalid', async () => {
    const { tokens } = await creatorWithToken(sb.url, { private_account: true });
    const res = await creatorInfo(sb.url, tokens.refresh_token);
    expectError(res, 401, 'access_token_invalid');
  });

  it('§2.1 a token without video.publish → 401 scope_not_authorized', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    const basic = await issueToken(sb.url, creator.open_id, 'user.info.basic');
    const upload = await issueToken(sb.url, creator.open_id, 'user.info.basic,video.upload');
    expectError(await creatorInfo(sb.url, basic.access_token), 401, 'scope_not_authorized');
    expectError(await creatorInfo(sb.url, upload.access_token), 401, 'scope_not_authorized');
  });

  it('§2.1 an expired access token (clock advanced past expires_in) → 401 access_token_invalid', async () => {
    const { token, tokens } = await creatorWithToken(sb.url, { private_account: true });
    expect((await creatorInfo(sb.url, token)).json.error.code).toBe('ok');
    await advanceClock(sb.url, tokens.expires_in + 1);
    expectError(await creatorInfo(sb.url, token), 401, 'access_token_invalid');
  });

  it('§2.1 accepts an empty body, "{}", and application/json without charset', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const auth = { authorization: `Bearer ${token}` };
    const empty = await rawCreatorInfo(sb.url, {
      ...auth,
      'content-type': 'application/json; charset=UTF-8',
    });
    const emptyString = await rawCreatorInfo(
      sb.url,
      { ...auth, 'content-type': 'application/json; charset=UTF-8' },
      '',
    );
    const braces = await rawCreatorInfo(
      sb.url,
      { ...auth, 'content-type': 'application/json; charset=UTF-8' },
      '{}',
    );
    const noCharset = await rawCreatorInfo(sb.url, { ...auth, 'content-type': 'application/json' }, '{}');
    for (const [name, res] of Object.entries({ empty, emptyString, braces, noCharset })) {
      expect({ name, status: res.status, code: res.json?.error?.code }).toEqual({
        name,
        status: 200,
        code: 'ok',
      });
      expect(res.json.data?.privacy_level_options, name).toEqual(['SELF_ONLY']);
    }
  });

  it('§2.1 §10 rate limit 20/min per token: the 21st call is 429 rate_limit_exceeded, 61 s later it passes', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    for (let i = 0; i < 20; i++) {
      const res = await creatorInfo(sb.url, token);
      expect({ i, status: res.status, code: res.json.error.code }).toEqual({ i, status: 200, code: 'ok' });
    }
    const limited = await creatorInfo(sb.url, token);
    expectError(limited, 429, 'rate_limit_exceeded');
    await advanceClock(sb.url, 61);
    const freed = await creatorInfo(sb.url, token);
    expect(freed.status).toBe(200);
    expect(freed.json.error.code).toBe('ok');
  });

  it('§2.1 §10 the rate limit is per access token: another token of the same creator is not limited', async () => {
    const { creator, token } = await creatorWithToken(sb.url, { private_account: true });
    for (let i = 0; i < 20; i++) await creatorInfo(sb.url, token);
    expect((await creatorInfo(sb.url, token)).status).toBe(429);
    const other = await issueToken(sb.url, creator.open_id, 'user.info.basic,video.publish');
    const res = await creatorInfo(sb.url, other.access_token);
    expect(res.status).toBe(200);
    expect(res.json.error.code).toBe('ok');
  });

  it('§10 the creator_info window is separate from the init window (init still works after 20 queries)', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    for (let i = 0; i < 20; i++) await creatorInfo(sb.url, token);
    expect((await creatorInfo(sb.url, token)).status).toBe(429);
    const init = await initFileUpload(sb.url, token, SMALL_PLAN);
    expect(init.status).toBe(200);
    expect(init.json.error.code).toBe('ok');
  });

  it('§2.1 (decision) auth is checked before the rate limit: a scope-less token is never answered 429', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    const basic = await issueToken(sb.url, creator.open_id, 'user.info.basic');
    for (let i = 0; i < 22; i++) {
      const res = await creatorInfo(sb.url, basic.access_token);
      expect({ i, status: res.status }).toEqual({ i, status: 401 });
    }
  });
});

describe('creator_info on an audited app', () => {
  const sb = useSandbox({ audited: true });

  it('§2.1 a public account is offered PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS, SELF_ONLY', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: false });
    const res = await creatorInfo(sb.url, token);
    expect(res.json.error.code).toBe('ok');
    const options = res.json.data!.privacy_level_options;
    expect(options).toHaveLength(3);
    expect(sorted(options)).toEqual(sorted(PUBLIC_OPTIONS));
  });

  it('§2.1 a private account is offered FOLLOWER_OF_CREATOR, MUTUAL_FOLLOW_FRIENDS, SELF_ONLY', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const res = await creatorInfo(sb.url, token);
    expect(res.json.error.code).toBe('ok');
    const options = res.json.data!.privacy_level_options;
    expect(options).toHaveLength(3);
    expect(sorted(options)).toEqual(sorted(PRIVATE_OPTIONS));
  });

  it('§2.1 duet/stitch are disabled for a private account on an audited app too', async () => {
    const { token } = await creatorWithToken(sb.url, {
      private_account: true,
      duet_disabled: false,
      stitch_disabled: false,
    });
    const res = await creatorInfo(sb.url, token);
    expect(res.json.data).toMatchObject({ duet_disabled: true, stitch_disabled: true });
  });

  it('§2.1 a public account with default settings has duet and stitch enabled', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: false });
    const res = await creatorInfo(sb.url, token);
    expect(res.json.data).toMatchObject({ duet_disabled: false, stitch_disabled: false });
  });

  it('§2.1 a banned creator on an audited app → HTTP 200 spam_risk_user_banned_from_posting, no data', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: false, banned: true });
    expectError(await creatorInfo(sb.url, token), 200, 'spam_risk_user_banned_from_posting');
  });
});

describe('creator_info with errorData: true', () => {
  const sb = useSandbox({ errorData: true });

  it('§2.0 error envelopes include data: {} when errorData is set', async () => {
    const res = await creatorInfo(sb.url, 'garbage');
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('access_token_invalid');
    expect(res.json.data).toEqual({});
    expect(res.json.error.log_id).toMatch(LOG_ID);
  });

  it('§2.0 §2.1 a 200-with-error (banned) also carries data: {} when errorData is set', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true, banned: true });
    const res = await creatorInfo(sb.url, token);
    expect(res.status).toBe(200);
    expect(res.json.error.code).toBe('spam_risk_user_banned_from_posting');
    expect(res.json.data).toEqual({});
  });

  it('§2.0 successes are unchanged when errorData is set', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true, nickname: 'Zed' });
    const res = await creatorInfo(sb.url, token);
    expect(res.json.error.code).toBe('ok');
    expect(res.json.data?.creator_nickname).toBe('Zed');
  });
});
