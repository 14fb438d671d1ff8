/**
 * Conformance: the sandbox control API under /_sandbox/ (architecture.md §6) — reset, creators,
 * tokens, publishes, faults, clock, the HTML dashboard — and how faults surface in TikTok's envelope.
 * Sources: architecture.md §6; tiktok-api.md §2.0, §2.1, §2.2, §2.4, §7.4, §8;
 * docs/sandbox-decisions-for-helpers.md ("Faults and clock", "FILE_UPLOAD").
 */
import { describe, expect, it } from 'vitest';
import {
  addFault,
  advanceClock,
  control,
  createCreator,
  creatorWithToken,
  http,
  initFileUpload,
  issueToken,
  mp4Bytes,
  sha256,
  tiktokPost,
  uploadAll,
  useSandbox,
  waitForFinalStatus,
  type HttpResult,
  type Envelope,
} from './helpers.ts';

const CREATOR_INFO = '/v2/post/publish/creator_info/query/';
const INIT = '/v2/post/publish/video/init/';
const STATUS = '/v2/post/publish/status/fetch/';
const CANCEL = '/v2/post/publish/cancel/';
const LOG_ID = /^\d{14}[0-9A-F]{20}$/;
const PREFIX = 'https://localhost:1/videos/';
const SMALL_PLAN = { video_size: 4096, chunk_size: 4096, total_chunk_count: 1 };
const ALL_SCOPES = 'user.info.basic,video.publish';

interface CreatorInfo {
  creator_nickname: string;
  creator_username: string;
  max_video_post_duration_sec: number;
  privacy_level_options: string[];
}
interface CreatorRecord {
  open_id: string;
  username?: string;
  nickname?: string;
  [key: string]: unknown;
}
interface PublishRecord {
  publish_id: string;
  open_id: string;
  post_info: Record<string, unknown>;
  source_info: Record<string, unknown>;
  status: string;
  fail_reason?: string | null;
  received_bytes: number;
  sha256: string | null;
  post_ids?: unknown[];
}
interface TokenListEntry {
  token: string;
  type: 'access' | 'refresh';
  state: 'active' | 'expired' | 'rotated' | 'revoked';
  scope: string;
  expires_at: unknown;
}

async function creatorInfo(
  base: string,
  token: string | undefined,
): Promise<HttpResult<Envelope<CreatorInfo>>> {
  return tiktokPost<Envelope<CreatorInfo>>(base, CREATOR_INFO, token);
}

function expectEnvelopeError(res: HttpResult<Envelope<unknown>>, status: number, code: string): void {
  expect({ status: res.status, code: res.json?.error?.code }).toEqual({ status, code });
  expect(res.json).not.toHaveProperty('data');
  expect(res.json.error.log_id).toMatch(LOG_ID);
  expect(res.headers.get('x-tt-logid')).toBe(res.json.error.log_id);
}

function expectOk(res: HttpResult<Envelope<unknown>>): void {
  expect({ status: res.status, code: res.json?.error?.code }).toEqual({ status: 200, code: 'ok' });
}

/** The clock route answers { now }; accept epoch ms, epoch s or an ISO string. */
function nowMs(value: unknown): number {
  if (typeof value === 'number') return value > 1e12 ? value : value * 1000;
  if (typeof value === 'string') {
    const n = Number(value);
    if (Number.isFinite(n)) return n > 1e12 ? n : n * 1000;
    return Date.parse(value);
  }
  return Number.NaN;
}

async function rawControl(base: string, method: string, path: string, body: string): Promise<HttpResult> {
  return http(base + path, { method, headers: { 'content-type': 'application/json' }, body });
}

async function tokensOf(base: string, openId: string): Promise<TokenListEntry[]> {
  const res = await control<{ data: TokenListEntry[] }>(
    base,
    'GET',
    `/_sandbox/creators/${encodeURIComponent(openId)}/tokens`,
  );
  expect(res.status).toBe(200);
  return res.json.data;
}

