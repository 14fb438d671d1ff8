/**
 * Conformance: Direct Post video init, status fetch, cancel, caps and rate limits.
 * Sources: tiktok-api.md §2.0, §2.2, §2.4, §2.5, §6.1, §6.2, §8, §10, §12 (pitfalls 1, 7, 11);
 * docs/sandbox-decisions-for-helpers.md.
 */
import { describe, expect, it } from 'vitest';
import {
  addFault,
  advanceClock,
  createCreator,
  creatorWithToken,
  fetchStatus,
  http,
  initFileUpload,
  issueToken,
  mp4Bytes,
  tiktokPost,
  uploadAll,
  useSandbox,
  type HttpResult,
  type Envelope,
} from './helpers.ts';

const INIT = '/v2/post/publish/video/init/';
const STATUS = '/v2/post/publish/status/fetch/';
const CANCEL = '/v2/post/publish/cancel/';
const CREATOR_INFO = '/v2/post/publish/creator_info/query/';
const LOG_ID = /^\d{14}[0-9A-F]{20}$/;
const FILE_ID = /^v_pub_file~v2-1\.\d{19}$/;
const URL_ID = /^v_pub_url~v2\.\d{19}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Nothing listens on port 1: a pull from here fails at once (the init itself is what we test). */
const PREFIX = 'https://localhost:1/videos/';
const VIDEO_URL = `${PREFIX}clip.mp4`;
const SMALL_PLAN = { video_size: 4096, chunk_size: 4096, total_chunk_count: 1 };
const ALL_SCOPES = 'user.info.basic,video.publish';

interface InitData {
  publish_id: string;
  upload_url?: string;
}
interface StatusData {
  status: string;
  fail_reason?: string;
  publicaly_available_post_id: number[];
  uploaded_bytes?: number;
  downloaded_bytes?: number;
}

type Res<D> = HttpResult<Envelope<D>>;

async function init(base: string, token: string | undefined, body: unknown): Promise<Res<InitData>> {
  return tiktokPost<Envelope<InitData>>(base, INIT, token, body);
}

async function initRaw(
  base: string,
  token: string,
  text: string,
  contentType: string,
): Promise<Res<InitData>> {
  return http<Envelope<InitData>>(base + INIT, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body: text,
  });
}

function fileBody(
  postInfo: Record<string, unknown> = { privacy_level: 'SELF_ONLY', title: 'test' },
): unknown {
  return {
    post_info: { disable_comment: false, disable_duet: false, disable_stitch: false, ...postInfo },
    source_info: { source: 'FILE_UPLOAD', ...SMALL_PLAN },
  };
}

function pullBody(
  videoUrl: string = VIDEO_URL,
  postInfo: Record<string, unknown> = { privacy_level: 'SELF_ONLY', title: 'pulled' },
): unknown {
  return {
    post_info: { disable_comment: false, disable_duet: false, disable_stitch: false, ...postInfo },
    source_info: { source: 'PULL_FROM_URL', video_url: videoUrl },
  };
}

async function status(base: string, token: string | undefined, publishId: unknown): Promise<Res<StatusData>> {
  return tiktokPost<Envelope<StatusData>>(base, STATUS, token, { publish_id: publishId });
}

async function cancel(base: string, token: string | undefined, publishId: unknown): Promise<Res<unknown>> {
  return tiktokPost<Envelope<unknown>>(base, CANCEL, token, { publish_id: publishId });
}

function expectError(res: Res<unknown>, httpStatus: number, code: string): void {
  expect({ status: res.status, code: res.json?.error?.code }).toEqual({ status: httpStatus, code });
  expect(res.json).not.toHaveProperty('data');
  expect(typeof res.json.error.message).toBe('string');
  expect(res.json.error.log_id).toMatch(LOG_ID);
  expect(res.headers.get('x-tt-logid')).toBe(res.json.error.log_id);
}

function expectOk<D>(res: Res<D>): D {
  expect({
    status: res.status,
    code: res.json?.error?.code,
    text: res.status === 200 ? '' : res.text,
  }).toEqual({
    status: 200,
    code: 'ok',
    text: '',
  });
  expect(res.json.data).toBeDefined();
  return res.json.data!;
}

