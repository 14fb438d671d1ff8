/**
 * Conformance: GET /v2/user/info/ and the common envelope.
 * Sources: tiktok-api.md §3.1, §3.2, §2.0, §8, §10, §12.12; architecture.md §6 (faults);
 * docs/sandbox-decisions-for-helpers.md ("Envelope", "user/info", "Faults and clock").
 */
import { describe, expect, it } from 'vitest';
import {
  CLIENT_KEY,
  CLIENT_SECRET,
  addFault,
  advanceClock,
  createCreator,
  http,
  issueToken,
  useSandbox,
  type HttpResult,
} from './helpers.ts';

const USER_INFO = '/v2/user/info/';
const LOG_ID = /^\d{14}[0-9A-F]{20}$/;
const FIELDS_REQUIRED = 'Fields is required, please provide fields in the request';

const BASIC_FIELDS = [
  'open_id',
  'union_id',
  'avatar_url',
  'avatar_url_100',
  'avatar_large_url',
  'display_name',
];
const PROFILE_FIELDS = ['bio_description', 'profile_deep_link', 'is_verified', 'username'];
const STATS_FIELDS = ['follower_count', 'following_count', 'likes_count', 'video_count'];

interface ApiError {
  code: string;
  message: string;
  log_id: string;
}
interface UserInfoEnvelope {
  data?: { user: Record<string, unknown> };
  error: ApiError;
}

function sorted(list: Iterable<string>): string[] {
  return [...list].sort();
}

/** GET /v2/user/info/ with a raw (already encoded) query string. */
async function userInfoRaw(
  base: string,
  token: string | undefined,
  rawQuery: string | undefined,
): Promise<HttpResult<UserInfoEnvelope>> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const url = base + USER_INFO + (rawQuery === undefined ? '' : `?${rawQuery}`);
  return http<UserInfoEnvelope>(url, { headers });
}

/** §3.1: fields with literal commas, as TikTok requires. */
async function userInfo(
  base: string,
  token: string | undefined,
  fields: string[],
): Promise<HttpResult<UserInfoEnvelope>> {
  return userInfoRaw(base, token, `fields=${fields.join(',')}`);
}

function expectLogId(res: HttpResult<UserInfoEnvelope>): void {
  expect(res.json.error.log_id).toMatch(LOG_ID);
  expect(res.headers.get('x-tt-logid')).toBe(res.json.error.log_id);
}

function expectOk(res: HttpResult<UserInfoEnvelope>): Record<string, unknown> {
  expect(res.status, res.text).toBe(200);
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  expect(sorted(Object.keys(res.json))).toEqual(['data', 'error']);
  expect(res.json.error).toEqual({ code: 'ok', message: '', log_id: expect.any(String) });
  expectLogId(res);
  expect(sorted(Object.keys(res.json.data ?? {}))).toEqual(['user']);
  return res.json.data!.user;
}

/** §2.0 error envelope without data (errorData: false). */
function expectError(res: HttpResult<UserInfoEnvelope>, status: number, code: string): void {
  expect({ status: res.status, code: res.json?.error?.code }, res.text).toEqual({ status, code });
  expect(res.json).not.toHaveProperty('data');
  expect(typeof res.json.error.message).toBe('string');
  expectLogId(res);
}

async function tokenFor(
  base: string,
  scope: string,
  creatorBody: Record<string, unknown> = {},
): Promise<{ openId: string; token: string }> {
  const creator = await createCreator(base, creatorBody);
  const t = await issueToken(base, creator.open_id, scope);
  return { openId: creator.open_id, token: t.access_token };
}

// =============================================================================================

