/**
 * Conformance: PULL_FROM_URL against a local media origin (node:http on 127.0.0.1).
 * Sources: tiktok-api.md §2.2, §2.4, §2.5, §5, §6.1, §6.3, §12.5; architecture.md §6;
 * docs/sandbox-decisions-for-helpers.md ("PULL_FROM_URL").
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  control,
  createCreator,
  issueToken,
  mp4Bytes,
  sha256,
  tiktokPost,
  useSandbox,
  type Envelope,
  type HttpResult,
} from './helpers.ts';
import type { SandboxOptionsInput } from '../src/options.ts';

const INIT = '/v2/post/publish/video/init/';
const STATUS = '/v2/post/publish/status/fetch/';
const CANCEL = '/v2/post/publish/cancel/';
const SCOPES = 'user.info.basic,video.publish';
const LOG_ID = /^\d{14}[0-9A-F]{20}$/;

interface StatusData {
  status: string;
  fail_reason?: string;
  publicaly_available_post_id: unknown[];
  uploaded_bytes?: number;
  downloaded_bytes?: number;
}
interface PublishRecord {
  status: string;
  fail_reason?: string | null;
  received_bytes: number;
  sha256: string | null;
}
type StatusRes = HttpResult<Envelope<StatusData>>;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

const isFinal = (d: StatusData): boolean => d.status === 'PUBLISH_COMPLETE' || d.status === 'FAILED';

// ---------------------------------------------------------------------------------------------
// The media origin

const CLIP = mp4Bytes({ durationSec: 10, size: 1_000_000 });
const SLOW = mp4Bytes({ durationSec: 10, size: 2_000_000 });
const LONG = mp4Bytes({ durationSec: 120, size: 100_000 }); // creators below allow 60 s
const NOISE = Buffer.concat([Buffer.from('NOTAVIDEOFILE', 'latin1'), randomBytes(100_000)]);
const SMALL = mp4Bytes({ durationSec: 10, size: 200_000 });
const BIG = mp4Bytes({ durationSec: 10, size: 2_000_000 });

/** A response held after its first half until the test releases it. */
interface Hold {
  /** Resolves once the first half has been written to the socket. */
  firstHalfSent: Promise<void>;
  release(): void;
}