/** Inits a single-chunk FILE_UPLOAD and uploads it; returns the publish id. */
async function uploadedPublish(
  base: string,
  token: string,
  postInfo: Record<string, unknown> = { privacy_level: 'SELF_ONLY', title: 'test' },
): Promise<string> {
  const res = await initFileUpload(base, token, SMALL_PLAN, postInfo);
  expect(res.json.error.code, res.text).toBe('ok');
  const { publish_id, upload_url } = res.json.data!;
  const puts = await uploadAll(upload_url, mp4Bytes({ durationSec: 5, size: 4096 }), 4096);
  expect(puts.map((p) => p.status)).toEqual([201]);
  return publish_id;
}

/** Polls status/fetch until `done`; moves the sandbox clock 3 s between polls (keeps under 30/min). */
async function pollStatus(
  base: string,
  token: string,
  publishId: string,
  done: (res: Res<StatusData>) => boolean,
  tries = 40,
): Promise<Res<StatusData>> {
  let last: Res<StatusData> | undefined;
  for (let i = 0; i < tries; i++) {
    last = await status(base, token, publishId);
    if (done(last)) return last;
    await advanceClock(base, 3);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`publish ${publishId} never satisfied the condition; last: ${last?.status} ${last?.text}`);
}

const isFinal = (res: Res<StatusData>): boolean =>
  res.json?.data?.status === 'PUBLISH_COMPLETE' || res.json?.data?.status === 'FAILED';

/** n private creators each post once (they become the app's active users today). */
async function fillActiveUsers(base: string, n: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    const { token } = await creatorWithToken(base, { private_account: true });
    expectOk(await init(base, token, fileBody()));
    tokens.push(token);
  }
  return tokens;
}

// =============================================================================================