describe('GET /v2/user/info/', () => {
  const sb = useSandbox();

  describe('§3.1 success and §2.0 envelope', () => {
    it('§3.1/§2.0 basic fields → 200 {data:{user}, error:{code:"ok", message:"", log_id}} with x-tt-logid', async () => {
      const { openId, token } = await tokenFor(sb.url, 'user.info.basic', { nickname: 'Nina Basic' });
      const user = expectOk(await userInfo(sb.url, token, BASIC_FIELDS));
      expect(sorted(Object.keys(user))).toEqual(sorted(BASIC_FIELDS));
      expect(user.open_id).toBe(openId);
      expect(user.display_name).toBe('Nina Basic');
      for (const f of BASIC_FIELDS) expect(typeof user[f], f).toBe('string');
      for (const f of ['avatar_url', 'avatar_url_100', 'avatar_large_url']) {
        expect(() => new URL(user[f] as string), f).not.toThrow();
      }
      expect((user.union_id as string).length).toBeGreaterThan(0);
    });

    it('§3.1 only the requested fields are returned', async () => {
      const { openId, token } = await tokenFor(sb.url, 'user.info.basic');
      const one = expectOk(await userInfo(sb.url, token, ['open_id']));
      expect(one).toEqual({ open_id: openId });
      const two = expectOk(await userInfo(sb.url, token, ['display_name', 'avatar_url']));
      expect(sorted(Object.keys(two))).toEqual(['avatar_url', 'display_name']);
    });

    it('§3.1 union_id is stable for a creator across tokens and differs between creators', async () => {
      const a = await tokenFor(sb.url, 'user.info.basic');
      const a2 = await issueToken(sb.url, a.openId, 'user.info.basic');
      const b = await tokenFor(sb.url, 'user.info.basic');
      const ua = expectOk(await userInfo(sb.url, a.token, ['union_id']));
      const ua2 = expectOk(await userInfo(sb.url, a2.access_token, ['union_id']));
      const ub = expectOk(await userInfo(sb.url, b.token, ['union_id']));
      expect(ua.union_id).toBe(ua2.union_id);
      expect(ua.union_id).not.toBe(ub.union_id);
    });

    it('§2.0 log_id is unique per request', async () => {
      const { token } = await tokenFor(sb.url, 'user.info.basic');
      const a = await userInfo(sb.url, token, ['open_id']);
      const b = await userInfo(sb.url, token, ['open_id']);
      expectOk(a);
      expectOk(b);
      expect(a.json.error.log_id).not.toBe(b.json.error.log_id);
    });

    it('§3.1 profile fields with user.info.profile: username, bio_description, profile_deep_link, is_verified', async () => {
      const { token } = await tokenFor(sb.url, 'user.info.basic,user.info.profile', {
        username: 'pro.file_1',
        nickname: 'Pro File',
      });
      const user = expectOk(await userInfo(sb.url, token, [...PROFILE_FIELDS, 'display_name']));
      expect(sorted(Object.keys(user))).toEqual(sorted([...PROFILE_FIELDS, 'display_name']));
      expect(user.username).toBe('pro.file_1');
      expect(user.display_name).toBe('Pro File');
      expect(typeof user.bio_description).toBe('string');
      expect(typeof user.profile_deep_link).toBe('string');
      expect(typeof user.is_verified).toBe('boolean');
    });

    it('§3.1 stats fields with user.info.stats are integers', async () => {
      const { token } = await tokenFor(sb.url, 'user.info.basic,user.info.stats');
      const user = expectOk(await userInfo(sb.url, token, STATS_FIELDS));
      expect(sorted(Object.keys(user))).toEqual(sorted(STATS_FIELDS));
      for (const f of STATS_FIELDS) {
        expect(Number.isInteger(user[f]), f).toBe(true);
        expect(user[f] as number, f).toBeGreaterThanOrEqual(0);
      }
    });

    it('§3.1 a token issued with the default scope (every approved scope) reads basic fields', async () => {
      const creator = await createCreator(sb.url, { nickname: 'Flow User' });
      const t = await issueToken(sb.url, creator.open_id);
      const user = expectOk(await userInfo(sb.url, t.access_token, ['open_id', 'display_name']));
      expect(user).toEqual({ open_id: creator.open_id, display_name: 'Flow User' });
    });
  });

  describe('§3.1/§12.12 the fields parameter', () => {
    it('§3.1 missing fields → 400 invalid_params "Fields is required…"', async () => {
      const { token } = await tokenFor(sb.url, 'user.info.basic');
      const res = await userInfoRaw(sb.url, token, undefined);
      expectError(res, 400, 'invalid_params');
      expect(res.json.error.message).toBe(FIELDS_REQUIRED);
    });

    it('§3.1 an empty fields value → 400 invalid_params', async () => {
      const { token } = await tokenFor(sb.url, 'user.info.basic');
      expectError(await userInfoRaw(sb.url, token, 'fields='), 400, 'invalid_params');
    });

    it('§3.1/§12.12 %2C-encoded commas are rejected with invalid_params "Fields is required…"', async () => {
      const { token } = await tokenFor(sb.url, 'user.info.basic');
      for (const raw of ['fields=open_id%2Cunion_id', 'fields=open_id%2cdisplay_name']) {
        const res = await userInfoRaw(sb.url, token, raw);
        expectError(res, 400, 'invalid_params');
        expect(res.json.error.message, raw).toBe(FIELDS_REQUIRED);
      }
    });

    it('§3.1 the same fields with literal commas succeed (control for the %2C test)', async () => {
      const { token } = await tokenFor(sb.url, 'user.info.basic');
      const user = expectOk(await userInfoRaw(sb.url, token, 'fields=open_id,union_id'));
      expect(sorted(Object.keys(user))).toEqual(['open_id', 'union_id']);
    });
  });

  describe('§3.1/§3.2 scopes per field', () => {
    it('§3.1/§12.12 each profile field without user.info.profile → 400 scope_permission_missed', async () => {
      const { token } = await tokenFor(sb.url, 'user.info.basic,video.publish');
      for (const field of PROFILE_FIELDS) {
        const res = await userInfo(sb.url, token, ['open_id', field]);
        expectError(res, 400, 'scope_permission_missed');
      }
    });

    it('§3.1 each stats field without user.info.stats → 400 scope_permission_missed', async () => {
      const { token } = await tokenFor(sb.url, 'user.info.basic,user.info.profile');
      for (const field of STATS_FIELDS) {
        expectError(await userInfo(sb.url, token, [field]), 400, 'scope_permission_missed');
      }
    });

    it('§3.1 a token without user.info.basic cannot read basic fields (scope_permission_missed)', async () => {
      const { token } = await tokenFor(sb.url, 'video.publish');
      for (const field of ['open_id', 'display_name', 'avatar_url']) {
        expectError(await userInfo(sb.url, token, [field]), 400, 'scope_permission_missed');
      }
    });
  });

  describe('§2.0/§8 authentication', () => {
    it('§8 no Authorization header → 401 access_token_invalid', async () => {
      expectError(await userInfo(sb.url, undefined, ['open_id']), 401, 'access_token_invalid');
    });

    it('§8 an unknown or malformed bearer token → 401 access_token_invalid', async () => {
      expectError(await userInfo(sb.url, 'act.unknown', ['open_id']), 401, 'access_token_invalid');
      const res = await http<UserInfoEnvelope>(`${sb.url}${USER_INFO}?fields=open_id`, {
        headers: { authorization: 'Basic Zm9vOmJhcg==' },
      });
      expectError(res, 401, 'access_token_invalid');
    });

    it('§8 a refresh token is not an access token → 401 access_token_invalid', async () => {
      const c = await createCreator(sb.url);
      const t = await issueToken(sb.url, c.open_id, 'user.info.basic');
      expectError(await userInfo(sb.url, t.refresh_token, ['open_id']), 401, 'access_token_invalid');
    });

    it('§7.4/§8 an expired access token → 401 access_token_invalid', async () => {
      const { token } = await tokenFor(sb.url, 'user.info.basic');
      await advanceClock(sb.url, 7201);
      expectError(await userInfo(sb.url, token, ['open_id']), 401, 'access_token_invalid');
    });

    it('§7.5/§8 a revoked access token → 401 access_token_invalid', async () => {
      const { token } = await tokenFor(sb.url, 'user.info.basic');
      const res = await http(`${sb.url}/v2/oauth/revoke/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_key: CLIENT_KEY, client_secret: CLIENT_SECRET, token }).toString(),
      });
      expect(res.status).toBe(200);
      expectError(await userInfo(sb.url, token, ['open_id']), 401, 'access_token_invalid');
    });
  });

  describe('§10 rate limit', () => {
    it('§10 600 requests per minute per token, then 429 rate_limit_exceeded; the window slides', async () => {
      const { token } = await tokenFor(sb.url, 'user.info.basic');
      const batch = 50;
      for (let i = 0; i < 600; i += batch) {
        const results = await Promise.all(
          Array.from({ length: batch }, () => userInfo(sb.url, token, ['open_id'])),
        );
        for (const r of results) expect(r.status).toBe(200);
      }
      expectError(await userInfo(sb.url, token, ['open_id']), 429, 'rate_limit_exceeded');
      await advanceClock(sb.url, 61);
      expectOk(await userInfo(sb.url, token, ['open_id']));
    });
  });

  describe('(arch §6) faults on user_info', () => {
    it('(arch §6) an internal_error fault → 500 envelope, once, then success', async () => {
      const { token } = await tokenFor(sb.url, 'user.info.basic');
      await addFault(sb.url, { endpoint: 'user_info', http_status: 500, error_code: 'internal_error' });
      expectError(await userInfo(sb.url, token, ['open_id']), 500, 'internal_error');
      expectOk(await userInfo(sb.url, token, ['open_id']));
    });

    it('(decision) rate_limit_exceeded fault defaults to HTTP 429', async () => {
      const { token } = await tokenFor(sb.url, 'user.info.basic');
      await addFault(sb.url, { endpoint: 'user_info', error_code: 'rate_limit_exceeded' });
      expectError(await userInfo(sb.url, token, ['open_id']), 429, 'rate_limit_exceeded');
      expectOk(await userInfo(sb.url, token, ['open_id']));
    });

    it('(decision) access_token_invalid fault defaults to HTTP 401', async () => {
      const { token } = await tokenFor(sb.url, 'user.info.basic');
      await addFault(sb.url, { endpoint: 'user_info', error_code: 'access_token_invalid' });
      expectError(await userInfo(sb.url, token, ['open_id']), 401, 'access_token_invalid');
      expectOk(await userInfo(sb.url, token, ['open_id']));
    });

    it('(arch §6) count: 3 fails exactly three requests', async () => {
      const { token } = await tokenFor(sb.url, 'user.info.basic');
      await addFault(sb.url, {
        endpoint: 'user_info',
        http_status: 500,
        error_code: 'internal_error',
        count: 3,
      });
      for (let i = 0; i < 3; i++)
        expectError(await userInfo(sb.url, token, ['open_id']), 500, 'internal_error');
      expectOk(await userInfo(sb.url, token, ['open_id']));
    });

    it('(arch §6) reset: true drops the connection (fetch rejects), then the endpoint recovers', async () => {
      const { token } = await tokenFor(sb.url, 'user.info.basic');
      await addFault(sb.url, { endpoint: 'user_info', reset: true });
      await expect(userInfo(sb.url, token, ['open_id'])).rejects.toThrow();
      expectOk(await userInfo(sb.url, token, ['open_id']));
    });

    it('(decision) a 5xx fault without error_code answers a non-JSON body', async () => {
      const { token } = await tokenFor(sb.url, 'user.info.basic');
      await addFault(sb.url, { endpoint: 'user_info', http_status: 502 });
      const res = await userInfo(sb.url, token, ['open_id']);
      expect(res.status).toBe(502);
      expect(res.json).toBeUndefined();
      expectOk(await userInfo(sb.url, token, ['open_id']));
    });

    it('(arch §6) open_id limits the fault to one creator', async () => {
      const a = await tokenFor(sb.url, 'user.info.basic');
      const b = await tokenFor(sb.url, 'user.info.basic');
      await addFault(sb.url, {
        endpoint: 'user_info',
        http_status: 500,
        error_code: 'internal_error',
        open_id: b.openId,
      });
      expectOk(await userInfo(sb.url, a.token, ['open_id']));
      expectError(await userInfo(sb.url, b.token, ['open_id']), 500, 'internal_error');
      expectOk(await userInfo(sb.url, b.token, ['open_id']));
    });

    it('(arch §6) a user_info fault does not fire on other endpoints', async () => {
      const { token } = await tokenFor(sb.url, 'user.info.basic,video.publish', { private_account: true });
      await addFault(sb.url, { endpoint: 'user_info', http_status: 500, error_code: 'internal_error' });
      const info = await http(`${sb.url}/v2/post/publish/creator_info/query/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=UTF-8' },
      });
      expect(info.status).toBe(200);
      expectError(await userInfo(sb.url, token, ['open_id']), 500, 'internal_error');
    });
  });
});
