/**
 * Conformance: the FILE_UPLOAD PUT protocol (upload host) and the assembly of the chunks.
 * Sources: tiktok-api.md §2.3, §2.4, §4.1, §4.3, §4.4, §4.5, §6.1, §12.4; architecture.md §6
 * (faults, clock, publishes record); docs/sandbox-decisions-for-helpers.md ("FILE_UPLOAD").
 */
import { request } from 'node:http';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  addFault,
  advanceClock,
  control,
  createCreator,
  http,
  issueToken,
  mp4Bytes,
  putChunk,
  sha256,
  tiktokPost,
  useSandbox,
  webmBytes,
  type Envelope,
  type HttpResult,
} from './helpers.ts';

const INIT = '/v2/post/publish/video/init/';
const STATUS = '/v2/post/publish/status/fetch/';
const SCOPES = 'user.info.basic,video.publish';
const MiB = 1024 * 1024;

interface InitData {
  publish_id: string;
  upload_url: string;
}
interface StatusData {
  status: string;
  fail_reason?: string;
  publicaly_available_post_id: unknown[];
  uploaded_bytes?: number;
  downloaded_bytes?: number;
}
interface PublishRecord {
  publish_id: string;
  status: string;
  fail_reason?: string | null;
  received_bytes: number;
  sha256: string | null;
}

interface Session {
  publishId: string;
  uploadUrl: string;
  file: Buffer;
  chunkSize: number;
  /** status/fetch with a token that is rotated before the 30/min limit can bite (§2.4). */
  status(): Promise<HttpResult<Envelope<StatusData>>>;
  /** Polls status/fetch until `done` (real time; the sandbox clock is not moved). */
  statusUntil(done: (d: StatusData) => boolean, timeoutMs?: number): Promise<StatusData>;
  record(): Promise<PublishRecord>;
  /** PUTs chunk `index` of the plan (floor count; the last chunk takes the rest). */
  put(index: number, headers?: Record<string, string>): Promise<HttpResult>;
  chunk(index: number): { start: number; bytes: Buffer };
  count: number;
}

