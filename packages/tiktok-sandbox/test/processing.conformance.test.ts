/**
 * Conformance: what happens after the last byte — container and duration checks, outcomes,
 * processing delay and post ids on the sandbox clock.
 * Sources: tiktok-api.md §2.4, §4.2, §6.1, §6.3, §12.6, §12.7, §12.11; architecture.md §6;
 * docs/sandbox-decisions-for-helpers.md ("Processing").
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  addFault,
  advanceClock,
  control,
  createCreator,
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
const LOG_ID = /^\d{14}[0-9A-F]{20}$/;
const MiB = 1024 * 1024;
const RAW_EMPTY_IDS = /"publicaly_available_post_id"\s*:\s*\[\s*\]/;
const RAW_ONE_ID = /"publicaly_available_post_id"\s*:\s*\[\s*([1-9]\d{18})\s*\]/;

interface StatusData {
  status: string;
  fail_reason?: string;
  publicaly_available_post_id: unknown[];
  uploaded_bytes?: number;
}
interface PublishRecord {
  status: string;
  fail_reason?: string | null;
  received_bytes: number;
  sha256: string | null;
}
type StatusRes = HttpResult<Envelope<StatusData>>;

interface Published {
  publishId: string;
  status(): Promise<StatusRes>;
  /** Polls (real time, clock untouched) until `done`; returns the whole response. */
  statusUntil(done: (d: StatusData) => boolean, timeoutMs?: number): Promise<StatusRes>;
  record(): Promise<PublishRecord>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

const isFinal = (d: StatusData): boolean => d.status === 'PUBLISH_COMPLETE' || d.status === 'FAILED';

/**
 * A creator (private by default) inits a FILE_UPLOAD of `file` and PUTs all of it (floor count,
 * last chunk takes the rest); every PUT must be accepted (206…201).
 */
