/**
 * Small factories for the conformance suite. Tests talk to the sandbox over HTTP only, through
 * TikTok's own paths and the documented control API, exactly as an outside client would.
 */
import { mp4Bytes as kitMp4Bytes, type Mp4Options } from '@cliprelay/test-kit/videos';
import { afterAll, beforeAll, beforeEach } from 'vitest';
export { sha256, webmBytes } from '@cliprelay/test-kit/videos';
import { startSandbox, type RunningSandbox } from '../src/index.ts';
import type { SandboxOptionsInput } from '../src/options.ts';

export const CLIENT_KEY = 'sbawtestclient01';
export const CLIENT_SECRET = 'test-client-secret';
export const REDIRECT_URI = 'http://localhost:3000/tiktok/oauth/callback';

/** TikTok's content-API envelope (§2.0). */
export interface ApiError {
  code: string;
  message: string;
  log_id: string;
}
export interface Envelope<D = Record<string, unknown>> {
  data?: D;
  error: ApiError;
}

export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body, or undefined when the body is not JSON. */
  json: T;
}

export async function http<T = any>(url: string, init: RequestInit = {}): Promise<HttpResult<T>> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json: json as T };
}

/**
 * Starts one sandbox for the file and resets it before each test.
 * Options default to a test app with fast processing.
 */
export function useSandbox(overrides: SandboxOptionsInput = {}): {
  readonly url: string;
  readonly sandbox: RunningSandbox;
} {
  let sandbox: RunningSandbox | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox({
      port: 0,
      clientKey: CLIENT_KEY,
      clientSecret: CLIENT_SECRET,
      redirectUri: [REDIRECT_URI],
      processingDelayMs: 0,
      moderationDelayMs: 0,
      ...overrides,
    });
  });
  beforeEach(async () => {
    await control(sandbox!.url, 'POST', '/_sandbox/reset');
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  return {
    get url() {
      return sandbox!.url;
    },
    get sandbox() {
      return sandbox!;
    },
  };
}

export async function control<T = any>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<HttpResult<T>> {
  return http<T>(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export interface TestCreator {
  open_id: string;
  [key: string]: unknown;
}

export async function createCreator(base: string, body: Record<string, unknown> = {}): Promise<TestCreator> {
  const res = await control<TestCreator>(base, 'POST', '/_sandbox/creators', body);
  if (res.status !== 201) throw new Error(`creator not created: ${res.status} ${res.text}`);
  return res.json;
}

export interface TokenResponse {
  access_token: string;
  expires_in: number;
  open_id: string;
  refresh_token: string;
  refresh_expires_in: number;
  scope: string;
  token_type: string;
}

export async function issueToken(base: string, openId: string, scope?: string): Promise<TokenResponse> {
  const res = await control<TokenResponse>(
    base,
    'POST',
    `/_sandbox/creators/${encodeURIComponent(openId)}/tokens`,
    scope === undefined ? {} : { scope },
  );
  if (res.status !== 201) throw new Error(`token not issued: ${res.status} ${res.text}`);
  return res.json;
}

/** A creator with a token that has every posting scope. */
export async function creatorWithToken(
  base: string,
  body: Record<string, unknown> = {},
  scope = 'user.info.basic,video.publish',
): Promise<{ creator: TestCreator; token: string; tokens: TokenResponse }> {
  const creator = await createCreator(base, body);
  const tokens = await issueToken(base, creator.open_id, scope);
  return { creator, token: tokens.access_token, tokens };
}

/** POST a JSON body to a TikTok content endpoint with a bearer token. */
export async function tiktokPost<T = any>(
  base: string,
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=UTF-8' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return http<T>(base + path, {
    method: 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export async function oauthToken<T = any>(
  base: string,
  form: Record<string, string>,
): Promise<HttpResult<T>> {
  return http<T>(`${base}/v2/oauth/token/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'cache-control': 'no-cache' },
    body: new URLSearchParams(form).toString(),
  });
}

export async function advanceClock(base: string, seconds: number): Promise<void> {
  const res = await control(base, 'POST', '/_sandbox/clock', { advance_seconds: seconds });
  if (res.status !== 200) throw new Error(`clock not advanced: ${res.status} ${res.text}`);
}

export async function addFault(base: string, fault: Record<string, unknown>): Promise<void> {
  const res = await control(base, 'POST', '/_sandbox/faults', fault);
  if (res.status !== 201) throw new Error(`fault not queued: ${res.status} ${res.text}`);
}

// ---------------------------------------------------------------------------------------------
// Video bytes

/** Test videos from the kit; the sandbox's tests want the same bytes each run (a pattern). */
export function mp4Bytes(options: Omit<Mp4Options, 'payload'> & { durationSec: number }): Buffer {
  return kitMp4Bytes({ ...options, payload: 'pattern' });
}

export async function putChunk(
  uploadUrl: string,
  bytes: Buffer,
  start: number,
  total: number,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  return http(uploadUrl, {
    method: 'PUT',
    headers: {
      'content-type': 'video/mp4',
      'content-range': `bytes ${start}-${start + bytes.length - 1}/${total}`,
      ...headers,
    },
    body: bytes,
  });
}

/** Inits a FILE_UPLOAD direct post with the given plan; returns the raw response. */
export async function initFileUpload(
  base: string,
  token: string,
  plan: { video_size: number; chunk_size: number; total_chunk_count: number },
  postInfo: Record<string, unknown> = { privacy_level: 'SELF_ONLY', title: 'test' },
): Promise<HttpResult<{ data?: { publish_id: string; upload_url: string }; error: { code: string } }>> {
  return tiktokPost(base, '/v2/post/publish/video/init/', token, {
    post_info: { disable_comment: false, disable_duet: false, disable_stitch: false, ...postInfo },
    source_info: { source: 'FILE_UPLOAD', ...plan },
  });
}

/** Uploads `bytes` in order using the doc's chunk rule (floor count, last chunk takes the rest). */
export async function uploadAll(uploadUrl: string, bytes: Buffer, chunkSize: number): Promise<HttpResult[]> {
  const count = Math.max(1, Math.floor(bytes.length / chunkSize));
  const results: HttpResult[] = [];
  for (let i = 0; i < count; i++) {
    const start = i * chunkSize;
    const end = i === count - 1 ? bytes.length : start + chunkSize;
    results.push(await putChunk(uploadUrl, bytes.subarray(start, end), start, bytes.length));
  }
  return results;
}

export async function fetchStatus(base: string, token: string, publishId: string): Promise<HttpResult> {
  return tiktokPost(base, '/v2/post/publish/status/fetch/', token, { publish_id: publishId });
}

/** Polls status/fetch until a final status (the sandbox clock is advanced in between). */
export async function waitForFinalStatus(
  base: string,
  token: string,
  publishId: string,
  tries = 50,
): Promise<HttpResult> {
  for (let i = 0; i < tries; i++) {
    const res = await fetchStatus(base, token, publishId);
    const status = (res.json as { data?: { status?: string } } | undefined)?.data?.status;
    if (status === 'PUBLISH_COMPLETE' || status === 'FAILED') return res;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`publish ${publishId} did not reach a final status`);
}