async function publishRecord(base: string, publishId: string): Promise<HttpResult<PublishRecord>> {
  return control<PublishRecord>(base, 'GET', `/_sandbox/publishes/${encodeURIComponent(publishId)}`);
}

// =============================================================================================

describe('control API: creators and tokens', () => {
  const sb = useSandbox();

  it('arch §6 POST /_sandbox/creators → 201 with open_id and the given fields', async () => {
    const body = {
      username: 'maya.films',
      nickname: 'Maya Films',
      private_account: true,
      comment_disabled: true,
      duet_disabled: true,
      stitch_disabled: false,
      max_video_post_duration_sec: 600,
      banned: false,
      posts_today: 3,
    };
    const res = await control<CreatorRecord>(sb.url, 'POST', '/_sandbox/creators', body);
    expect(res.status).toBe(201);
    expect(typeof res.json.open_id).toBe('string');
    expect(res.json.open_id.length).toBeGreaterThan(0);
    const { posts_today: _postsToday, ...settings } = body;
    expect(res.json).toMatchObject(settings);
  });

  it('arch §6 a creator created with {} gets sensible defaults and can use creator_info', async () => {
    const res = await control<CreatorRecord>(sb.url, 'POST', '/_sandbox/creators', {});
    expect(res.status).toBe(201);
    expect(res.json.open_id).toBeTruthy();
    const other = await control<CreatorRecord>(sb.url, 'POST', '/_sandbox/creators', {});
    expect(other.json.open_id).not.toBe(res.json.open_id);
    const token = await issueToken(sb.url, res.json.open_id, ALL_SCOPES);
    const info = await creatorInfo(sb.url, token.access_token);
    expectOk(info); // not banned, not at the daily cap
    const data = info.json.data!;
    expect(data.creator_nickname.length).toBeGreaterThan(0);
    expect(data.creator_username).toMatch(/^[a-zA-Z0-9._]{2,24}$/);
    expect([180, 300, 600]).toContain(data.max_video_post_duration_sec);
  });

  it('arch §6 a creator may be created with a chosen open_id', async () => {
    const res = await control<CreatorRecord>(sb.url, 'POST', '/_sandbox/creators', {
      open_id: 'my-fixed-open-id',
    });
    expect(res.status).toBe(201);
    expect(res.json.open_id).toBe('my-fixed-open-id');
    const token = await issueToken(sb.url, 'my-fixed-open-id', ALL_SCOPES);
    expect(token.open_id).toBe('my-fixed-open-id');
  });

  it('arch §6 POST /_sandbox/creators with an unknown field → 400 naming the field', async () => {
    const res = await control(sb.url, 'POST', '/_sandbox/creators', { nickname: 'X', follower_count: 10 });
    expect(res.status).toBe(400);
    expect(res.text).toContain('follower_count');
  });

  it('arch §6 POST /_sandbox/creators with wrong types → 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ private_account: 'yes' }, 'private_account'],
      [{ banned: 1 }, 'banned'],
      [{ posts_today: -1 }, 'posts_today'],
      [{ posts_today: 'three' }, 'posts_today'],
      [{ max_video_post_duration_sec: 'long' }, 'max_video_post_duration_sec'],
      [{ nickname: 42 }, 'nickname'],
      [{ username: 'not a valid handle!' }, 'username'],
    ];
    for (const [body, field] of cases) {
      const res = await control(sb.url, 'POST', '/_sandbox/creators', body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.text, JSON.stringify(body)).toContain(field);
    }
  });

  it('arch §6 POST /_sandbox/creators with malformed JSON or a non-object → 400, and nothing is created', async () => {
    const bad = await rawControl(sb.url, 'POST', '/_sandbox/creators', '{"nickname": ');
    expect(bad.status).toBe(400);
    expect(bad.text.length).toBeGreaterThan(0);
    const arr = await control(sb.url, 'POST', '/_sandbox/creators', [{ nickname: 'Array Annie' }]);
    expect(arr.status).toBe(400);
    const page = await http(`${sb.url}/_sandbox/`);
    expect(page.text).not.toContain('Array Annie');
  });

  it('arch §6 POST /_sandbox/creators/:open_id/tokens → 201 TikTok token response with the asked scope', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    const res = await control<Record<string, unknown>>(
      sb.url,
      'POST',
      `/_sandbox/creators/${encodeURIComponent(creator.open_id)}/tokens`,
      { scope: 'user.info.basic,video.upload' },
    );
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ open_id: creator.open_id, token_type: 'Bearer', expires_in: 7200 });
    expect(String(res.json.access_token)).toMatch(/^act\./);
    expect(String(res.json.refresh_token)).toMatch(/^rft\./);
    expect(String(res.json.scope).split(',').sort()).toEqual(['user.info.basic', 'video.upload']);
    // The scope is really limited: creator_info needs video.publish.
    expectEnvelopeError(
      await creatorInfo(sb.url, String(res.json.access_token)),
      401,
      'scope_not_authorized',
    );
  });

  it('arch §6 GET /_sandbox/creators/:open_id/tokens lists access and refresh tokens with state active', async () => {
    const { creator, tokens } = await creatorWithToken(sb.url, { private_account: true });
    const list = await tokensOf(sb.url, creator.open_id);
    const access = list.find((t) => t.token === tokens.access_token);
    const refresh = list.find((t) => t.token === tokens.refresh_token);
    expect(access).toMatchObject({ type: 'access', state: 'active' });
    expect(refresh).toMatchObject({ type: 'refresh', state: 'active' });
  });

  it('arch §6 token routes for an unknown open_id → 404', async () => {
    const get = await control(sb.url, 'GET', '/_sandbox/creators/no-such-creator/tokens');
    expect(get.status).toBe(404);
    const post = await control(sb.url, 'POST', '/_sandbox/creators/no-such-creator/tokens', {});
    expect(post.status).toBe(404);
  });

  it('arch §6 POST tokens with a scope of the wrong type → 400', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    const res = await control(
      sb.url,
      'POST',
      `/_sandbox/creators/${encodeURIComponent(creator.open_id)}/tokens`,
      {
        scope: 42,
      },
    );
    expect(res.status).toBe(400);
    expect(res.text).toContain('scope');
  });
});