async function publish(
  base: string,
  file: Buffer,
  options: {
    creator?: Record<string, unknown>;
    postInfo?: Record<string, unknown>;
    contentType?: string;
    chunkSize?: number;
  } = {},
): Promise<Published> {
  const creator = await createCreator(base, {
    private_account: true,
    max_video_post_duration_sec: 60,
    ...options.creator,
  });
  let token = (await issueToken(base, creator.open_id, SCOPES)).access_token;
  const chunkSize = options.chunkSize ?? file.length;
  const count = Math.max(1, Math.floor(file.length / chunkSize));
  const init = await tiktokPost<Envelope<{ publish_id: string; upload_url: string }>>(base, INIT, token, {
    post_info: {
      privacy_level: 'SELF_ONLY',
      title: 'processing conformance',
      disable_comment: false,
      disable_duet: false,
      disable_stitch: false,
      brand_content_toggle: false,
      brand_organic_toggle: false,
      ...options.postInfo,
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
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = i * chunkSize;
    const end = i === count - 1 ? file.length : start + chunkSize;
    const res = await putChunk(uploadUrl, file.subarray(start, end), start, file.length, {
      'content-type': options.contentType ?? 'video/mp4',
    });
    statuses.push(res.status);
  }
  expect(statuses).toEqual([...Array<number>(count - 1).fill(206), 201]);

  let calls = 0;
  const status = async (): Promise<StatusRes> => {
    // status/fetch allows 30/min per token (§2.4): rotate tokens of the same creator.
    if (++calls % 20 === 0) token = (await issueToken(base, creator.open_id, SCOPES)).access_token;
    return tiktokPost<Envelope<StatusData>>(base, STATUS, token, { publish_id: publishId });
  };
  return {
    publishId,
    status,
    async statusUntil(done, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      let last: StatusRes | undefined;
      while (Date.now() < deadline) {
        last = await status();
        expect(last.status, last.text).toBe(200);
        if (last.json.data && done(last.json.data)) return last;
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
  };
}

/** FAILED is a successful status answer: HTTP 200, error.code "ok", the reason in data (§2.4, §12.11). */
function expectFailed(res: StatusRes, reason: string, size: number): void {
  expect({ http: res.status, code: res.json.error.code }).toEqual({ http: 200, code: 'ok' });
  expect(res.json.error.log_id).toMatch(LOG_ID);
  expect(res.json.data).toEqual({
    status: 'FAILED',
    fail_reason: reason,
    publicaly_available_post_id: [],
    uploaded_bytes: size,
  });
}

function expectComplete(res: StatusRes, size: number): void {
  expect({ http: res.status, code: res.json.error.code }).toEqual({ http: 200, code: 'ok' });
  expect(res.json.data).toEqual({
    status: 'PUBLISH_COMPLETE',
    publicaly_available_post_id: [],
    uploaded_bytes: size,
  });
}

function box(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

/** An 'ftyp' box and an 'mdat' box, no 'moov': looks like MP4, has no readable duration. */
function ftypWithoutMoov(size = 16_384): Buffer {
  const ftyp = box('ftyp', Buffer.from('isom\0\0\x02\0isomiso2avc1mp41', 'latin1'));
  return Buffer.concat([ftyp, box('mdat', Buffer.alloc(size - ftyp.length - 8, 7))]);
}

/** Random bytes that are neither MP4/MOV ('ftyp' at offset 4) nor WebM (EBML magic at 0). */
function noise(size = 16_384): Buffer {
  const buf = randomBytes(size);
  buf.write('NOTAVIDEOFILE', 0, 'latin1');
  return buf;
}

// =============================================================================================

describe('§6 processing outcomes', () => {
  const sb = useSandbox();

  it('§6.1 a valid MP4 within max_video_post_duration_sec → PUBLISH_COMPLETE, no fail_reason, post ids []', async () => {
    const file = mp4Bytes({ durationSec: 30, size: 64 * 1024 });
    const p = await publish(sb.url, file);
    const res = await p.statusUntil(isFinal);
    expectComplete(res, file.length);
    expect(res.text).toMatch(RAW_EMPTY_IDS);
    expect(await p.record()).toMatchObject({ status: 'PUBLISH_COMPLETE', sha256: sha256(file) });
  });

  it('§4.2 §2.1 an MP4 exactly max_video_post_duration_sec long (60 s of 60) → PUBLISH_COMPLETE', async () => {
    const file = mp4Bytes({ durationSec: 60, size: 64 * 1024 });
    const p = await publish(sb.url, file);
    expectComplete(await p.statusUntil(isFinal), file.length);
  });

  it('§6.3 §4.2 an MP4 longer than max_video_post_duration_sec (61 s of 60) → FAILED duration_check_failed with HTTP 200 and error.code ok', async () => {
    const file = mp4Bytes({ durationSec: 61, size: 64 * 1024 });
    const p = await publish(sb.url, file);
    expectFailed(await p.statusUntil(isFinal), 'duration_check_failed', file.length);
    expect(await p.record()).toMatchObject({ status: 'FAILED', fail_reason: 'duration_check_failed' });
  });

  it("§2.1 §4.2 the limit is the creator's own: the same 61 s MP4 completes for a creator allowed 300 s", async () => {
    const file = mp4Bytes({ durationSec: 61, size: 64 * 1024 });
    const p = await publish(sb.url, file, { creator: { max_video_post_duration_sec: 300 } });
    expectComplete(await p.statusUntil(isFinal), file.length);
  });

  it('§4.2 an MP4 with moov after mdat is still parsed: 30 s → PUBLISH_COMPLETE', async () => {
    const file = mp4Bytes({ durationSec: 30, size: 12 * MiB, moovAtEnd: true });
    const p = await publish(sb.url, file, { chunkSize: 5 * MiB });
    expectComplete(await p.statusUntil(isFinal), file.length);
  });

  it('§4.2 §6.3 an MP4 with moov after mdat (in the last chunk) longer than the max → duration_check_failed', async () => {
    const file = mp4Bytes({ durationSec: 90, size: 12 * MiB, moovAtEnd: true });
    const p = await publish(sb.url, file, { chunkSize: 5 * MiB });
    expectFailed(await p.statusUntil(isFinal), 'duration_check_failed', file.length);
  });

  it('§6.3 §12.6 random bytes → FAILED file_format_check_failed', async () => {
    const file = noise();
    const p = await publish(sb.url, file);
    expectFailed(await p.statusUntil(isFinal), 'file_format_check_failed', file.length);
    expect(await p.record()).toMatchObject({ status: 'FAILED', fail_reason: 'file_format_check_failed' });
  });

  it("§6.3 an MP4 'ftyp' with no moov → FAILED file_format_check_failed", async () => {
    const file = ftypWithoutMoov();
    const p = await publish(sb.url, file);
    expectFailed(await p.statusUntil(isFinal), 'file_format_check_failed', file.length);
  });

  it('§4.2 WebM (EBML magic 1A45DFA3) → PUBLISH_COMPLETE', async () => {
    const file = webmBytes(32 * 1024);
    const p = await publish(sb.url, file, { contentType: 'video/webm' });
    expectComplete(await p.statusUntil(isFinal), file.length);
  });

  it("§4.2 MOV ('ftyp' brand 'qt  ') within the max → PUBLISH_COMPLETE", async () => {
    const file = mp4Bytes({ durationSec: 20, size: 32 * 1024, brand: 'qt  ' });
    const p = await publish(sb.url, file, { contentType: 'video/quicktime' });
    expectComplete(await p.statusUntil(isFinal), file.length);
  });

  it('§6.3 arch §6 a processing fault forces picture_size_check_failed on a valid MP4', async () => {
    await addFault(sb.url, { endpoint: 'processing', error_code: 'picture_size_check_failed' });
    const file = mp4Bytes({ durationSec: 10, size: 64 * 1024 });
    const p = await publish(sb.url, file);
    expectFailed(await p.statusUntil(isFinal), 'picture_size_check_failed', file.length);
    expect(await p.record()).toMatchObject({ status: 'FAILED', fail_reason: 'picture_size_check_failed' });
  });

  it('§6.3 arch §6 a processing fault forces frame_rate_check_failed', async () => {
    await addFault(sb.url, { endpoint: 'processing', error_code: 'frame_rate_check_failed' });
    const file = mp4Bytes({ durationSec: 10, size: 64 * 1024 });
    const p = await publish(sb.url, file);
    expectFailed(await p.statusUntil(isFinal), 'frame_rate_check_failed', file.length);
  });
});

describe('§6 processingDelayMs on the sandbox clock', () => {
  const sb = useSandbox({ processingDelayMs: 60_000 });

  it('§6.1 processingDelayMs 60000: stays PROCESSING_UPLOAD after the last byte until the clock moves 61 s', async () => {
    const file = mp4Bytes({ durationSec: 10, size: 64 * 1024 });
    const p = await publish(sb.url, file);
    await sleep(1000);
    expect((await p.status()).json.data).toMatchObject({
      status: 'PROCESSING_UPLOAD',
      uploaded_bytes: file.length,
    });
    await advanceClock(sb.url, 30);
    await sleep(300);
    expect((await p.status()).json.data?.status).toBe('PROCESSING_UPLOAD');
    await advanceClock(sb.url, 31);
    expectComplete(await p.statusUntil(isFinal, 5000), file.length);
  });

  it('§6.1 §6.3 processingDelayMs 60000: a bad file is not FAILED early either; FAILED after 61 s', async () => {
    const file = noise();
    const p = await publish(sb.url, file);
    await sleep(500);
    expect((await p.status()).json.data?.status).toBe('PROCESSING_UPLOAD');
    await advanceClock(sb.url, 61);
    expectFailed(await p.statusUntil(isFinal, 5000), 'file_format_check_failed', file.length);
  });
});

describe('§2.4 post ids on an audited app (moderationDelayMs 60000)', () => {
  const sb = useSandbox({ audited: true, moderationDelayMs: 60_000 });

  it('§2.4 §6.1 §12.7 PUBLIC_TO_EVERYONE: [] at PUBLISH_COMPLETE, then a 19-digit raw JSON number after the clock moves 61 s', async () => {
    const file = mp4Bytes({ durationSec: 10, size: 64 * 1024 });
    const p = await publish(sb.url, file, {
      creator: { private_account: false },
      postInfo: { privacy_level: 'PUBLIC_TO_EVERYONE', title: 'public #test' },
    });
    const done = await p.statusUntil(isFinal);
    expect(done.json.data?.status).toBe('PUBLISH_COMPLETE');
    expect(done.text).toMatch(RAW_EMPTY_IDS);
    await advanceClock(sb.url, 30);
    await sleep(300);
    const half = await p.status();
    expect(half.json.data?.status).toBe('PUBLISH_COMPLETE');
    expect(half.text).toMatch(RAW_EMPTY_IDS);
    await advanceClock(sb.url, 31);
    const res = await p.statusUntil((d) => d.publicaly_available_post_id.length > 0, 5000);
    expect(res.json.data?.status).toBe('PUBLISH_COMPLETE');
    const m = RAW_ONE_ID.exec(res.text);
    expect(m, res.text).not.toBeNull();
    expect(typeof res.json.data?.publicaly_available_post_id[0]).toBe('number');
    // Stable: the next answer names the same post.
    expect(RAW_ONE_ID.exec((await p.status()).text)?.[1]).toBe(m![1]);
  });

  it('§6.1 SELF_ONLY and MUTUAL_FOLLOW_FRIENDS on the audited app: post ids stay [] after 600 s', async () => {
    for (const privacy_level of ['SELF_ONLY', 'MUTUAL_FOLLOW_FRIENDS']) {
      const file = mp4Bytes({ durationSec: 10, size: 64 * 1024 });
      const p = await publish(sb.url, file, {
        creator: { private_account: false },
        postInfo: { privacy_level, title: privacy_level },
      });
      const done = await p.statusUntil(isFinal);
      expect({ privacy_level, status: done.json.data?.status }).toEqual({
        privacy_level,
        status: 'PUBLISH_COMPLETE',
      });
      await advanceClock(sb.url, 600);
      await sleep(200);
      const later = await p.status();
      expect({ privacy_level, raw: RAW_EMPTY_IDS.test(later.text), status: later.json.data?.status }).toEqual(
        {
          privacy_level,
          raw: true,
          status: 'PUBLISH_COMPLETE',
        },
      );
    }
  });

  it('§6.1 a public post that FAILED processing never gets a post id', async () => {
    const file = noise();
    const p = await publish(sb.url, file, {
      creator: { private_account: false },
      postInfo: { privacy_level: 'PUBLIC_TO_EVERYONE', title: 'broken' },
    });
    expectFailed(await p.statusUntil(isFinal), 'file_format_check_failed', file.length);
    await advanceClock(sb.url, 600);
    await sleep(200);
    expectFailed(await p.status(), 'file_format_check_failed', file.length);
  });
});