describe('video/init on an unaudited app', () => {
  const sb = useSandbox({ verifiedPrefix: [PREFIX] });

  it('§2.2 FILE_UPLOAD success: publish_id v_pub_file~v2-1.<19 digits> (≤ 64) and an upload_url ≤ 256 chars', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const res = await init(sb.url, token, fileBody());
    const data = expectOk(res);
    expect(res.json.error.log_id).toMatch(LOG_ID);
    expect(res.headers.get('x-tt-logid')).toBe(res.json.error.log_id);
    expect(Object.keys(data).sort()).toEqual(['publish_id', 'upload_url']);
    expect(data.publish_id).toMatch(FILE_ID);
    expect(data.publish_id.length).toBeLessThanOrEqual(64);
    const uploadUrl = data.upload_url!;
    expect(uploadUrl.length).toBeLessThanOrEqual(256);
    // Decision: <sandbox url>/upload/?upload_id=<19 digits>&upload_token=<uuid>
    expect(uploadUrl.startsWith(`${sb.url}/upload/?`)).toBe(true);
    const u = new URL(uploadUrl);
    expect(u.pathname).toBe('/upload/');
    expect(u.searchParams.get('upload_id')).toMatch(/^\d{19}$/);
    expect(u.searchParams.get('upload_token')).toMatch(UUID);
  });

  it('§2.2 PULL_FROM_URL success: publish_id v_pub_url~v2.<19 digits> and no upload_url', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const data = expectOk(await init(sb.url, token, pullBody()));
    expect(data.publish_id).toMatch(URL_ID);
    expect(data.publish_id.length).toBeLessThanOrEqual(64);
    expect(data).not.toHaveProperty('upload_url');
  });

  it('§2.2 every init gets a new publish_id (init is not idempotent, §12.9)', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const a = expectOk(await init(sb.url, token, fileBody()));
    const b = expectOk(await init(sb.url, token, fileBody()));
    expect(a.publish_id).not.toBe(b.publish_id);
    expect(new URL(a.upload_url!).searchParams.get('upload_id')).not.toBe(
      new URL(b.upload_url!).searchParams.get('upload_id'),
    );
  });

  it('§2.0 init accepts Content-Type application/json without charset', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const res = await initRaw(sb.url, token, JSON.stringify(fileBody()), 'application/json');
    expect(expectOk(res).publish_id).toMatch(FILE_ID);
  });

  it('§2.2 malformed JSON → 400 invalid_params (plural spelling), no data', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const res = await initRaw(sb.url, token, '{"post_info": {', 'application/json; charset=UTF-8');
    expectError(res, 400, 'invalid_params');
  });

  it('§2.2 missing source_info → 400 invalid_params', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const res = await init(sb.url, token, { post_info: { privacy_level: 'SELF_ONLY', title: 'x' } });
    expectError(res, 400, 'invalid_params');
  });

  it('§2.2 an unknown or missing source → 400 invalid_params', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const post_info = { privacy_level: 'SELF_ONLY', title: 'x' };
    for (const source of ['UPLOAD', 'file_upload', undefined]) {
      const res = await init(sb.url, token, { post_info, source_info: { source, ...SMALL_PLAN } });
      expect({ source, status: res.status, code: res.json.error.code }).toEqual({
        source,
        status: 400,
        code: 'invalid_params',
      });
    }
  });

  it('§2.2 PULL_FROM_URL without video_url → 400 invalid_params', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const res = await init(sb.url, token, {
      post_info: { privacy_level: 'SELF_ONLY' },
      source_info: { source: 'PULL_FROM_URL' },
    });
    expectError(res, 400, 'invalid_params');
  });

  it('§2.2 title counts UTF-16 code units: 1100 emoji (2200 units) pass, 1101 emoji (2202 units) → 400 invalid_params', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const ok = '😀'.repeat(1100);
    const tooLong = '😀'.repeat(1101);
    expect(ok.length).toBe(2200);
    expect([...tooLong].length).toBe(1101); // far below 2200 code points: only a UTF-16 count rejects it
    expectOk(await init(sb.url, token, fileBody({ privacy_level: 'SELF_ONLY', title: ok })));
    expectError(
      await init(sb.url, token, fileBody({ privacy_level: 'SELF_ONLY', title: tooLong })),
      400,
      'invalid_params',
    );
  });

  it('§2.2 title of 2200 ASCII units passes, 2201 → 400 invalid_params', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    expectOk(await init(sb.url, token, fileBody({ privacy_level: 'SELF_ONLY', title: 'a'.repeat(2200) })));
    expectError(
      await init(sb.url, token, fileBody({ privacy_level: 'SELF_ONLY', title: 'a'.repeat(2201) })),
      400,
      'invalid_params',
    );
  });

  it('§2.2 missing privacy_level → 403 privacy_level_option_mismatch', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    expectError(
      await init(sb.url, token, fileBody({ title: 'no privacy' })),
      403,
      'privacy_level_option_mismatch',
    );
  });

  it('§2.2 §6.2 a privacy_level not offered (unaudited app offers only SELF_ONLY) → 403 privacy_level_option_mismatch', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    for (const privacy_level of ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'FOLLOWER_OF_CREATOR']) {
      const res = await init(sb.url, token, fileBody({ privacy_level }));
      expect({ privacy_level, status: res.status, code: res.json.error.code }).toEqual({
        privacy_level,
        status: 403,
        code: 'privacy_level_option_mismatch',
      });
    }
  });

  it('§6.2 §12.1 unaudited app + public account → 403 unaudited_client_can_only_post_to_private_accounts even with SELF_ONLY', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: false });
    expectError(
      await init(sb.url, token, fileBody({ privacy_level: 'SELF_ONLY' })),
      403,
      'unaudited_client_can_only_post_to_private_accounts',
    );
    expectError(
      await init(sb.url, token, pullBody(VIDEO_URL, { privacy_level: 'SELF_ONLY' })),
      403,
      'unaudited_client_can_only_post_to_private_accounts',
    );
  });

  it('§2.2 no token / garbage token → 401 access_token_invalid', async () => {
    expectError(await init(sb.url, undefined, fileBody()), 401, 'access_token_invalid');
    expectError(await init(sb.url, 'act.garbage', fileBody()), 401, 'access_token_invalid');
  });

  it('§2.2 a token with video.upload but not video.publish → 401 scope_not_authorized', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    const t = await issueToken(sb.url, creator.open_id, 'user.info.basic,video.upload');
    expectError(await init(sb.url, t.access_token, fileBody()), 401, 'scope_not_authorized');
  });

  it('§2.2 (decision) auth comes before JSON validation: garbage token + malformed JSON → 401', async () => {
    const res = await initRaw(sb.url, 'act.garbage', '{not json', 'application/json');
    expectError(res, 401, 'access_token_invalid');
  });

  it('§2.2 (decision) the rate limit comes before validation: the 7th call with bad JSON → 429', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    for (let i = 0; i < 6; i++) expectOk(await init(sb.url, token, fileBody()));
    expectError(await initRaw(sb.url, token, '{not json', 'application/json'), 429, 'rate_limit_exceeded');
  });

  // ---- 403 order (decision): invalid_params → banned → daily cap → active-user cap → unaudited/public
  //      → privacy mismatch → url_ownership_unverified

  it('§2.2 (decision order) invalid_params comes before banned', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true, banned: true });
    expectError(
      await init(sb.url, token, { post_info: { privacy_level: 'SELF_ONLY' } }),
      400,
      'invalid_params',
    );
  });

  it('§2.2 (decision order) banned comes before the daily cap', async () => {
    const { token } = await creatorWithToken(sb.url, {
      private_account: true,
      banned: true,
      posts_today: 15,
    });
    expectError(await init(sb.url, token, fileBody()), 403, 'spam_risk_user_banned_from_posting');
  });

  it('§2.2 (decision order) a banned creator is rejected even with a public account and a wrong privacy', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: false, banned: true });
    expectError(
      await init(sb.url, token, fileBody({ privacy_level: 'PUBLIC_TO_EVERYONE' })),
      403,
      'spam_risk_user_banned_from_posting',
    );
  });

  it('§2.2 (decision order) the daily cap comes before the active-user cap', async () => {
    await fillActiveUsers(sb.url, 5);
    const { token } = await creatorWithToken(sb.url, { private_account: true, posts_today: 15 });
    expectError(await init(sb.url, token, fileBody()), 403, 'spam_risk_too_many_posts');
  });

  it('§2.2 (decision order) the active-user cap comes before unaudited/public-account', async () => {
    await fillActiveUsers(sb.url, 5);
    const { token } = await creatorWithToken(sb.url, { private_account: false });
    expectError(await init(sb.url, token, fileBody()), 403, 'reached_active_user_cap');
  });

  it('§2.2 (decision order) unaudited/public-account comes before privacy_level_option_mismatch', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: false });
    expectError(
      await init(sb.url, token, fileBody({ privacy_level: 'PUBLIC_TO_EVERYONE' })),
      403,
      'unaudited_client_can_only_post_to_private_accounts',
    );
    expectError(
      await init(sb.url, token, fileBody({ title: 'no privacy' })),
      403,
      'unaudited_client_can_only_post_to_private_accounts',
    );
  });

  it('§2.2 (decision order) privacy_level_option_mismatch comes before url_ownership_unverified', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    expectError(
      await init(
        sb.url,
        token,
        pullBody('https://elsewhere.example/v.mp4', { privacy_level: 'PUBLIC_TO_EVERYONE' }),
      ),
      403,
      'privacy_level_option_mismatch',
    );
  });

  // ---- url ownership

  it('§2.2 §5 PULL_FROM_URL outside the verified prefix → 403 url_ownership_unverified', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    for (const url of [
      'https://cdn.example.com/videos/clip.mp4',
      'https://localhost:1/other/clip.mp4',
      'https://localhost:1/videos-private/clip.mp4',
    ]) {
      const res = await init(sb.url, token, pullBody(url));
      expect({ url, status: res.status, code: res.json.error.code }).toEqual({
        url,
        status: 403,
        code: 'url_ownership_unverified',
      });
      expect(res.json).not.toHaveProperty('data');
    }
  });

  it('§2.2 §5 an http:// video_url is unverified without allowHttpPull (same host and path as the https prefix)', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    expectError(
      await init(sb.url, token, pullBody('http://localhost:1/videos/clip.mp4')),
      403,
      'url_ownership_unverified',
    );
  });

  // ---- daily cap

  it('§10 daily cap of 15 includes posts_today: with 12 earlier posts, 3 inits pass and the 16th → 403 spam_risk_too_many_posts', async () => {
    const { creator, token } = await creatorWithToken(sb.url, { private_account: true, posts_today: 12 });
    for (let i = 0; i < 3; i++) expectOk(await init(sb.url, token, fileBody()));
    expectError(await init(sb.url, token, fileBody()), 403, 'spam_risk_too_many_posts');
    // Freed 24 h later (tokens expire after 2 h, so a fresh one is needed).
    await advanceClock(sb.url, 24 * 3600);
    const fresh = await issueToken(sb.url, creator.open_id, ALL_SCOPES);
    expectOk(await init(sb.url, fresh.access_token, fileBody()));
  });

  it('§10 daily cap: 15 inits (three tokens, 6/min each) pass, the 16th → 403 spam_risk_too_many_posts', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    const tokens = await Promise.all([0, 1, 2].map(() => issueToken(sb.url, creator.open_id, ALL_SCOPES)));
    let n = 0;
    for (const t of tokens) {
      for (let i = 0; i < 5; i++) {
        n++;
        const res = await init(sb.url, t.access_token, fileBody());
        expect({ n, code: res.json.error.code }).toEqual({ n, code: 'ok' });
      }
    }
    expectError(await init(sb.url, tokens[2]!.access_token, fileBody()), 403, 'spam_risk_too_many_posts');
  });

  it('§10 failed inits do not count toward the daily cap', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true, posts_today: 14 });
    expectError(await init(sb.url, token, { post_info: {} }), 400, 'invalid_params');
    expectError(
      await init(sb.url, token, fileBody({ privacy_level: 'PUBLIC_TO_EVERYONE' })),
      403,
      'privacy_level_option_mismatch',
    );
    expectOk(await init(sb.url, token, fileBody()));
    expectError(await init(sb.url, token, fileBody()), 403, 'spam_risk_too_many_posts');
  });

  it('§10 the daily cap is per creator: another creator of the same app is not affected', async () => {
    const a = await creatorWithToken(sb.url, { private_account: true, posts_today: 15 });
    const b = await creatorWithToken(sb.url, { private_account: true, posts_today: 14 });
    expectError(await init(sb.url, a.token, fileBody()), 403, 'spam_risk_too_many_posts');
    expectOk(await init(sb.url, b.token, fileBody()));
  });

  // ---- active-user cap

  it('§6.2 §10 unaudited app: 5 distinct creators may post; the 6th → 403 reached_active_user_cap; posters keep posting; freed after 24 h', async () => {
    const posters = await fillActiveUsers(sb.url, 5);
    const sixth = await creatorWithToken(sb.url, { private_account: true });
    expectError(await init(sb.url, sixth.token, fileBody()), 403, 'reached_active_user_cap');
    expectOk(await init(sb.url, posters[0], fileBody()));
    await advanceClock(sb.url, 24 * 3600 + 60);
    const fresh = await issueToken(sb.url, sixth.creator.open_id, ALL_SCOPES);
    expectOk(await init(sb.url, fresh.access_token, fileBody()));
  });

  // ---- rate limit

  it('§2.2 §10 init rate limit 6/min per token: the 7th → 429 rate_limit_exceeded; 61 s later it passes', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    for (let i = 0; i < 6; i++) expectOk(await init(sb.url, token, fileBody()));
    expectError(await init(sb.url, token, fileBody()), 429, 'rate_limit_exceeded');
    await advanceClock(sb.url, 61);
    expectOk(await init(sb.url, token, fileBody()));
  });

  it('§10 the init rate limit is per access token: a second token of the same creator still passes', async () => {
    const { creator, token } = await creatorWithToken(sb.url, { private_account: true });
    for (let i = 0; i < 6; i++) expectOk(await init(sb.url, token, fileBody()));
    expect((await init(sb.url, token, fileBody())).status).toBe(429);
    const other = await issueToken(sb.url, creator.open_id, ALL_SCOPES);
    expectOk(await init(sb.url, other.access_token, fileBody()));
  });
});