// =============================================================================================

describe('control API: publishes', () => {
  const sb = useSandbox({ verifiedPrefix: [PREFIX] });

  it('arch §6 GET /_sandbox/publishes/:id shows post_info, source_info, status, received_bytes 0 and sha256 null before upload', async () => {
    const { creator, token } = await creatorWithToken(sb.url, { private_account: true });
    const postInfo = {
      privacy_level: 'SELF_ONLY',
      title: 'my #cat video 😀 @tiktok',
      disable_comment: true,
      video_cover_timestamp_ms: 1000,
      brand_content_toggle: false,
      brand_organic_toggle: true,
      is_aigc: true,
    };
    const init = await initFileUpload(sb.url, token, SMALL_PLAN, postInfo);
    expect(init.json.error.code).toBe('ok');
    const publishId = init.json.data!.publish_id;
    const res = await publishRecord(sb.url, publishId);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      publish_id: publishId,
      open_id: creator.open_id,
      status: 'PROCESSING_UPLOAD',
      received_bytes: 0,
      sha256: null,
    });
    expect(res.json.post_info).toMatchObject(postInfo);
    expect(res.json.source_info).toMatchObject({ source: 'FILE_UPLOAD', ...SMALL_PLAN });
    expect(res.json.fail_reason ?? null).toBeNull();
  });

  it('arch §6 after the upload: received_bytes = video_size, sha256 of the assembled video, PUBLISH_COMPLETE', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const bytes = mp4Bytes({ durationSec: 5, size: 4096 });
    const init = await initFileUpload(sb.url, token, SMALL_PLAN);
    const { publish_id, upload_url } = init.json.data!;
    const puts = await uploadAll(upload_url, bytes, 4096);
    expect(puts.map((p) => p.status)).toEqual([201]);
    await waitForFinalStatus(sb.url, token, publish_id);
    const res = await publishRecord(sb.url, publish_id);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      publish_id,
      status: 'PUBLISH_COMPLETE',
      received_bytes: 4096,
      sha256: sha256(bytes),
    });
    expect(res.json.fail_reason ?? null).toBeNull();
  });

  it('arch §6 a PULL_FROM_URL publish records its video_url in source_info', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const videoUrl = `${PREFIX}holiday.mp4`;
    const init = await tiktokPost<Envelope<{ publish_id: string }>>(sb.url, INIT, token, {
      post_info: { privacy_level: 'SELF_ONLY', title: 'pulled' },
      source_info: { source: 'PULL_FROM_URL', video_url: videoUrl },
    });
    expect(init.json.error.code).toBe('ok');
    const res = await publishRecord(sb.url, init.json.data!.publish_id);
    expect(res.status).toBe(200);
    expect(res.json.source_info).toMatchObject({ source: 'PULL_FROM_URL', video_url: videoUrl });
    expect(res.json.post_info).toMatchObject({ privacy_level: 'SELF_ONLY', title: 'pulled' });
  });

  it('arch §6 a processing fault shows up as FAILED with its fail_reason in the publish record', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    await addFault(sb.url, { endpoint: 'processing', error_code: 'file_format_check_failed' });
    const init = await initFileUpload(sb.url, token, SMALL_PLAN);
    const { publish_id, upload_url } = init.json.data!;
    await uploadAll(upload_url, mp4Bytes({ durationSec: 5, size: 4096 }), 4096);
    const final = await waitForFinalStatus(sb.url, token, publish_id);
    expect(final.json).toMatchObject({
      data: { status: 'FAILED', fail_reason: 'file_format_check_failed' },
      error: { code: 'ok' },
    });
    const res = await publishRecord(sb.url, publish_id);
    expect(res.json).toMatchObject({ status: 'FAILED', fail_reason: 'file_format_check_failed' });
  });

  it('arch §6 GET /_sandbox/publishes/:id for an unknown id → 404', async () => {
    const res = await publishRecord(sb.url, 'v_pub_file~v2-1.7000000000000000001');
    expect(res.status).toBe(404);
    const res2 = await publishRecord(sb.url, 'nonsense');
    expect(res2.status).toBe(404);
  });
});