/** A private creator on the unaudited app inits a FILE_UPLOAD of `file` in chunks of `chunkSize`. */
async function startUpload(base: string, file: Buffer, chunkSize: number): Promise<Session> {
  const creator = await createCreator(base, { private_account: true, max_video_post_duration_sec: 300 });
  let token = (await issueToken(base, creator.open_id, SCOPES)).access_token;
  const count = Math.max(1, Math.floor(file.length / chunkSize));
  const init = await tiktokPost<Envelope<InitData>>(base, INIT, token, {
    post_info: {
      privacy_level: 'SELF_ONLY',
      title: 'upload conformance',
      disable_comment: false,
      disable_duet: false,
      disable_stitch: false,
      brand_content_toggle: false,
      brand_organic_toggle: false,
    },
    source_info: {
      source: 'FILE_UPLOAD',
      video_size: file.length,
      chunk_size: count === 1 ? file.length : chunkSize,
      total_chunk_count: count,
    },
  });
  expect({ status: init.status, code: init.json?.error?.code, text: init.text }).toMatchObject({
    status: 200,
    code: 'ok',
  });
  const { publish_id: publishId, upload_url: uploadUrl } = init.json.data!;
  let calls = 0;
  const status = async (): Promise<HttpResult<Envelope<StatusData>>> => {
    if (++calls % 20 === 0) token = (await issueToken(base, creator.open_id, SCOPES)).access_token;
    return tiktokPost<Envelope<StatusData>>(base, STATUS, token, { publish_id: publishId });
  };
  const chunk = (index: number): { start: number; bytes: Buffer } => {
    const start = index * chunkSize;
    const end = index === count - 1 ? file.length : start + chunkSize;
    return { start, bytes: file.subarray(start, end) };
  };
  return {
    publishId,
    uploadUrl,
    file,
    chunkSize,
    count,
    status,
    async statusUntil(done, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      let last: HttpResult<Envelope<StatusData>> | undefined;
      while (Date.now() < deadline) {
        last = await status();
        expect(last.status, last.text).toBe(200);
        if (last.json.data && done(last.json.data)) return last.json.data;
        await sleep(100);
      }
      throw new Error(`status never satisfied the condition; last: ${last?.text}`);
    },
    async record() {
      const res = await control<PublishRecord>(
        base,
        'GET',
        `/_sandbox/publishes/${encodeURIComponent(publishId)}`,
      );
      expect(res.status, res.text).toBe(200);
      return res.json;
    },
    put(index, headers = {}) {
      const { start, bytes } = chunk(index);
      return putChunk(uploadUrl, bytes, start, file.length, headers);
    },
    chunk,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

const isFinal = (d: StatusData): boolean => d.status === 'PUBLISH_COMPLETE' || d.status === 'FAILED';

function range(first: number, last: number, total: number): string {
  return `bytes ${first}-${last}/${total}`;
}

/** A PUT with exactly the given headers (fetch adds Content-Length; nothing else). */
async function rawPut(url: string, body: Buffer, headers: Record<string, string>): Promise<HttpResult> {
  return http(url, { method: 'PUT', headers, body });
}

/** A PUT without Content-Length (Transfer-Encoding: chunked), through node:http. */
function chunkedPut(url: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, { method: 'PUT', headers }, (res) => {
      answered = true;
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    const half = Math.floor(body.length / 2);
    req.write(body.subarray(0, half));
    req.end(body.subarray(half));
  });
}

/** Inits `file` with `chunkSize`, PUTs every chunk, and checks 206…201 with their Content-Range headers. */
async function uploadEndToEnd(
  base: string,
  file: Buffer,
  chunkSize: number,
  expectedCount: number,
): Promise<void> {
  const s = await startUpload(base, file, chunkSize);
  expect(s.count).toBe(expectedCount);
  const seen: { status: number; range: string | null }[] = [];
  const expected: { status: number; range: string | null }[] = [];
  for (let i = 0; i < s.count; i++) {
    const { start, bytes } = s.chunk(i);
    const res = await s.put(i);
    seen.push({ status: res.status, range: res.headers.get('content-range') });
    expected.push({
      status: i === s.count - 1 ? 201 : 206,
      range: range(0, start + bytes.length - 1, file.length),
    });
    if (i === 0 && s.count > 1) {
      // §2.4: progress is visible while uploading.
      const mid = (await s.status()).json.data!;
      expect(mid).toMatchObject({ status: 'PROCESSING_UPLOAD', uploaded_bytes: bytes.length });
    }
  }
  expect(seen).toEqual(expected);
  const final = await s.statusUntil(isFinal);
  expect(final).toMatchObject({ status: 'PUBLISH_COMPLETE', uploaded_bytes: file.length });
  const rec = await s.record();
  expect({ received_bytes: rec.received_bytes, sha256: rec.sha256 }).toEqual({
    received_bytes: file.length,
    sha256: sha256(file),
  });
}

// =============================================================================================

describe('§4.5 worked plans uploaded end to end', () => {
  const sb = useSandbox();

  it('§2.3 §4.5 4,194,304 bytes as one chunk: PUT bytes 0-4194303/4194304 → 201, sha256 and uploaded_bytes match', async () => {
    await uploadEndToEnd(sb.url, mp4Bytes({ durationSec: 10, size: 4_194_304 }), 4_194_304, 1);
  });

  it('§2.3 §4.5 50,000,123 bytes as 5 chunks of 10,000,000 (last 10,000,123): 206×4 then 201, sha256 matches', async () => {
    await uploadEndToEnd(sb.url, mp4Bytes({ durationSec: 10, size: 50_000_123 }), 10_000_000, 5);
  });

  it('§4.5 §12.4 41 MiB as 4 chunks of 10 MiB (last 11,534,336): 206×3 then 201, sha256 matches', async () => {
    await uploadEndToEnd(sb.url, mp4Bytes({ durationSec: 10, size: 42_991_616 }), 10_485_760, 4);
  });
});

describe('§2.3 PUT protocol', () => {
  const sb = useSandbox();
  const FILE_12 = mp4Bytes({ durationSec: 10, size: 12 * MiB }); // 2 chunks: 5 MiB + 7 MiB
  const FILE_16 = mp4Bytes({ durationSec: 10, size: 16 * MiB }); // 3 chunks: 5 + 5 + 6 MiB
  const TOTAL_16 = 16 * MiB;

  it('§2.3 206 and 201 carry Content-Range: bytes 0-<last byte>/<total>', async () => {
    const s = await startUpload(sb.url, FILE_12, 5 * MiB);
    const first = await s.put(0);
    expect({ status: first.status, range: first.headers.get('content-range') }).toEqual({
      status: 206,
      range: range(0, 5 * MiB - 1, 12 * MiB),
    });
    const last = await s.put(1);
    expect({ status: last.status, range: last.headers.get('content-range') }).toEqual({
      status: 201,
      range: range(0, 12 * MiB - 1, 12 * MiB),
    });
  });

  it('§6.1 before the first chunk the publish is PROCESSING_UPLOAD with uploaded_bytes 0; it moves with each chunk', async () => {
    const s = await startUpload(sb.url, FILE_16, 5 * MiB);
    expect((await s.status()).json.data).toMatchObject({ status: 'PROCESSING_UPLOAD', uploaded_bytes: 0 });
    expect((await s.put(0)).status).toBe(206);
    expect((await s.status()).json.data).toMatchObject({
      status: 'PROCESSING_UPLOAD',
      uploaded_bytes: 5 * MiB,
    });
    expect((await s.put(1)).status).toBe(206);
    expect((await s.status()).json.data).toMatchObject({
      status: 'PROCESSING_UPLOAD',
      uploaded_bytes: 10 * MiB,
    });
    expect(await s.record()).toMatchObject({ received_bytes: 10 * MiB, sha256: null });
  });

  it('§2.3 §4.1.6 an out-of-order chunk → 416 with Content-Range of the real progress; in-order upload then completes', async () => {
    const s = await startUpload(sb.url, FILE_16, 5 * MiB);
    const early = await s.put(1); // nothing received yet
    expect({ status: early.status, range: early.headers.get('content-range') }).toEqual({
      status: 416,
      range: `bytes */${TOTAL_16}`,
    });
    expect((await s.put(0)).status).toBe(206);
    const skip = await s.put(2); // chunk 1 skipped
    expect({ status: skip.status, range: skip.headers.get('content-range') }).toEqual({
      status: 416,
      range: range(0, 5 * MiB - 1, TOTAL_16),
    });
    expect((await s.put(1)).status).toBe(206);
    expect((await s.put(2)).status).toBe(201);
    const final = await s.statusUntil(isFinal);
    expect(final).toMatchObject({ status: 'PUBLISH_COMPLETE', uploaded_bytes: TOTAL_16 });
    expect((await s.record()).sha256).toBe(sha256(FILE_16));
  });

  it('§2.3 a replayed chunk → 416 (progress header unchanged) and is not stored twice', async () => {
    const s = await startUpload(sb.url, FILE_16, 5 * MiB);
    expect((await s.put(0)).status).toBe(206);
    const replay = await s.put(0);
    expect({ status: replay.status, range: replay.headers.get('content-range') }).toEqual({
      status: 416,
      range: range(0, 5 * MiB - 1, TOTAL_16),
    });
    expect((await s.status()).json.data?.uploaded_bytes).toBe(5 * MiB);
    expect((await s.put(1)).status).toBe(206);
    const replay1 = await s.put(1);
    expect({ status: replay1.status, range: replay1.headers.get('content-range') }).toEqual({
      status: 416,
      range: range(0, 10 * MiB - 1, TOTAL_16),
    });
    expect((await s.put(2)).status).toBe(201);
    // A replay after the last chunk is not a new upload either.
    expect((await s.put(2)).status).toBe(416);
    await s.statusUntil(isFinal);
    expect(await s.record()).toMatchObject({ received_bytes: TOTAL_16, sha256: sha256(FILE_16) });
  });

  it('§2.3 §4.4 a Content-Type other than video/mp4, video/quicktime, video/webm → 400; the chunk is not stored', async () => {
    const s = await startUpload(sb.url, FILE_12, 5 * MiB);
    for (const type of ['application/octet-stream', 'text/plain', 'video/x-msvideo', 'video/mpeg']) {
      const res = await s.put(0, { 'content-type': type });
      expect({ type, status: res.status }).toEqual({ type, status: 400 });
    }
    const { bytes } = s.chunk(0);
    const none = await rawPut(s.uploadUrl, bytes, { 'content-range': range(0, bytes.length - 1, 12 * MiB) });
    expect({ missing: true, status: none.status }).toEqual({ missing: true, status: 400 });
    expect((await s.record()).received_bytes).toBe(0);
    expect((await s.put(0)).status).toBe(206);
    expect((await s.put(1)).status).toBe(201);
    await s.statusUntil(isFinal);
    expect((await s.record()).sha256).toBe(sha256(FILE_12));
  });

  it('§4.4 video/quicktime and video/webm Content-Types are accepted', async () => {
    const mov = await startUpload(sb.url, mp4Bytes({ durationSec: 5, size: 8192, brand: 'qt  ' }), 8192);
    expect((await mov.put(0, { 'content-type': 'video/quicktime' })).status).toBe(201);
    const webm = await startUpload(sb.url, webmBytes(8192), 8192);
    expect((await webm.put(0, { 'content-type': 'video/webm' })).status).toBe(201);
  });

  it('§2.3 Content-Range total ≠ video_size → 400; the chunk is not stored', async () => {
    const s = await startUpload(sb.url, FILE_12, 5 * MiB);
    const { bytes } = s.chunk(0);
    for (const total of [12 * MiB + 1, 12 * MiB - 1, 5 * MiB]) {
      const res = await putChunk(s.uploadUrl, bytes, 0, total);
      expect({ total, status: res.status }).toEqual({ total, status: 400 });
    }
    expect((await s.record()).received_bytes).toBe(0);
    expect((await s.put(0)).status).toBe(206);
  });

  it('§2.3 a missing or malformed Content-Range → 400', async () => {
    const s = await startUpload(sb.url, FILE_12, 5 * MiB);
    const { bytes } = s.chunk(0);
    const last = bytes.length - 1;
    const variants: (string | undefined)[] = [
      undefined,
      `bytes 0-${last}`,
      `bytes=0-${last}/${12 * MiB}`,
      `items 0-${last}/${12 * MiB}`,
      `bytes ${last}-0/${12 * MiB}`,
      `bytes 0-${last}/*`,
      'garbage',
    ];
    for (const cr of variants) {
      const headers: Record<string, string> = { 'content-type': 'video/mp4' };
      if (cr !== undefined) headers['content-range'] = cr;
      const res = await rawPut(s.uploadUrl, bytes, headers);
      expect({ cr, status: res.status }).toEqual({ cr, status: 400 });
    }
    expect((await s.record()).received_bytes).toBe(0);
  });

  it('§2.3 Content-Range span ≠ body length → 400', async () => {
    const s = await startUpload(sb.url, FILE_12, 5 * MiB);
    const { bytes } = s.chunk(0);
    const short = await rawPut(s.uploadUrl, bytes, {
      'content-type': 'video/mp4',
      'content-range': range(0, bytes.length - 2, 12 * MiB),
    });
    expect(short.status).toBe(400);
    const long = await rawPut(s.uploadUrl, bytes, {
      'content-type': 'video/mp4',
      'content-range': range(0, bytes.length, 12 * MiB),
    });
    expect(long.status).toBe(400);
    expect((await s.record()).received_bytes).toBe(0);
  });

  it('§4.1 §2.3 a chunk whose length ≠ chunk_size (or ≠ the computed last chunk) → 400', async () => {
    const s = await startUpload(sb.url, FILE_16, 5 * MiB);
    // A first chunk one byte too long and one byte too short, each with a consistent Content-Range.
    for (const len of [5 * MiB + 1, 5 * MiB - 1]) {
      const res = await putChunk(s.uploadUrl, FILE_16.subarray(0, len), 0, TOTAL_16);
      expect({ len, status: res.status }).toEqual({ len, status: 400 });
    }
    expect((await s.record()).received_bytes).toBe(0);
    expect((await s.put(0)).status).toBe(206);
    expect((await s.put(1)).status).toBe(206);
    // The last chunk must be exactly video_size − 2 × chunk_size = 6 MiB; 5 MiB (chunk_size) is wrong.
    const shortLast = await putChunk(s.uploadUrl, FILE_16.subarray(10 * MiB, 15 * MiB), 10 * MiB, TOTAL_16);
    expect(shortLast.status).toBe(400);
    expect((await s.record()).received_bytes).toBe(10 * MiB);
    expect((await s.put(2)).status).toBe(201);
  });

  it('§2.3 a PUT without Content-Length (chunked transfer encoding) → 400', async () => {
    const file = mp4Bytes({ durationSec: 5, size: 8192 });
    const s = await startUpload(sb.url, file, 8192);
    const status = await chunkedPut(s.uploadUrl, file, {
      'content-type': 'video/mp4',
      'content-range': range(0, 8191, 8192),
    });
    expect(status).toBe(400);
    expect((await s.record()).received_bytes).toBe(0);
    expect((await s.put(0)).status).toBe(201);
  });

  it('§2.3 an unknown upload_id → 404; the real upload still works', async () => {
    const s = await startUpload(sb.url, FILE_12, 5 * MiB);
    const url = new URL(s.uploadUrl);
    const realId = url.searchParams.get('upload_id')!;
    const otherId = realId.endsWith('1') ? `${realId.slice(0, -1)}2` : `${realId.slice(0, -1)}1`;
    url.searchParams.set('upload_id', otherId);
    const { bytes } = s.chunk(0);
    const res = await putChunk(url.toString(), bytes, 0, 12 * MiB);
    expect(res.status).toBe(404);
    const noId = new URL(s.uploadUrl);
    noId.searchParams.delete('upload_id');
    expect((await putChunk(noId.toString(), bytes, 0, 12 * MiB)).status).toBe(404);
    expect((await s.put(0)).status).toBe(206);
  });

  it('§2.3 a wrong upload_token → 404; the chunk is not stored', async () => {
    const s = await startUpload(sb.url, FILE_12, 5 * MiB);
    const { bytes } = s.chunk(0);
    const wrong = new URL(s.uploadUrl);
    wrong.searchParams.set('upload_token', randomUUID());
    expect((await putChunk(wrong.toString(), bytes, 0, 12 * MiB)).status).toBe(404);
    const missing = new URL(s.uploadUrl);
    missing.searchParams.delete('upload_token');
    expect((await putChunk(missing.toString(), bytes, 0, 12 * MiB)).status).toBe(404);
    expect((await s.record()).received_bytes).toBe(0);
    expect((await s.put(0)).status).toBe(206);
  });

  it('§4.3 the upload_url expires one hour after init: 3599 s still accepted, 3601 s → 403', async () => {
    const s = await startUpload(sb.url, FILE_12, 5 * MiB);
    await advanceClock(sb.url, 3599);
    expect((await s.put(0)).status).toBe(206);
    await advanceClock(sb.url, 2);
    const late = await s.put(1);
    expect(late.status).toBe(403);
    // §6.1 decision: an upload that never finishes stays PROCESSING_UPLOAD with what it received.
    expect((await s.status()).json.data).toMatchObject({
      status: 'PROCESSING_UPLOAD',
      uploaded_bytes: 5 * MiB,
    });
    expect((await s.record()).sha256).toBeNull();
  });

  it('§4.3 an upload_url unused for 3601 s → 403 on the first PUT', async () => {
    const s = await startUpload(sb.url, FILE_12, 5 * MiB);
    await advanceClock(sb.url, 3601);
    expect((await s.put(0)).status).toBe(403);
    expect((await s.record()).received_bytes).toBe(0);
  });

  it('§2.3 §12.4 a chunk answered 500 (fault on chunk_index 1) is not stored; the identical retry succeeds and sha256 still matches', async () => {
    const s = await startUpload(sb.url, FILE_16, 5 * MiB);
    await addFault(sb.url, { endpoint: 'upload', http_status: 500, chunk_index: 1 });
    expect((await s.put(0)).status).toBe(206); // chunk 0 is not targeted
    const failed = await s.put(1);
    expect(failed.status).toBe(500);
    expect((await s.record()).received_bytes).toBe(5 * MiB);
    expect((await s.status()).json.data?.uploaded_bytes).toBe(5 * MiB);
    const retry = await s.put(1);
    expect({ status: retry.status, range: retry.headers.get('content-range') }).toEqual({
      status: 206,
      range: range(0, 10 * MiB - 1, TOTAL_16),
    });
    expect((await s.put(2)).status).toBe(201);
    const final = await s.statusUntil(isFinal);
    expect(final).toMatchObject({ status: 'PUBLISH_COMPLETE', uploaded_bytes: TOTAL_16 });
    expect(await s.record()).toMatchObject({ received_bytes: TOTAL_16, sha256: sha256(FILE_16) });
  });

  it('§2.3 §12.4 a fault with count 2 on the last chunk fails it twice (5xx), the third identical try → 201', async () => {
    const s = await startUpload(sb.url, FILE_12, 5 * MiB);
    await addFault(sb.url, { endpoint: 'upload', http_status: 503, chunk_index: 1, count: 2 });
    expect((await s.put(0)).status).toBe(206);
    expect((await s.put(1)).status).toBe(503);
    expect((await s.put(1)).status).toBe(503);
    expect((await s.put(1)).status).toBe(201);
    await s.statusUntil(isFinal);
    expect((await s.record()).sha256).toBe(sha256(FILE_12));
  });

  it('§2.3 §12.4 a dropped connection (reset fault) stores nothing; the identical retry → 206 and the file is intact', async () => {
    const s = await startUpload(sb.url, FILE_12, 5 * MiB);
    await addFault(sb.url, { endpoint: 'upload', reset: true, chunk_index: 0 });
    await expect(s.put(0)).rejects.toThrow();
    expect((await s.record()).received_bytes).toBe(0);
    const retry = await s.put(0);
    expect({ status: retry.status, range: retry.headers.get('content-range') }).toEqual({
      status: 206,
      range: range(0, 5 * MiB - 1, 12 * MiB),
    });
    expect((await s.put(1)).status).toBe(201);
    await s.statusUntil(isFinal);
    expect(await s.record()).toMatchObject({ received_bytes: 12 * MiB, sha256: sha256(FILE_12) });
  });

  it('§13 a response dropped after the chunk arrived (after_receive): the chunk is kept, its replay → 416 with the real progress', async () => {
    const s = await startUpload(sb.url, FILE_12, 5 * MiB);
    await addFault(sb.url, { endpoint: 'upload', reset: true, after_receive: true, chunk_index: 0 });
    await expect(s.put(0)).rejects.toThrow();
    expect((await s.record()).received_bytes).toBe(5 * MiB);
    const replay = await s.put(0);
    expect({ status: replay.status, range: replay.headers.get('content-range') }).toEqual({
      status: 416,
      range: range(0, 5 * MiB - 1, 12 * MiB),
    });
    expect((await s.put(1)).status).toBe(201);
    await s.statusUntil(isFinal);
    expect((await s.record()).sha256).toBe(sha256(FILE_12));
  });

  it('§2.3 §13 an injected 416 carries Content-Range of what the host has (the chunk not kept); resending that chunk completes', async () => {
    const s = await startUpload(sb.url, FILE_16, 5 * MiB);
    await addFault(sb.url, { endpoint: 'upload', http_status: 416, chunk_index: 1 });
    expect((await s.put(0)).status).toBe(206);
    const refused = await s.put(1);
    expect({ status: refused.status, range: refused.headers.get('content-range') }).toEqual({
      status: 416,
      range: range(0, 5 * MiB - 1, TOTAL_16),
    });
    expect((await s.record()).received_bytes).toBe(5 * MiB);
    expect((await s.put(1)).status).toBe(206);
    expect((await s.put(2)).status).toBe(201);
    await s.statusUntil(isFinal);
    expect(await s.record()).toMatchObject({ received_bytes: TOTAL_16, sha256: sha256(FILE_16) });
  });

  it('§2.3 §13 an injected 416 after the chunk arrived (after_receive) says the chunk is there; the next chunk completes', async () => {
    const s = await startUpload(sb.url, FILE_16, 5 * MiB);
    await addFault(sb.url, { endpoint: 'upload', http_status: 416, after_receive: true, chunk_index: 1 });
    expect((await s.put(0)).status).toBe(206);
    const refused = await s.put(1);
    expect({ status: refused.status, range: refused.headers.get('content-range') }).toEqual({
      status: 416,
      range: range(0, 10 * MiB - 1, TOTAL_16),
    });
    expect((await s.put(2)).status).toBe(201);
    await s.statusUntil(isFinal);
    expect(await s.record()).toMatchObject({ received_bytes: TOTAL_16, sha256: sha256(FILE_16) });
  });

  it('§2.3 an injected 416 before the first byte says `bytes */total`', async () => {
    const s = await startUpload(sb.url, FILE_12, 5 * MiB);
    await addFault(sb.url, { endpoint: 'upload', http_status: 416, chunk_index: 0 });
    const refused = await s.put(0);
    expect({ status: refused.status, range: refused.headers.get('content-range') }).toEqual({
      status: 416,
      range: `bytes */${12 * MiB}`,
    });
  });

  it('§2.3 an injected gateway 5xx carries no Content-Range (a gateway does not know the progress)', async () => {
    const s = await startUpload(sb.url, FILE_12, 5 * MiB);
    await addFault(sb.url, { endpoint: 'upload', http_status: 502, chunk_index: 0 });
    const failed = await s.put(0);
    expect({ status: failed.status, range: failed.headers.get('content-range') }).toEqual({
      status: 502,
      range: null,
    });
  });

  it('§2.3 §12.4 a chunk cut off mid-body by the client keeps none of its bytes; the retry assembles the exact file', async () => {
    const s = await startUpload(sb.url, FILE_12, 5 * MiB);
    expect((await s.put(0)).status).toBe(206);
    const { start, bytes } = s.chunk(1);
    // Send half of chunk 1, then drop the connection, as a client whose network fails would.
    await new Promise<void>((resolve) => {
      const req = request(s.uploadUrl, {
        method: 'PUT',
        headers: {
          'content-type': 'video/mp4',
          'content-length': String(bytes.length),
          'content-range': range(start, start + bytes.length - 1, FILE_12.length),
        },
      });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.write(bytes.subarray(0, bytes.length / 2), () => setTimeout(() => req.destroy(), 100));
    });
    await new Promise((r) => setTimeout(r, 200));
    expect((await s.record()).received_bytes).toBe(5 * MiB);
    const retry = await s.put(1);
    expect(retry.status).toBe(201);
    await s.statusUntil(isFinal);
    expect(await s.record()).toMatchObject({ received_bytes: 12 * MiB, sha256: sha256(FILE_12) });
  });
});