describe('video/init with dailyPostCap: 2', () => {
  const sb = useSandbox({ dailyPostCap: 2 });

  it('§10 dailyPostCap option: the 3rd init → 403 spam_risk_too_many_posts and creator_info reports it with HTTP 200', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    expectOk(await init(sb.url, token, fileBody()));
    expectOk(await init(sb.url, token, fileBody()));
    expectError(await init(sb.url, token, fileBody()), 403, 'spam_risk_too_many_posts');
    const info = await tiktokPost<Envelope>(sb.url, CREATOR_INFO, token);
    expectError(info, 200, 'spam_risk_too_many_posts');
  });

  it('§10 dailyPostCap option counts posts_today: posts_today 2 → first init 403', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true, posts_today: 2 });
    expectError(await init(sb.url, token, fileBody()), 403, 'spam_risk_too_many_posts');
  });
});

describe('video/init on an audited app', () => {
  const sb = useSandbox({ audited: true, verifiedPrefix: [PREFIX] });

  it('§2.2 §6.2 audited + public account: PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS and SELF_ONLY pass', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: false });
    for (const privacy_level of ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY']) {
      const res = await init(sb.url, token, fileBody({ privacy_level }));
      expect({ privacy_level, status: res.status, code: res.json.error.code }).toEqual({
        privacy_level,
        status: 200,
        code: 'ok',
      });
    }
  });

  it('§2.2 audited + public account: FOLLOWER_OF_CREATOR (not offered) → 403 privacy_level_option_mismatch', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: false });
    expectError(
      await init(sb.url, token, fileBody({ privacy_level: 'FOLLOWER_OF_CREATOR' })),
      403,
      'privacy_level_option_mismatch',
    );
  });

  it('§2.2 audited + private account: PUBLIC_TO_EVERYONE → 403 privacy_level_option_mismatch, FOLLOWER_OF_CREATOR passes', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    expectError(
      await init(sb.url, token, fileBody({ privacy_level: 'PUBLIC_TO_EVERYONE' })),
      403,
      'privacy_level_option_mismatch',
    );
    expectOk(await init(sb.url, token, fileBody({ privacy_level: 'FOLLOWER_OF_CREATOR' })));
  });

  it('§2.2 audited app: missing privacy_level → 403 privacy_level_option_mismatch', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: false });
    expectError(await init(sb.url, token, fileBody({ title: 'x' })), 403, 'privacy_level_option_mismatch');
  });

  it('§2.2 audited app: daily cap still applies (posts_today 15 → 403 spam_risk_too_many_posts)', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: false, posts_today: 15 });
    expectError(
      await init(sb.url, token, fileBody({ privacy_level: 'PUBLIC_TO_EVERYONE' })),
      403,
      'spam_risk_too_many_posts',
    );
  });
});