// =============================================================================================

describe('control API: faults', () => {
  const sb = useSandbox();

  it('arch §6 POST /_sandbox/faults → 201; count: 2 fails exactly the next two matching requests', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const res = await control(sb.url, 'POST', '/_sandbox/faults', {
      endpoint: 'creator_info',
      http_status: 503,
      error_code: 'internal_error',
      count: 2,
    });
    expect(res.status).toBe(201);
    // Another endpoint is not affected.
    expectOk(
      await tiktokPost(sb.url, INIT, token, {
        post_info: { privacy_level: 'SELF_ONLY' },
        source_info: { source: 'FILE_UPLOAD', ...SMALL_PLAN },
      }),
    );
    expectEnvelopeError(await creatorInfo(sb.url, token), 503, 'internal_error');
    expectEnvelopeError(await creatorInfo(sb.url, token), 503, 'internal_error');
    expectOk(await creatorInfo(sb.url, token));
  });

  it('arch §6 a fault without count fails exactly one request', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    await addFault(sb.url, { endpoint: 'creator_info', http_status: 500, error_code: 'internal_error' });
    expectEnvelopeError(await creatorInfo(sb.url, token), 500, 'internal_error');
    expectOk(await creatorInfo(sb.url, token));
  });

  it('arch §6 §2.1 a fault with http_status 200 and a code reproduces the 200-with-error of creator_info', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    await addFault(sb.url, {
      endpoint: 'creator_info',
      http_status: 200,
      error_code: 'reached_active_user_cap',
    });
    expectEnvelopeError(await creatorInfo(sb.url, token), 200, 'reached_active_user_cap');
  });

  it('arch §6 open_id limits a fault to one creator; other creators pass and do not consume it', async () => {
    const a = await creatorWithToken(sb.url, { private_account: true });
    const b = await creatorWithToken(sb.url, { private_account: true });
    await addFault(sb.url, {
      endpoint: 'creator_info',
      http_status: 200,
      error_code: 'spam_risk_user_banned_from_posting',
      open_id: a.creator.open_id,
    });
    expectOk(await creatorInfo(sb.url, b.token));
    expectOk(await creatorInfo(sb.url, b.token));
    expectEnvelopeError(await creatorInfo(sb.url, a.token), 200, 'spam_risk_user_banned_from_posting');
    expectOk(await creatorInfo(sb.url, a.token));
  });

  it('arch §6 §2.2 a video_init fault answers with its http_status and error_code in the envelope', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    await addFault(sb.url, {
      endpoint: 'video_init',
      http_status: 403,
      error_code: 'spam_risk_too_many_posts',
    });
    const body = {
      post_info: { privacy_level: 'SELF_ONLY' },
      source_info: { source: 'FILE_UPLOAD', ...SMALL_PLAN },
    };
    const res = await tiktokPost<Envelope>(sb.url, INIT, token, body);
    expectEnvelopeError(res, 403, 'spam_risk_too_many_posts');
    expect(typeof res.json.error.message).toBe('string');
    expectOk(await tiktokPost(sb.url, INIT, token, body));
  });

  it('(decision) a fault without http_status takes the status from the code (§8: 403 caps, 429, 500, 400)', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const initBody = {
      post_info: { privacy_level: 'SELF_ONLY' },
      source_info: { source: 'FILE_UPLOAD', ...SMALL_PLAN },
    };
    await addFault(sb.url, { endpoint: 'video_init', error_code: 'reached_active_user_cap' });
    expectEnvelopeError(
      await tiktokPost<Envelope>(sb.url, INIT, token, initBody),
      403,
      'reached_active_user_cap',
    );
    const publishId = (await tiktokPost<Envelope<{ publish_id: string }>>(sb.url, INIT, token, initBody)).json
      .data!.publish_id;
    await addFault(sb.url, { endpoint: 'status_fetch', error_code: 'rate_limit_exceeded' });
    expectEnvelopeError(
      await tiktokPost<Envelope>(sb.url, STATUS, token, { publish_id: publishId }),
      429,
      'rate_limit_exceeded',
    );
    await addFault(sb.url, { endpoint: 'status_fetch', error_code: 'internal_error' });
    expectEnvelopeError(
      await tiktokPost<Envelope>(sb.url, STATUS, token, { publish_id: publishId }),
      500,
      'internal_error',
    );
    await addFault(sb.url, { endpoint: 'cancel', error_code: 'invalid_publish_id' });
    expectEnvelopeError(
      await tiktokPost<Envelope>(sb.url, CANCEL, token, { publish_id: publishId }),
      400,
      'invalid_publish_id',
    );
    await addFault(sb.url, { endpoint: 'creator_info', error_code: 'access_token_invalid' });
    expectEnvelopeError(await creatorInfo(sb.url, token), 401, 'access_token_invalid');
  });

  it('arch §6 §2.1 a 5xx fault without error_code answers a non-JSON body', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    await addFault(sb.url, { endpoint: 'creator_info', http_status: 502 });
    const res = await creatorInfo(sb.url, token);
    expect(res.status).toBe(502);
    expect(res.text.length).toBeGreaterThan(0);
    expect(res.json).toBeUndefined();
    expect(res.headers.get('content-type') ?? '').not.toMatch(/json/);
    expectOk(await creatorInfo(sb.url, token));
  });

  it('arch §6 a 5xx status_fetch fault without error_code is non-JSON too', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    await addFault(sb.url, { endpoint: 'status_fetch', http_status: 504 });
    const res = await tiktokPost(sb.url, STATUS, token, {
      publish_id: 'v_pub_file~v2-1.7000000000000000001',
    });
    expect(res.status).toBe(504);
    expect(res.json).toBeUndefined();
  });

  it('arch §6 delay_ms alone only delays: the answer is the normal one, late', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true, nickname: 'Slow Sam' });
    await addFault(sb.url, { endpoint: 'creator_info', delay_ms: 400 });
    const t0 = performance.now();
    const res = await creatorInfo(sb.url, token);
    const elapsed = performance.now() - t0;
    expectOk(res);
    expect(res.json.data?.creator_nickname).toBe('Slow Sam');
    expect(elapsed).toBeGreaterThanOrEqual(380);
    const t1 = performance.now();
    expectOk(await creatorInfo(sb.url, token));
    expect(performance.now() - t1).toBeLessThan(380);
  });

  it('arch §6 delay_ms combined with an error delays and then fails', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    await addFault(sb.url, {
      endpoint: 'creator_info',
      delay_ms: 300,
      http_status: 429,
      error_code: 'rate_limit_exceeded',
    });
    const t0 = performance.now();
    const res = await creatorInfo(sb.url, token);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(280);
    expectEnvelopeError(res, 429, 'rate_limit_exceeded');
  });

  it('arch §6 reset: true drops the connection (fetch rejects); the next request is answered', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    await addFault(sb.url, { endpoint: 'creator_info', reset: true });
    await expect(creatorInfo(sb.url, token)).rejects.toThrow();
    expectOk(await creatorInfo(sb.url, token));
  });

  it('arch §6 POST /_sandbox/faults with an unknown or missing endpoint → 400', async () => {
    const unknown = await control(sb.url, 'POST', '/_sandbox/faults', {
      endpoint: 'video_delete',
      http_status: 500,
    });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('endpoint');
    const missing = await control(sb.url, 'POST', '/_sandbox/faults', { http_status: 500 });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('endpoint');
  });

  it('arch §6 POST /_sandbox/faults with wrong types → 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ endpoint: 'creator_info', count: 'two' }, 'count'],
      [{ endpoint: 'creator_info', http_status: 'bad' }, 'http_status'],
      [{ endpoint: 'creator_info', delay_ms: -5 }, 'delay_ms'],
      [{ endpoint: 'creator_info', reset: 'yes' }, 'reset'],
    ];
    for (const [body, field] of cases) {
      const res = await control(sb.url, 'POST', '/_sandbox/faults', body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.text, JSON.stringify(body)).toContain(field);
    }
  });
});

