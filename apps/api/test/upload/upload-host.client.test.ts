/**
 * uploadChunks against the real TikTok sandbox (in-process) and, for answers the sandbox never
 * gives, a tiny scripted upload host.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VideoContentType } from '@cliprelay/contract';
import { startSandbox, type RunningSandbox, type SandboxPublish } from '@cliprelay/tiktok-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/common/app-error.ts';
import { MIN_CHUNK_BYTES, planChunks, type ChunkPlan } from '../../src/tiktok/chunk-plan.ts';
import { type ChunkSource, uploadChunks, type UploadProgress } from '../../src/tiktok/upload-host.client.ts';

/** A video that is already whole on disk, `size` bytes long. */
function wholeFile(path: string, contentType: VideoContentType, size: number): ChunkSource {
  return {
    path,
    contentType,
    ready: (end) =>
      end <= size ? Promise.resolve() : Promise.reject(new Error(`the file has ${size} bytes, not ${end}`)),
  };
}

const FAST_RETRY = { retries: 5, minTimeoutMs: 10, maxTimeoutMs: 50 };

interface TestFile {
  path: string;
  size: number;
  sha256: string;
}

/** Random bytes written in 1 MiB pieces: the test never holds the file in memory either. */
async function writeRandomFile(dir: string, name: string, size: number): Promise<TestFile> {
  const path = join(dir, name);
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  for (let written = 0; written < size;) {
    const piece = randomBytes(Math.min(1024 * 1024, size - written));
    hash.update(piece);
    written += piece.length;
    if (!out.write(piece)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  return { path, size, sha256: hash.digest('hex') };
}

async function caughtError(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected the promise to reject');
}

describe('uploadChunks against the TikTok sandbox', () => {
  let sandbox: RunningSandbox;
  let dir: string;
  let openId: string;
  let small: TestFile;
  let large: TestFile;

  /** A FILE_UPLOAD init for `plan`, with a fresh token (init allows 6 per minute per token). */
  async function init(plan: ChunkPlan): Promise<{ publishId: string; uploadUrl: string }> {
    const tokens = await sandbox.control.issueTokens(openId);
    const res = await fetch(`${sandbox.url}/v2/post/publish/video/init/`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokens.access_token}`,
        'content-type': 'application/json; charset=UTF-8',
      },
      body: JSON.stringify({
        post_info: { privacy_level: 'SELF_ONLY', title: 'upload test' },
        source_info: {
          source: 'FILE_UPLOAD',
          video_size: plan.videoSize,
          chunk_size: plan.chunkSize,
          total_chunk_count: plan.totalChunkCount,
        },
      }),
    });
    const body: any = await res.json();
    if (body.error.code !== 'ok') throw new Error(`init failed: ${JSON.stringify(body.error)}`);
    return { publishId: body.data.publish_id, uploadUrl: body.data.upload_url };
  }

  function received(publishId: string): Promise<SandboxPublish> {
    return sandbox.control.publish(publishId);
  }

  beforeAll(async () => {
    sandbox = await startSandbox({
      port: 0,
      processingDelayMs: 0,
      moderationDelayMs: 0,
      dailyPostCap: 1000,
      activeUserCap: 1000,
    });
    const creator = await sandbox.control.createCreator({ private_account: true });
    openId = creator.open_id;
    dir = await mkdtemp(join(tmpdir(), 'cliprelay-chunk-uploader-'));
    small = await writeRandomFile(dir, 'small.mp4', 2_000_000);
    large = await writeRandomFile(dir, 'large.mp4', 23_000_000);
  });

  afterAll(async () => {
    await sandbox?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('uploads a 2 MB video in one chunk and TikTok assembles the same bytes', async () => {
    const plan = planChunks(small.size);
    expect(plan.totalChunkCount).toBe(1);
    const { publishId, uploadUrl } = await init(plan);
    const progress: UploadProgress[] = [];

    const result = await uploadChunks({
      uploadUrl,
      source: wholeFile(small.path, 'video/mp4', small.size),
      plan,
      onProgress: (p) => progress.push(p),
    });

    expect(result).toEqual({ bytesSent: small.size, chunkRetries: 0 });
    expect(progress).toEqual([{ uploadedBytes: small.size, totalBytes: small.size }]);
    expect(await received(publishId)).toMatchObject({ received_bytes: small.size, sha256: small.sha256 });
  });

  it('uploads a 23 MB video in 4 chunks, in order, and TikTok assembles the same bytes', async () => {
    const plan = planChunks(large.size, MIN_CHUNK_BYTES);
    expect(plan.totalChunkCount).toBe(4);
    const { publishId, uploadUrl } = await init(plan);
    const progress: number[] = [];

    const result = await uploadChunks({
      uploadUrl,
      source: wholeFile(large.path, 'video/mp4', large.size),
      plan,
      onProgress: (p) => progress.push(p.uploadedBytes),
    });

    expect(result).toEqual({ bytesSent: large.size, chunkRetries: 0 });
    expect(progress).toEqual(plan.chunks.map((c) => c.end + 1));
    expect(await received(publishId)).toMatchObject({ received_bytes: large.size, sha256: large.sha256 });
  });

  it('retries a chunk that got a 500, re-reading the same bytes from disk', async () => {
    const plan = planChunks(large.size, MIN_CHUNK_BYTES);
    const { publishId, uploadUrl } = await init(plan);
    await sandbox.control.addFault({ endpoint: 'upload', http_status: 500, chunk_index: 1 });

    const result = await uploadChunks({
      uploadUrl,
      source: wholeFile(large.path, 'video/mp4', large.size),
      plan,
      retry: FAST_RETRY,
    });

    expect(result).toEqual({ bytesSent: large.size, chunkRetries: 1 });
    expect(await received(publishId)).toMatchObject({ received_bytes: large.size, sha256: large.sha256 });
  });

  it('retries a chunk whose connection was reset', async () => {
    const plan = planChunks(large.size, MIN_CHUNK_BYTES);
    const { publishId, uploadUrl } = await init(plan);
    await sandbox.control.addFault({ endpoint: 'upload', reset: true, chunk_index: 2 });

    const result = await uploadChunks({
      uploadUrl,
      source: wholeFile(large.path, 'video/mp4', large.size),
      plan,
      retry: FAST_RETRY,
    });

    expect(result.chunkRetries).toBe(1);
    expect(await received(publishId)).toMatchObject({ received_bytes: large.size, sha256: large.sha256 });
  });

  it('gives up with a retryable UPLOAD_FAILED when the 5xx outlasts the retries', async () => {
    const plan = planChunks(small.size);
    const { uploadUrl } = await init(plan);
    await sandbox.control.addFault({ endpoint: 'upload', http_status: 502, count: 3 });

    const error = await caughtError(
      uploadChunks({
        uploadUrl,
        source: wholeFile(small.path, 'video/mp4', small.size),
        plan,
        retry: { retries: 2, minTimeoutMs: 10, maxTimeoutMs: 20 },
      }),
    );

    expect(error).toMatchObject({ code: 'UPLOAD_FAILED', retryable: true });
    expect(error.message).toMatch(/try again/i);
  });

  it('resyncs from TikTok’s Content-Range after a 416 and goes on from the chunk TikTok expects', async () => {
    const plan = planChunks(large.size, MIN_CHUNK_BYTES);
    const { publishId, uploadUrl } = await init(plan);
    // TikTok already has chunk 0 (say our earlier attempt's answer was lost).
    const first = plan.chunks[0]!;
    const bytes = Buffer.alloc(first.length);
    const handle = await open(large.path);
    await handle.read(bytes, 0, first.length, 0).finally(() => handle.close());
    const put = await fetch(uploadUrl, {
      method: 'PUT',
      headers: {
        'content-type': 'video/mp4',
        'content-range': `bytes ${first.start}-${first.end}/${plan.videoSize}`,
      },
      body: bytes,
    });
    expect(put.status).toBe(206);

    const result = await uploadChunks({
      uploadUrl,
      source: wholeFile(large.path, 'video/mp4', large.size),
      plan,
    });

    expect(result).toEqual({ bytesSent: large.size - first.length, chunkRetries: 0 });
    expect(await received(publishId)).toMatchObject({ received_bytes: large.size, sha256: large.sha256 });
  });

  it('fails without retrying, and without the URL in the message, when the upload_url expired (403)', async () => {
    const plan = planChunks(small.size);
    const { uploadUrl } = await init(plan);
    await sandbox.control.advanceClock(3601);
    let attempts = 0;

    const error = await caughtError(
      uploadChunks({
        uploadUrl,
        source: wholeFile(small.path, 'video/mp4', small.size),
        plan,
        retry: FAST_RETRY,
        onProgress: () => attempts++,
      }),
    );

    expect(error).toMatchObject({ code: 'UPLOAD_FAILED', retryable: false });
    expect(error.message).toMatch(/expired.*start the upload again/i);
    expect(error.message).not.toContain(uploadUrl);
    expect(error.message).not.toMatch(/upload_token|upload_id/);
    expect(attempts).toBe(0);
  });

  it('fails without retrying when TikTok has no such upload (404)', async () => {
    const plan = planChunks(small.size);
    const { uploadUrl } = await init(plan);
    const wrong = new URL(uploadUrl);
    wrong.searchParams.set('upload_token', 'not-the-token');

    const error = await caughtError(
      uploadChunks({ uploadUrl: wrong.href, source: wholeFile(small.path, 'video/mp4', small.size), plan }),
    );

    expect(error).toMatchObject({ code: 'UPLOAD_FAILED', retryable: false });
    expect(error.message).toMatch(/no longer has this upload/);
  });

  it('stops the in-flight chunk and sends nothing more when the signal aborts', async () => {
    const plan = planChunks(large.size, MIN_CHUNK_BYTES);
    const { publishId, uploadUrl } = await init(plan);
    await sandbox.control.addFault({ endpoint: 'upload', delay_ms: 5000, chunk_index: 1 });
    const controller = new AbortController();
    const started = Date.now();

    const error = await caughtError(
      uploadChunks({
        uploadUrl,
        source: wholeFile(large.path, 'video/mp4', large.size),
        plan,
        signal: controller.signal,
        onProgress: () => setTimeout(() => controller.abort(), 100),
      }),
    );

    expect(error).toMatchObject({ code: 'UPLOAD_FAILED', message: 'The upload was cancelled.' });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(await received(publishId)).toMatchObject({
      received_bytes: plan.chunks[0]!.length,
      sha256: null,
    });
  });

  it('refuses to start when the file on disk does not have the planned size', async () => {
    const plan = planChunks(small.size + 1);
    const error = await caughtError(
      uploadChunks({
        uploadUrl: `${sandbox.url}/upload/`,
        source: wholeFile(small.path, 'video/mp4', small.size),
        plan,
      }),
    );
    expect(error).toMatchObject({ code: 'UPLOAD_FAILED', retryable: false });
  });
});

describe('uploadChunks against a scripted upload host', () => {
  type Answer = { status: number; contentRange?: string } | 'hang';
  let server: http.Server;
  let url: string;
  let script: Answer[] = [];
  let requests: { contentRange: string | undefined; contentLength: string | undefined; bytes: number }[] = [];
  let dir: string;
  let file: TestFile;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let bytes = 0;
      req.on('data', (piece: Buffer) => (bytes += piece.length));
      req.on('end', () => {
        requests.push({
          contentRange: req.headers['content-range'],
          contentLength: req.headers['content-length'],
          bytes,
        });
        const answer = script.shift() ?? { status: 500 };
        if (answer === 'hang') return;
        if (answer.contentRange) res.setHeader('content-range', answer.contentRange);
        res.writeHead(answer.status).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload/?upload_id=1&upload_token=secret`;
    dir = await mkdtemp(join(tmpdir(), 'cliprelay-chunk-host-'));
    file = await writeRandomFile(dir, 'video.mp4', 12_000_000);
  });

  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function start(answers: Answer[], extra: { timeoutMs?: number } = {}) {
    script = answers;
    requests = [];
    // 12,000,000 bytes in 5,242,880-byte chunks: 2 chunks, the last 6,757,120 bytes.
    const plan = planChunks(file.size, MIN_CHUNK_BYTES);
    return {
      plan,
      run: uploadChunks({
        uploadUrl: url,
        source: wholeFile(file.path, 'video/webm', file.size),
        plan,
        retry: FAST_RETRY,
        ...extra,
      }),
    };
  }

  it('sends Content-Type, Content-Length and an inclusive Content-Range for each chunk', async () => {
    const { plan, run } = start([{ status: 206 }, { status: 201 }]);
    await run;
    expect(requests).toEqual(
      plan.chunks.map((c) => ({
        contentRange: `bytes ${c.start}-${c.end}/${file.size}`,
        contentLength: String(c.length),
        bytes: c.length,
      })),
    );
  });

  it('treats a 416 proving TikTok has every byte as a finished upload', async () => {
    const { run } = start([
      { status: 206 },
      { status: 416, contentRange: `bytes 0-${file.size - 1}/${file.size}` },
    ]);
    await expect(run).resolves.toEqual({ bytesSent: 5_242_880, chunkRetries: 0 });
  });

  it('resyncs back to chunk 0 when TikTok reports no bytes (bytes */total)', async () => {
    const { run } = start([
      { status: 416, contentRange: `bytes */${file.size}` },
      { status: 206 },
      { status: 201 },
    ]);
    await expect(run).resolves.toEqual({ bytesSent: file.size, chunkRetries: 0 });
    expect(requests.map((r) => r.contentRange?.split('/')[0])).toEqual([
      'bytes 0-5242879',
      'bytes 0-5242879',
      'bytes 5242880-11999999',
    ]);
  });

  it('fails on a 416 without a Content-Range header', async () => {
    const { run } = start([{ status: 416 }]);
    const error = await caughtError(run);
    expect(error).toMatchObject({ code: 'UPLOAD_FAILED', retryable: false });
    expect(error.message).toMatch(/out of step/);
  });

  it('fails on a 416 whose progress does not fall on a chunk boundary', async () => {
    const { run } = start([{ status: 416, contentRange: `bytes 0-99/${file.size}` }]);
    await expect(run).rejects.toMatchObject({ code: 'UPLOAD_FAILED', retryable: false });
    expect(requests).toHaveLength(1);
  });

  it('fails on a 416 whose total is not the video size', async () => {
    const { run } = start([{ status: 416, contentRange: `bytes 0-5242879/${file.size + 1}` }]);
    await expect(run).rejects.toMatchObject({ code: 'UPLOAD_FAILED', retryable: false });
  });

  it('gives up after repeated 416s that make no progress', async () => {
    const again = { status: 416, contentRange: `bytes */${file.size}` };
    const { run } = start([again, again, again, again, again]);
    await expect(run).rejects.toMatchObject({ code: 'UPLOAD_FAILED', retryable: false });
    expect(requests).toHaveLength(4);
  });

  it('fails without retrying on a 400 (our request was malformed)', async () => {
    const { run } = start([{ status: 400 }]);
    await expect(run).rejects.toMatchObject({ code: 'UPLOAD_FAILED', retryable: false });
    expect(requests).toHaveLength(1);
  });

  it('fails when a non-final chunk gets 201 instead of 206', async () => {
    const { run } = start([{ status: 201 }]);
    await expect(run).rejects.toMatchObject({ code: 'UPLOAD_FAILED', retryable: false });
  });

  it('retries a chunk whose answer does not come within the timeout', async () => {
    const { run } = start(['hang', { status: 206 }, { status: 201 }], { timeoutMs: 300 });
    await expect(run).resolves.toEqual({ bytesSent: file.size, chunkRetries: 1 });
    expect(requests[0]!.contentRange).toBe(requests[1]!.contentRange);
  });

  it('never puts the upload URL or token in the error message', async () => {
    const { run } = start([
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { status: 500 },
    ]);
    const error = await caughtError(run);
    expect(error.message).not.toContain('secret');
    expect(error.message).not.toContain('127.0.0.1');
    expect(error.retryable).toBe(true);
    expect(requests).toHaveLength(6);
  });
});