describe('video/init with activeUserCap: 2 on an audited app', () => {
  const sb = useSandbox({ audited: true, activeUserCap: 2 });

  it('§10 activeUserCap option: the 3rd distinct creator → 403 reached_active_user_cap', async () => {
    for (let i = 0; i < 2; i++) {
      const { token } = await creatorWithToken(sb.url, { private_account: false });
      expectOk(await init(sb.url, token, fileBody({ privacy_level: 'PUBLIC_TO_EVERYONE' })));
    }
    const { token } = await creatorWithToken(sb.url, { private_account: false });
    expectError(
      await init(sb.url, token, fileBody({ privacy_level: 'PUBLIC_TO_EVERYONE' })),
      403,
      'reached_active_user_cap',
    );
  });
});

// =============================================================================================

describe('status/fetch', () => {
  const sb = useSandbox({ verifiedPrefix: [PREFIX] });

  it('§2.4 an unknown publish_id → 400 invalid_publish_id', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    expectError(
      await status(sb.url, token, 'v_pub_file~v2-1.7000000000000000001'),
      400,
      'invalid_publish_id',
    );
  });

  it("§2.4 another creator's publish → 400 token_not_authorized_for_specified_publish_id", async () => {
    const a = await creatorWithToken(sb.url, { private_account: true });
    const b = await creatorWithToken(sb.url, { private_account: true });
    const { publish_id } = expectOk(await init(sb.url, a.token, fileBody()));
    expectError(
      await status(sb.url, b.token, publish_id),
      400,
      'token_not_authorized_for_specified_publish_id',
    );
  });

  it('§2.4 another token of the same creator may read the publish', async () => {
    const { creator, token } = await creatorWithToken(sb.url, { private_account: true });
    const { publish_id } = expectOk(await init(sb.url, token, fileBody()));
    const other = await issueToken(sb.url, creator.open_id, ALL_SCOPES);
    expect(expectOk(await status(sb.url, other.access_token, publish_id)).status).toBe('PROCESSING_UPLOAD');
  });

  it('§2.4 §6.1 right after a FILE_UPLOAD init: PROCESSING_UPLOAD, uploaded_bytes 0, publicaly_available_post_id []', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const { publish_id } = expectOk(await init(sb.url, token, fileBody()));
    const data = expectOk(await status(sb.url, token, publish_id));
    expect(data.status).toBe('PROCESSING_UPLOAD');
    expect(data.uploaded_bytes).toBe(0);
    expect(data.publicaly_available_post_id).toEqual([]);
    expect(data).not.toHaveProperty('fail_reason');
    expect(data).not.toHaveProperty('downloaded_bytes');
  });

  it('§2.4 §6.1 a finished SELF_ONLY upload: PUBLISH_COMPLETE, uploaded_bytes 4096, post ids [] and stays []', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const publishId = await uploadedPublish(sb.url, token);
    const done = await pollStatus(sb.url, token, publishId, isFinal);
    const data = expectOk(done);
    expect(data.status).toBe('PUBLISH_COMPLETE');
    expect(data.uploaded_bytes).toBe(4096);
    expect(data.publicaly_available_post_id).toEqual([]);
    expect(data).not.toHaveProperty('fail_reason');
    await advanceClock(sb.url, 600);
    const later = expectOk(await status(sb.url, token, publishId));
    expect(later.status).toBe('PUBLISH_COMPLETE');
    expect(later.publicaly_available_post_id).toEqual([]);
  });

  it('§2.4 §12.11 a FAILED publish (processing fault "internal") answers HTTP 200 with error.code "ok"', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    await addFault(sb.url, { endpoint: 'processing', error_code: 'internal' });
    const publishId = await uploadedPublish(sb.url, token);
    const res = await pollStatus(sb.url, token, publishId, isFinal);
    expect(res.status).toBe(200);
    expect(res.json.error.code).toBe('ok');
    expect(res.json.error.log_id).toMatch(LOG_ID);
    expect(res.json.data).toMatchObject({
      status: 'FAILED',
      fail_reason: 'internal',
      publicaly_available_post_id: [],
    });
  });

  it('§6.3 a processing fault forces only the next publish (count 1): the one after completes', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    await addFault(sb.url, { endpoint: 'processing', error_code: 'duration_check_failed' });
    const first = await uploadedPublish(sb.url, token);
    const r1 = await pollStatus(sb.url, token, first, isFinal);
    expect(r1.json.data).toMatchObject({ status: 'FAILED', fail_reason: 'duration_check_failed' });
    const second = await uploadedPublish(sb.url, token);
    const r2 = await pollStatus(sb.url, token, second, isFinal);
    expect(r2.json.data?.status).toBe('PUBLISH_COMPLETE');
  });

  it('§2.4 a PULL_FROM_URL publish reports downloaded_bytes (not uploaded_bytes)', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const { publish_id } = expectOk(await init(sb.url, token, pullBody()));
    const data = expectOk(await status(sb.url, token, publish_id));
    expect(['PROCESSING_DOWNLOAD', 'FAILED']).toContain(data.status);
    expect(typeof data.downloaded_bytes).toBe('number');
    expect(data).not.toHaveProperty('uploaded_bytes');
    expect(data.publicaly_available_post_id).toEqual([]);
  });

  it('§2.4 scope video.upload alone is enough for status/fetch', async () => {
    const { creator, token } = await creatorWithToken(sb.url, { private_account: true });
    const { publish_id } = expectOk(await init(sb.url, token, fileBody()));
    const uploadOnly = await issueToken(sb.url, creator.open_id, 'video.upload');
    expect(expectOk(await status(sb.url, uploadOnly.access_token, publish_id)).status).toBe(
      'PROCESSING_UPLOAD',
    );
  });

  it('§2.4 a token with neither video.upload nor video.publish → 401 scope_not_authorized', async () => {
    const { creator, token } = await creatorWithToken(sb.url, { private_account: true });
    const { publish_id } = expectOk(await init(sb.url, token, fileBody()));
    const basic = await issueToken(sb.url, creator.open_id, 'user.info.basic');
    expectError(await status(sb.url, basic.access_token, publish_id), 401, 'scope_not_authorized');
  });

  it('§2.4 no token → 401 access_token_invalid', async () => {
    expectError(
      await status(sb.url, undefined, 'v_pub_file~v2-1.7000000000000000001'),
      401,
      'access_token_invalid',
    );
  });

  it('§2.4 §10 status rate limit 30/min per token: the 31st → 429 rate_limit_exceeded; 61 s later it passes', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const { publish_id } = expectOk(await init(sb.url, token, fileBody()));
    for (let i = 0; i < 30; i++) {
      const res = await fetchStatus(sb.url, token, publish_id);
      expect({ i, status: res.status }).toEqual({ i, status: 200 });
    }
    expectError(await status(sb.url, token, publish_id), 429, 'rate_limit_exceeded');
    await advanceClock(sb.url, 61);
    expectOk(await status(sb.url, token, publish_id));
  });
});