// =============================================================================================

describe('control API: clock', () => {
  const sb = useSandbox();

  it('arch §6 POST /_sandbox/clock {advance_seconds} → 200 {now} moved forward by that much', async () => {
    const res = await control<{ now: unknown }>(sb.url, 'POST', '/_sandbox/clock', {
      advance_seconds: 86_400,
    });
    expect(res.status).toBe(200);
    expect(res.json).toHaveProperty('now');
    const now = nowMs(res.json.now);
    expect(Number.isFinite(now)).toBe(true);
    expect(Math.abs(now - (Date.now() + 86_400_000))).toBeLessThan(60_000);
    const res2 = await control<{ now: unknown }>(sb.url, 'POST', '/_sandbox/clock', { advance_seconds: 100 });
    expect(nowMs(res2.json.now) - now).toBeGreaterThanOrEqual(100_000);
    expect(nowMs(res2.json.now) - now).toBeLessThan(160_000);
  });

  it('arch §6 §7.4 advancing the clock expires access tokens (7200 s): valid at +7100 s, 401 at +7201 s', async () => {
    const { creator, token, tokens } = await creatorWithToken(sb.url, { private_account: true });
    expect(tokens.expires_in).toBe(7200);
    await advanceClock(sb.url, 7100);
    expectOk(await creatorInfo(sb.url, token));
    await advanceClock(sb.url, 101);
    expectEnvelopeError(await creatorInfo(sb.url, token), 401, 'access_token_invalid');
    const list = await tokensOf(sb.url, creator.open_id);
    expect(list.find((t) => t.token === tokens.access_token)?.state).toBe('expired');
    expect(list.find((t) => t.token === tokens.refresh_token)?.state).toBe('active');
  });

  it('arch §6 POST /_sandbox/clock with a missing or non-numeric advance_seconds → 400', async () => {
    const missing = await control(sb.url, 'POST', '/_sandbox/clock', {});
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('advance_seconds');
    const text = await control(sb.url, 'POST', '/_sandbox/clock', { advance_seconds: 'soon' });
    expect(text.status).toBe(400);
    expect(text.text).toContain('advance_seconds');
  });
});