class MediaOrigin {
  server!: Server;
  base = '';
  readonly hits = new Map<string, number>();
  private holds = new Map<string, { sent: () => void; released: Promise<void>; release: () => void }>();
  private releaseAll: (() => void)[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get prefix(): string {
    return `${this.base}/media/`;
  }

  url(name: string): string {
    return `${this.prefix}${name}`;
  }

  count(name: string): number {
    return this.hits.get(`/media/${name}`) ?? 0;
  }

  /** The next request for `name` gets its first half, then waits for release() (max 10 s). */
  hold(name: string): Hold {
    let sent!: () => void;
    const firstHalfSent = new Promise<void>((r) => (sent = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    this.holds.set(`/media/${name}`, { sent, released, release });
    this.releaseAll.push(release);
    return { firstHalfSent, release };
  }

  reset(): void {
    this.hits.clear();
    for (const r of this.releaseAll) r();
    this.releaseAll = [];
    this.holds.clear();
  }

  async close(): Promise<void> {
    this.reset();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', this.base).pathname;
    this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
    res.on('error', () => undefined);
    const send = (body: Buffer): void => {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': body.length });
      res.end(body);
    };
    switch (path) {
      case '/media/clip.mp4':
      case '/media/redirect-target.mp4':
        return send(CLIP);
      case '/media/long.mp4':
        return send(LONG);
      case '/media/noise.mp4':
        return send(NOISE);
      case '/media/small.mp4':
        return send(SMALL);
      case '/media/big.mp4':
        return send(BIG);
      case '/media/big-chunked.mp4': {
        // No Content-Length: the size is only known by counting.
        res.writeHead(200, { 'content-type': 'video/mp4' });
        for (let i = 0; i < BIG.length && !res.destroyed; i += 100_000) {
          res.write(BIG.subarray(i, i + 100_000));
          await sleep(10);
        }
        res.end();
        return;
      }
      case '/media/redirect.mp4':
        res.writeHead(302, { location: `${this.base}/media/redirect-target.mp4` });
        res.end();
        return;
      case '/media/moved.mp4':
        res.writeHead(301, { location: `${this.base}/media/redirect-target.mp4` });
        res.end();
        return;
      case '/media/stall.mp4': {
        // Headers and 1,000 bytes, then nothing until the origin closes.
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': CLIP.length });
        res.write(CLIP.subarray(0, 1000));
        return;
      }
      case '/media/error.mp4':
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('origin broke');
        return;
      case '/media/slow.mp4': {
        const hold = this.holds.get(path);
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': SLOW.length });
        const half = SLOW.length / 2;
        if (hold) {
          this.holds.delete(path);
          res.write(SLOW.subarray(0, half), () => hold.sent());
          await Promise.race([hold.released, sleep(10_000)]);
        } else {
          res.write(SLOW.subarray(0, half));
        }
        // The second half over ~0.5 s.
        for (let i = half; i < SLOW.length && !res.destroyed; i += 200_000) {
          await sleep(100);
          res.write(SLOW.subarray(i, Math.min(i + 200_000, SLOW.length)));
        }
        res.end();
        return;
      }
      default:
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
    }
  }
}

const origin = new MediaOrigin();
beforeAll(async () => {
  await origin.start();
});
afterAll(async () => {
  await origin.close();
});
beforeEach(() => {
  origin.reset();
});

/**
 * Sandbox options whose verified prefix is the origin's; the port is known only once the origin
 * listens, so the (shared) array is filled in the file-level beforeAll, which runs before the
 * describe-level beforeAll of useSandbox that reads it.
 */
function originOptions(extra: SandboxOptionsInput = {}): SandboxOptionsInput & { verifiedPrefix: string[] } {
  const options = { ...extra, allowHttpPull: true, verifiedPrefix: [] as string[] };
  beforeAll(() => {
    options.verifiedPrefix.splice(0, options.verifiedPrefix.length, origin.prefix);
  });
  return options;
}

// ---------------------------------------------------------------------------------------------
// Client side

interface Pull {
  publishId: string;
  status(): Promise<StatusRes>;
  statusUntil(done: (d: StatusData) => boolean, timeoutMs?: number): Promise<StatusRes>;
  cancel(): Promise<HttpResult<Envelope<unknown>>>;
  record(): Promise<PublishRecord>;
}

function pullBody(videoUrl: string): unknown {
  return {
    post_info: {
      privacy_level: 'SELF_ONLY',
      title: 'pulled',
      disable_comment: false,
      disable_duet: false,
      disable_stitch: false,
      brand_content_toggle: false,
      brand_organic_toggle: false,
    },
    source_info: { source: 'PULL_FROM_URL', video_url: videoUrl },
  };
}

async function initPullRaw(
  base: string,
  videoUrl: string,
): Promise<HttpResult<Envelope<{ publish_id: string }>>> {
  const creator = await createCreator(base, { private_account: true, max_video_post_duration_sec: 60 });
  const { access_token } = await issueToken(base, creator.open_id, SCOPES);
  return tiktokPost(base, INIT, access_token, pullBody(videoUrl));
}

/** A private creator (max 60 s) on the unaudited app starts a pull of `videoUrl`. */
async function startPull(base: string, videoUrl: string): Promise<Pull> {
  const creator = await createCreator(base, { private_account: true, max_video_post_duration_sec: 60 });
  let token = (await issueToken(base, creator.open_id, SCOPES)).access_token;
  const init = await tiktokPost<Envelope<{ publish_id: string; upload_url?: string }>>(
    base,
    INIT,
    token,
    pullBody(videoUrl),
  );
  expect({ status: init.status, code: init.json?.error?.code, text: init.text }).toMatchObject({
    status: 200,
    code: 'ok',
  });
  expect(init.json.data).not.toHaveProperty('upload_url');
  const publishId = init.json.data!.publish_id;
  expect(publishId).toMatch(/^v_pub_url~v2\.\d{19}$/);
  let calls = 0;
  const rotate = async (): Promise<string> => {
    // status/fetch allows 30/min per token (§2.4): rotate tokens of the same creator.
    if (++calls % 20 === 0) token = (await issueToken(base, creator.open_id, SCOPES)).access_token;
    return token;
  };
  const status = async (): Promise<StatusRes> =>
    tiktokPost<Envelope<StatusData>>(base, STATUS, await rotate(), { publish_id: publishId });
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
        await sleep(50);
      }
      throw new Error(`status never satisfied the condition; last: ${last?.text}`);
    },
    async cancel() {
      return tiktokPost<Envelope<unknown>>(base, CANCEL, await rotate(), { publish_id: publishId });
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

/** FAILED comes as HTTP 200 + error.code ok, with the reason in data (§2.4). */
function expectFailed(res: StatusRes, reason: string): void {
  expect({ http: res.status, code: res.json.error.code }).toEqual({ http: 200, code: 'ok' });
  expect(res.json.data).toMatchObject({
    status: 'FAILED',
    fail_reason: reason,
    publicaly_available_post_id: [],
  });
  expect(typeof res.json.data?.downloaded_bytes).toBe('number');
  expect(res.json.data).not.toHaveProperty('uploaded_bytes');
}

// =============================================================================================

describe('§5 PULL_FROM_URL from a verified http prefix (allowHttpPull)', () => {
  const sb = useSandbox(originOptions());

  it('§5 §2.4 downloads the file and completes: downloaded_bytes = size, same sha256, no uploaded_bytes', async () => {
    const p = await startPull(sb.url, origin.url('clip.mp4'));
    const res = await p.statusUntil(isFinal);
    expect({ http: res.status, code: res.json.error.code }).toEqual({ http: 200, code: 'ok' });
    expect(res.json.data).toEqual({
      status: 'PUBLISH_COMPLETE',
      publicaly_available_post_id: [],
      downloaded_bytes: CLIP.length,
    });
    expect(await p.record()).toMatchObject({
      status: 'PUBLISH_COMPLETE',
      received_bytes: CLIP.length,
      sha256: sha256(CLIP),
    });
    expect(origin.count('clip.mp4')).toBe(1);
  });

  it('§5 §2.4 a slow origin: PROCESSING_DOWNLOAD with 0 < downloaded_bytes < size mid-download, then complete', async () => {
    const hold = origin.hold('slow.mp4');
    const p = await startPull(sb.url, origin.url('slow.mp4'));
    await hold.firstHalfSent;
    const mid = await p.statusUntil((d) => (d.downloaded_bytes ?? 0) > 0 || isFinal(d), 5000);
    expect(mid.json.error.code).toBe('ok');
    expect(mid.json.data?.status).toBe('PROCESSING_DOWNLOAD');
    expect(mid.json.data?.downloaded_bytes).toBeGreaterThan(0);
    expect(mid.json.data?.downloaded_bytes).toBeLessThan(SLOW.length);
    expect(mid.json.data).not.toHaveProperty('fail_reason');
    expect(mid.json.data).not.toHaveProperty('uploaded_bytes');
    expect((await p.record()).sha256).toBeNull();
    hold.release();
    const done = await p.statusUntil(isFinal);
    expect(done.json.data).toMatchObject({ status: 'PUBLISH_COMPLETE', downloaded_bytes: SLOW.length });
    expect((await p.record()).sha256).toBe(sha256(SLOW));
  });

  it('§5 a redirecting URL (302) → FAILED video_pull_failed; the redirect is not followed', async () => {
    const p = await startPull(sb.url, origin.url('redirect.mp4'));
    expectFailed(await p.statusUntil(isFinal), 'video_pull_failed');
    expect(origin.count('redirect.mp4')).toBe(1);
    expect(origin.count('redirect-target.mp4')).toBe(0);
  });

  it('§5 a 301 redirect → FAILED video_pull_failed', async () => {
    const p = await startPull(sb.url, origin.url('moved.mp4'));
    expectFailed(await p.statusUntil(isFinal), 'video_pull_failed');
    expect(origin.count('redirect-target.mp4')).toBe(0);
  });

  it('§5 §6.3 404 from the origin → FAILED video_pull_failed', async () => {
    const p = await startPull(sb.url, origin.url('missing.mp4'));
    expectFailed(await p.statusUntil(isFinal), 'video_pull_failed');
    expect(origin.count('missing.mp4')).toBe(1);
  });

  it('§5 §6.3 500 from the origin → FAILED video_pull_failed', async () => {
    const p = await startPull(sb.url, origin.url('error.mp4'));
    expectFailed(await p.statusUntil(isFinal), 'video_pull_failed');
  });

  it('§5 §6.3 a pulled file goes through processing: too long → duration_check_failed', async () => {
    const p = await startPull(sb.url, origin.url('long.mp4'));
    const res = await p.statusUntil(isFinal);
    expectFailed(res, 'duration_check_failed');
    expect(res.json.data?.downloaded_bytes).toBe(LONG.length);
  });

  it('§5 §6.3 a pulled file that is not a video → file_format_check_failed', async () => {
    const p = await startPull(sb.url, origin.url('noise.mp4'));
    expectFailed(await p.statusUntil(isFinal), 'file_format_check_failed');
  });

  it('§2.5 cancel during the download → 200 with no data, then FAILED publish_cancelled (and it stays so)', async () => {
    const hold = origin.hold('slow.mp4');
    const p = await startPull(sb.url, origin.url('slow.mp4'));
    await hold.firstHalfSent;
    const mid = await p.statusUntil((d) => (d.downloaded_bytes ?? 0) > 0 || isFinal(d), 5000);
    expect(mid.json.data?.status).toBe('PROCESSING_DOWNLOAD');
    const res = await p.cancel();
    expect({ http: res.status, code: res.json?.error?.code }).toEqual({ http: 200, code: 'ok' });
    expect(res.json).not.toHaveProperty('data');
    expect(res.json.error.log_id).toMatch(LOG_ID);
    expectFailed(await p.statusUntil(isFinal, 5000), 'publish_cancelled');
    // The origin now sends the rest: a cancelled publish must not complete.
    hold.release();
    await sleep(1200);
    expectFailed(await p.status(), 'publish_cancelled');
    expect((await p.record()).status).toBe('FAILED');
    // Already final → not cancellable.
    const again = await p.cancel();
    expect({ http: again.status, code: again.json?.error?.code }).toEqual({
      http: 400,
      code: 'publish_not_cancellable',
    });
  });

  it('§5 §2.2 a URL outside the verified prefix → 403 url_ownership_unverified at init; nothing is fetched', async () => {
    for (const url of [
      `${origin.base}/other/clip.mp4`,
      `${origin.base}/media`,
      `${origin.base}/mediaclip.mp4`,
    ]) {
      const res = await initPullRaw(sb.url, url);
      expect({ url, http: res.status, code: res.json?.error?.code }).toEqual({
        url,
        http: 403,
        code: 'url_ownership_unverified',
      });
      expect(res.json).not.toHaveProperty('data');
    }
    await sleep(200);
    expect([...origin.hits.keys()]).toEqual([]);
  });
});

describe('§5 pull limits (pullMaxBytes 1,000,000; pullTimeoutMs 1000)', () => {
  const sb = useSandbox(originOptions({ pullMaxBytes: 1_000_000, pullTimeoutMs: 1000 }));

  it('§5 a file within pullMaxBytes, served fast, still completes', async () => {
    const p = await startPull(sb.url, origin.url('small.mp4'));
    const res = await p.statusUntil(isFinal);
    expect(res.json.data).toMatchObject({ status: 'PUBLISH_COMPLETE', downloaded_bytes: SMALL.length });
  });

  it('§5 pullMaxBytes exceeded (Content-Length 2,000,000) → FAILED video_pull_failed', async () => {
    const p = await startPull(sb.url, origin.url('big.mp4'));
    expectFailed(await p.statusUntil(isFinal), 'video_pull_failed');
    expect((await p.record()).sha256).toBeNull();
  });

  it('§5 pullMaxBytes exceeded by a body without Content-Length → FAILED video_pull_failed', async () => {
    const p = await startPull(sb.url, origin.url('big-chunked.mp4'));
    const res = await p.statusUntil(isFinal);
    expectFailed(res, 'video_pull_failed');
    expect(res.json.data?.downloaded_bytes).toBeLessThanOrEqual(1_000_000 + 100_000);
  });

  it('§5 pullTimeoutMs exceeded (origin stalls after 1,000 bytes) → FAILED video_pull_failed', async () => {
    const started = Date.now();
    const p = await startPull(sb.url, origin.url('stall.mp4'));
    const res = await p.statusUntil(isFinal, 8000);
    expectFailed(res, 'video_pull_failed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect((await p.record()).sha256).toBeNull();
  });
});

describe('§5 http URLs without allowHttpPull', () => {
  // Only an https prefix can be verified here (http prefixes need allowHttpPull).
  const options = { verifiedPrefix: [] as string[] };
  beforeAll(() => {
    options.verifiedPrefix.push(`${origin.base.replace('http:', 'https:')}/media/`);
  });
  const sb = useSandbox(options);

  it('§5 an http:// URL → 403 url_ownership_unverified at init; nothing is fetched', async () => {
    const res = await initPullRaw(sb.url, origin.url('clip.mp4'));
    expect({ http: res.status, code: res.json?.error?.code }).toEqual({
      http: 403,
      code: 'url_ownership_unverified',
    });
    expect(res.json).not.toHaveProperty('data');
    expect(res.json.error.log_id).toMatch(LOG_ID);
    await sleep(200);
    expect(origin.count('clip.mp4')).toBe(0);
  });

  it('§5 the same path over https (the verified prefix) is accepted at init', async () => {
    const res = await initPullRaw(sb.url, `${origin.base.replace('http:', 'https:')}/media/clip.mp4`);
    expect({ http: res.status, code: res.json?.error?.code }).toEqual({ http: 200, code: 'ok' });
    expect(res.json.data?.publish_id).toMatch(/^v_pub_url~v2\.\d{19}$/);
  });
});