describe('status/fetch on an audited app (post ids)', () => {
  const sb = useSandbox({ audited: true });

  it('§2.4 §12.7 PUBLIC_TO_EVERYONE + public creator: publicaly_available_post_id holds a 19-digit RAW JSON number', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: false });
    const publishId = await uploadedPublish(sb.url, token, {
      privacy_level: 'PUBLIC_TO_EVERYONE',
      title: 'public',
    });
    const res = await pollStatus(
      sb.url,
      token,
      publishId,
      (r) =>
        r.json?.data?.status === 'FAILED' || (r.json?.data?.publicaly_available_post_id?.length ?? 0) > 0,
    );
    expect(res.json.data?.status).toBe('PUBLISH_COMPLETE');
    const m = /"publicaly_available_post_id"\s*:\s*\[\s*(\d{19})\s*\]/.exec(res.text);
    expect(m, res.text).not.toBeNull();
    const digits = m![1]!;
    expect(BigInt(digits) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    // What JSON.parse makes of it: a number that cannot hold the id exactly.
    const parsed = res.json.data!.publicaly_available_post_id[0]!;
    expect(typeof parsed).toBe('number');
    expect(Number.isSafeInteger(parsed)).toBe(false);
    expect(String(parsed)).not.toBe(digits);
  });

  it('§6.1 audited app, MUTUAL_FOLLOW_FRIENDS: PUBLISH_COMPLETE with publicaly_available_post_id [] (not public)', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: false });
    const publishId = await uploadedPublish(sb.url, token, { privacy_level: 'MUTUAL_FOLLOW_FRIENDS' });
    const res = await pollStatus(sb.url, token, publishId, isFinal);
    expect(res.json.data?.status).toBe('PUBLISH_COMPLETE');
    await advanceClock(sb.url, 600);
    const later = expectOk(await status(sb.url, token, publishId));
    expect(later.publicaly_available_post_id).toEqual([]);
    expect(later.status).toBe('PUBLISH_COMPLETE');
  });

  it('§6.1 audited app, SELF_ONLY on a public account: post ids stay []', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: false });
    const publishId = await uploadedPublish(sb.url, token, { privacy_level: 'SELF_ONLY' });
    await pollStatus(sb.url, token, publishId, isFinal);
    await advanceClock(sb.url, 600);
    const later = expectOk(await status(sb.url, token, publishId));
    expect(later.status).toBe('PUBLISH_COMPLETE');
    expect(later.publicaly_available_post_id).toEqual([]);
  });
});