// =============================================================================================

describe('control API: reset', () => {
  const sb = useSandbox();

  it('arch §6 POST /_sandbox/reset → 200 and empties creators, tokens, publishes and faults', async () => {
    const { creator, token } = await creatorWithToken(sb.url, {
      private_account: true,
      nickname: 'Gone Soon',
    });
    const init = await initFileUpload(sb.url, token, SMALL_PLAN);
    const publishId = init.json.data!.publish_id;
    await addFault(sb.url, {
      endpoint: 'creator_info',
      http_status: 500,
      error_code: 'internal_error',
      count: 5,
    });

    const reset = await control(sb.url, 'POST', '/_sandbox/reset');
    expect(reset.status).toBe(200);

    // tokens
    expectEnvelopeError(await creatorInfo(sb.url, token), 401, 'access_token_invalid');
    // creators
    expect(
      (await control(sb.url, 'GET', `/_sandbox/creators/${encodeURIComponent(creator.open_id)}/tokens`))
        .status,
    ).toBe(404);
    // publishes
    expect((await publishRecord(sb.url, publishId)).status).toBe(404);
    // faults: a new creator's creator_info is answered normally
    const fresh = await creatorWithToken(sb.url, { private_account: true });
    expectOk(await creatorInfo(sb.url, fresh.token));
    // dashboard no longer lists the creator
    const page = await http(`${sb.url}/_sandbox/`);
    expect(page.text).not.toContain('Gone Soon');
    expect(page.text).not.toContain(publishId);
  });

  it('arch §6 reset puts the sandbox clock back to real time', async () => {
    await advanceClock(sb.url, 86_400);
    await control(sb.url, 'POST', '/_sandbox/reset');
    const res = await control<{ now: unknown }>(sb.url, 'POST', '/_sandbox/clock', { advance_seconds: 1 });
    expect(Math.abs(nowMs(res.json.now) - Date.now())).toBeLessThan(60_000);
  });
});