// =============================================================================================

describe('cancel', () => {
  const sb = useSandbox({ verifiedPrefix: [PREFIX] });

  it('§2.5 a FILE_UPLOAD publish (not a URL pull) → 400 publish_not_cancellable', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const { publish_id } = expectOk(await init(sb.url, token, fileBody()));
    expectError(await cancel(sb.url, token, publish_id), 400, 'publish_not_cancellable');
    // And nothing changed: still waiting for its bytes.
    expect(expectOk(await status(sb.url, token, publish_id)).status).toBe('PROCESSING_UPLOAD');
  });

  it('§2.5 a finished publish → 400 publish_not_cancellable and it stays PUBLISH_COMPLETE', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const publishId = await uploadedPublish(sb.url, token);
    await pollStatus(sb.url, token, publishId, isFinal);
    expectError(await cancel(sb.url, token, publishId), 400, 'publish_not_cancellable');
    expect(expectOk(await status(sb.url, token, publishId)).status).toBe('PUBLISH_COMPLETE');
  });

  it('§2.5 a URL pull that already failed → 400 publish_not_cancellable', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    const { publish_id } = expectOk(await init(sb.url, token, pullBody()));
    const final = await pollStatus(sb.url, token, publish_id, isFinal);
    expect(final.json.data).toMatchObject({ status: 'FAILED', fail_reason: 'video_pull_failed' });
    expectError(await cancel(sb.url, token, publish_id), 400, 'publish_not_cancellable');
  });

  it('§2.5 an unknown publish_id → 400 invalid_publish_id', async () => {
    const { token } = await creatorWithToken(sb.url, { private_account: true });
    expectError(await cancel(sb.url, token, 'v_pub_url~v2.7000000000000000001'), 400, 'invalid_publish_id');
  });

  it("§2.5 another creator's publish → 400 token_not_authorized_for_specified_publish_id", async () => {
    const a = await creatorWithToken(sb.url, { private_account: true });
    const b = await creatorWithToken(sb.url, { private_account: true });
    const { publish_id } = expectOk(await init(sb.url, a.token, fileBody()));
    expectError(
      await cancel(sb.url, b.token, publish_id),
      400,
      'token_not_authorized_for_specified_publish_id',
    );
  });

  it('§2.5 no token → 401 access_token_invalid', async () => {
    expectError(
      await cancel(sb.url, undefined, 'v_pub_url~v2.7000000000000000001'),
      401,
      'access_token_invalid',
    );
  });
});