// =============================================================================================

describe('control API: dashboard', () => {
  const sb = useSandbox();

  it("arch §6 GET /_sandbox/ returns text/html listing creators' nicknames and publish ids", async () => {
    const a = await creatorWithToken(sb.url, { private_account: true, nickname: 'Dana Dashboard' });
    await createCreator(sb.url, { private_account: true, nickname: 'Quiet Quinn' });
    const init = await initFileUpload(sb.url, a.token, SMALL_PLAN);
    const publishId = init.json.data!.publish_id;
    const res = await http(`${sb.url}/_sandbox/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type') ?? '').toMatch(/^text\/html/);
    expect(res.text).toMatch(/<html/i);
    expect(res.text).toContain('Dana Dashboard');
    expect(res.text).toContain('Quiet Quinn');
    expect(res.text).toContain(publishId);
  });

  it('arch §6 the dashboard escapes HTML in nicknames', async () => {
    await createCreator(sb.url, { private_account: true, nickname: '<b>Bo & "Al"</b>' });
    const res = await http(`${sb.url}/_sandbox/`);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('<b>Bo');
    expect(res.text).toContain('&lt;b&gt;Bo &amp;');
  });

  it('arch §6 the dashboard of an empty sandbox is still a page (no creators)', async () => {
    const res = await http(`${sb.url}/_sandbox/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type') ?? '').toMatch(/^text\/html/);
  });
});
