/**
 * The faults matrix (issue 15): every failure the TikTok sandbox can inject, played against a real
 * publish — a pipelined multipart upload (`video_size` before `file`), a resumable upload (tus) or
 * a URL pull — in one table. Each case ends one of two ways, and only these:
 *
 * - success: TikTok (the sandbox) assembled exactly the user's bytes (sha256) and the post reads
 *   published;
 * - a clear error: a structured answer (code, message, request id), and the post, if one was
 *   made, failed with a message for the user.
 *
 * And in every case, once things settle: no temp file left (UPLOAD_TMP_DIR and its tus/ folder),
 * at most one PUBLISH_COMPLETE at TikTok for the submit, and no post left initializing or
 * uploading. Each case is recorded for docs/reliability.md (support/reliability.ts).
 */
import { createReadStream } from 'node:fs';
import { MiB, type TestFile, testFilesDir, writeMp4 } from '@cliprelay/test-kit/videos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireAccessTokenLocally, forgetCreatorInfo, queryDb } from './support/db.ts';
import {
  addFault,
  body,
  init,
  initBody,
  rawMultipart,
  rawPost,
  sandboxPublishesOf,
  tempFiles,
  waitFor,
  waitForEmptyDir,
} from './support/publish.ts';
import { ReliabilityReport } from './support/reliability.ts';
import { MEDIA_PREFIX, type Stack, startStack } from './support/stack.ts';
import { connectedAccount } from './support/tiktok.ts';
import { tusCreate, tusPatch } from './support/tus.ts';

/** Two chunks at TikTok (10,000,000 bytes, then the rest): a first and a last one to fault. */
const VIDEO_BYTES = 21 * MiB + 4321;
const FIRST_CHUNK = 10_000_000;
/** The sandbox's access tokens live 10 minutes here, less than an upload URL's hour. */
const ACCESS_TTL_SEC = 600;

const report = new ReliabilityReport('faults');

type Via = 'multipart' | 'tus' | 'pull';
type Expected = 'success' | 'failed' | 'refused';

const OUTCOME: Record<Expected, string> = {
  success: 'success, identical bytes at TikTok',
  failed: 'clear error, post failed',
  refused: 'clear error before any post',
};

interface Who {
  token: string;
  accountId: string;
  openId: string;
  /** The submit's post, once it settled. */
  postId?: string;
}

/** What the client heard: the final answer of its upload (or init). */
interface Heard {
  status: number;
  body: any;
}

interface Case {
  fault: string;
  via: Via[];
  expected: Expected;
  /** Before the publish: queue the fault, age a token. */
  arrange?: (who: Who) => Promise<void>;
  /** Multipart only: once TikTok has the first chunk and the client holds the rest. */
  midUpload?: (who: Who) => Promise<void>;
  /** Once the client has its answer: e.g. bring a post's next look forward. */
  afterAnswer?: (who: Who, heard: Heard) => Promise<void>;
  /** What this fault in particular must show, after the common checks. */
  check?: (who: Who, heard: Heard, via: Via) => Promise<void> | void;
}

describe('faults matrix: every fault the sandbox injects, against a real publish', () => {
  let stack: Stack;
  let files: Awaited<ReturnType<typeof testFilesDir>>;
  let video: TestFile;
  const startedAt = Date.now();
  const cases: { fault: string; via: Via; outcome: string; assertions: number; ms: number }[] = [];
  report.meta.cases = cases;

  beforeAll(async () => {
    files = await testFilesDir();
    video = await writeMp4(files.dir, 'faults.mp4', { durationSec: 12, size: VIDEO_BYTES });
    stack = await startStack({ sandbox: { activeUserCap: 10_000, accessTtl: ACCESS_TTL_SEC } });
  });
  afterAll(async () => {
    report.meta.wallTimeMs = Date.now() - startedAt;
    await report.write();
    await stack?.close();
    await files?.remove();
  });

  // ---------------------------------------------------------------------------------------------
  // Publishing, three ways

  /** A pipelined multipart upload; with `midUpload`, the client holds after the first chunk. */
  async function viaMultipart(who: Who, midUpload?: (who: Who) => Promise<void>): Promise<Heard> {
    const parts = rawMultipart(
      { title: 'Faults #matrix', privacy_level: 'SELF_ONLY', video_size: String(VIDEO_BYTES) },
      { name: 'faults.mp4', type: 'video/mp4' },
    );
    const exchange = rawPost(`${stack.apiUrl}/tiktok/publish/upload/${who.accountId}`, {
      authorization: `Bearer ${who.token}`,
      'content-type': parts.contentType,
      'content-length': String(parts.head.length + VIDEO_BYTES + parts.tail.length),
    });
    exchange.req.on('error', () => undefined); // an early answer may cut the rest of the body
    exchange.req.write(parts.head);
    const send = (start: number, end?: number) =>
      new Promise<void>((resolve) => {
        const stream = createReadStream(video.path, { start, ...(end === undefined ? {} : { end }) });
        stream.on('error', () => resolve());
        stream.on('end', resolve);
        stream.pipe(exchange.req, { end: false });
        void exchange.response.finally(() => stream.destroy());
      });
    try {
      if (midUpload) {
        // A megabyte past the chunk: the receiver holds back the tail that could be the boundary.
        const held = FIRST_CHUNK + MiB;
        await send(0, held - 1);
        await waitFor(
          'TikTok to accept the first chunk while the client holds the rest',
          async () => (await sandboxPublishesOf(stack, who.openId))[0]?.received_bytes === FIRST_CHUNK,
          10_000,
          50,
        );
        await midUpload(who);
        void send(held).then(() => exchange.req.end(parts.tail));
      } else {
        void send(0).then(() => exchange.req.end(parts.tail));
      }
      const answer = await exchange.response;
      return { status: answer.status, body: parseBody(answer.body) };
    } finally {
      exchange.req.destroy();
    }
  }

  /** A resumable upload: creation, then one PATCH of the whole file. */
  async function viaTus(who: Who): Promise<Heard> {
    const created = await tusCreate(stack.apiUrl, who, VIDEO_BYTES);
    if (created.status !== 201) return { status: created.status, body: await body(created) };
    const location = created.headers.get('location')!;
    const patched = await tusPatch(stack.apiUrl, who.token, location, video, 0);
    return { status: patched.status, body: undefined };
  }

  /** POST /tiktok/publish/init with PULL_FROM_URL (TikTok downloads the video itself). */
  async function viaPull(who: Who): Promise<Heard> {
    const res = await init(
      stack,
      who.token,
      initBody(who.accountId, {
        source_type: 'PULL_FROM_URL',
        video_url: `${MEDIA_PREFIX}faults.mp4`,
        video_size: undefined,
      }),
    );
    return { status: res.status, body: await body(res) };
  }

  // ---------------------------------------------------------------------------------------------
  // What TikTok and our database hold

  interface PostState {
    id: string;
    publish_id: string | null;
    local_status: string;
    error_code: string | null;
    user_message: string | null;
  }

  const postsOf = (accountId: string) =>
    queryDb<PostState>(
      stack,
      `select id, publish_id, local_status, error_code, user_message from posts
        where social_account_id = $1 order by created_at`,
      [accountId],
    );

  const IN_FLIGHT = new Set(['initializing', 'uploading']);
  const SETTLED = new Set(['published', 'failed']);

  /** The post's next look at TikTok, brought forward to now (as if its wait had passed). */
  async function lookNow(accountId: string): Promise<number> {
    const rows = await queryDb(
      stack,
      `update pgboss.job set start_after = now()
        where name = 'follow-post' and state in ('created', 'retry')
          and singleton_key in (select id::text from posts where social_account_id = $1)
        returning id`,
      [accountId],
    );
    return rows.length;
  }

  /** Waits until no post of the account is in flight, and (when `settled`) each one is final. */
  async function settle(accountId: string, settled: boolean): Promise<PostState[]> {
    let rows: PostState[] = [];
    await waitFor(
      settled ? 'every post to be settled' : 'no post in flight',
      async () => {
        rows = await postsOf(accountId);
        return rows.every((r) => (settled ? SETTLED.has(r.local_status) : !IN_FLIGHT.has(r.local_status)));
      },
      20_000,
      100,
    );
    return rows;
  }

  /** The log lines the API wrote about one message, parsed. */
  const logged = (msg: string) =>
    stack.logs.map((l) => JSON.parse(l) as Record<string, any>).filter((l) => l.msg === msg);

  // ---------------------------------------------------------------------------------------------
  // The table

  const CASES: Case[] = [
    {
      fault: 'token endpoint 5xx during a refresh, before the form (creator_info)',
      via: ['multipart', 'tus'],
      expected: 'refused',
      arrange: async (who) => {
        await forgetCreatorInfo(stack, who.accountId);
        await expireAccessTokenLocally(stack, who.accountId);
        await addFault(stack, { endpoint: 'token', http_status: 502, open_id: who.openId });
      },
      check: (_who, heard) => {
        expect(heard.body).toMatchObject({ code: 'TIKTOK_UNAVAILABLE', retryable: true });
      },
    },
    {
      fault: 'token endpoint 5xx during a refresh, at init',
      via: ['multipart', 'tus'],
      expected: 'failed',
      arrange: async (who) => {
        // The form read the creator's settings moments ago; the token ages meanwhile.
        expect((await stack.call(`/tiktok/creator-info/${who.accountId}`, { token: who.token })).status).toBe(
          200,
        );
        await expireAccessTokenLocally(stack, who.accountId);
        await addFault(stack, { endpoint: 'token', http_status: 500, open_id: who.openId });
      },
      check: async (who, heard) => {
        expect(heard.body).toMatchObject({ code: 'TIKTOK_UNAVAILABLE', retryable: true });
        expect(await sandboxPublishesOf(stack, who.openId)).toEqual([]);
      },
    },
    {
      fault: 'token endpoint 5xx during a refresh, while following the post',
      via: ['multipart'],
      expected: 'success',
      midUpload: async (who) => {
        await expireAccessTokenLocally(stack, who.accountId);
        await addFault(stack, { endpoint: 'token', http_status: 503, open_id: who.openId });
      },
      afterAnswer: async (who) => {
        await waitFor('the refresh to fail once', async () => (await stack.sandbox.faults()).length === 0);
        // The refresh failed; the post's job looks again in 5 s: now.
        await waitFor('the next look to be queued', async () => (await lookNow(who.accountId)) > 0);
      },
      check: async (who) => {
        const tokens = await stack.sandbox.tokens(who.openId);
        expect(tokens.filter((t) => t.type === 'refresh' && t.state === 'rotated')).toHaveLength(1);
      },
    },
    {
      fault: 'access token expires mid-upload (sandbox clock past its TTL)',
      via: ['multipart'],
      expected: 'success',
      midUpload: async () => {
        await stack.sandbox.advanceClock(ACCESS_TTL_SEC + 100);
      },
      check: async (who) => {
        // Our clock still trusted the token; TikTok's access_token_invalid made the API refresh.
        const tokens = await stack.sandbox.tokens(who.openId);
        expect(tokens.filter((t) => t.type === 'access' && t.state === 'expired')).toHaveLength(1);
        expect(tokens.filter((t) => t.type === 'access' && t.state === 'active')).toHaveLength(1);
        expect(await sandboxPublishesOf(stack, who.openId)).toHaveLength(1);
      },
    },
    {
      fault: 'access token and upload URL expire mid-upload (sandbox clock past both)',
      via: ['multipart'],
      expected: 'success',
      midUpload: async () => {
        await stack.sandbox.advanceClock(3600 + 100);
      },
      check: async (who) => {
        // The upload URL's 403 made a fresh init (its token refreshed); the first never completes.
        const publishes = await sandboxPublishesOf(stack, who.openId);
        expect(publishes.map((p) => p.status).sort()).toEqual(['PROCESSING_UPLOAD', 'PUBLISH_COMPLETE']);
        const tokens = await stack.sandbox.tokens(who.openId);
        expect(tokens.filter((t) => t.type === 'refresh' && t.state === 'rotated')).toHaveLength(1);
      },
    },
    {
      fault: 'chunk 5xx (twice on the last chunk)',
      via: ['multipart', 'tus'],
      expected: 'success',
      arrange: async (who) => {
        await addFault(stack, {
          endpoint: 'upload',
          http_status: 503,
          chunk_index: 1,
          count: 2,
          open_id: who.openId,
        });
      },
      check: (who) => {
        const sent = logged('video sent to tiktok').filter((l) => l.postId === who.postId);
        expect(sent.map((l) => l.chunkRetries)).toEqual([2]);
      },
    },
    {
      fault: 'connection reset on a chunk',
      via: ['multipart', 'tus'],
      expected: 'success',
      arrange: async (who) => {
        await addFault(stack, { endpoint: 'upload', reset: true, chunk_index: 0, open_id: who.openId });
      },
    },
    {
      fault: 'connection reset after the last chunk was received (its answer lost)',
      via: ['multipart'],
      expected: 'success',
      arrange: async (who) => {
        await addFault(stack, {
          endpoint: 'upload',
          reset: true,
          after_receive: true,
          chunk_index: 1,
          open_id: who.openId,
        });
      },
    },
    {
      fault: '416 on a chunk TikTok does not have',
      via: ['multipart', 'tus'],
      expected: 'success',
      arrange: async (who) => {
        await addFault(stack, { endpoint: 'upload', http_status: 416, chunk_index: 1, open_id: who.openId });
      },
    },
    {
      fault: '416 after_receive (TikTok has the chunk; its answer was lost)',
      via: ['multipart', 'tus'],
      expected: 'success',
      arrange: async (who) => {
        await addFault(stack, {
          endpoint: 'upload',
          http_status: 416,
          after_receive: true,
          chunk_index: 0,
          open_id: who.openId,
        });
      },
    },
    {
      fault: 'upload URL expiry (403), renewed with a fresh init',
      via: ['multipart', 'tus'],
      expected: 'success',
      arrange: async (who) => {
        await addFault(stack, { endpoint: 'upload', http_status: 403, chunk_index: 1, open_id: who.openId });
      },
      check: async (who) => {
        const publishes = await sandboxPublishesOf(stack, who.openId);
        expect(publishes.map((p) => p.status).sort()).toEqual(['PROCESSING_UPLOAD', 'PUBLISH_COMPLETE']);
      },
    },
    {
      fault: 'upload URL expiry (403) on every session',
      via: ['multipart'],
      expected: 'failed',
      arrange: async (who) => {
        await addFault(stack, { endpoint: 'upload', http_status: 403, count: 3, open_id: who.openId });
      },
      check: async (who, heard) => {
        expect(heard.body).toMatchObject({ code: 'UPLOAD_FAILED', retryable: false });
        expect(await sandboxPublishesOf(stack, who.openId)).toHaveLength(3);
      },
    },
    {
      fault: 'status_fetch 429',
      via: ['multipart'],
      expected: 'success',
      arrange: async (who) => {
        await addFault(stack, {
          endpoint: 'status_fetch',
          http_status: 429,
          error_code: 'rate_limit_exceeded',
          open_id: who.openId,
        });
      },
      afterAnswer: async (who) => {
        await waitFor('the 429 to be answered', async () => (await stack.sandbox.faults()).length === 0);
        // The post waits out TikTok's minute, still processing (not failed, not in flight).
        let next: { wait_sec: number }[] = [];
        await waitFor('the next look to be queued', async () => {
          next = await queryDb<{ wait_sec: number }>(
            stack,
            `select extract(epoch from j.start_after - now())::int as wait_sec from pgboss.job j
              join posts p on j.singleton_key = p.id::text
             where j.name = 'follow-post' and j.state in ('created', 'retry') and p.social_account_id = $1`,
            [who.accountId],
          );
          return next.length === 1;
        });
        expect(next[0]!.wait_sec).toBeGreaterThanOrEqual(50);
        expect((await postsOf(who.accountId)).map((p) => p.local_status)).toEqual(['processing']);
        await lookNow(who.accountId);
      },
    },
    {
      fault: 'creator_info 5xx',
      via: ['multipart', 'tus'],
      expected: 'refused',
      arrange: async (who) => {
        await forgetCreatorInfo(stack, who.accountId);
        await addFault(stack, { endpoint: 'creator_info', http_status: 500, open_id: who.openId });
      },
      check: async (who, heard) => {
        expect(heard.body).toMatchObject({ code: 'TIKTOK_UNAVAILABLE', retryable: true });
        expect(await sandboxPublishesOf(stack, who.openId)).toEqual([]);
      },
    },
    {
      fault: 'init 5xx (FILE_UPLOAD)',
      via: ['multipart', 'tus'],
      expected: 'failed',
      arrange: async (who) => {
        await addFault(stack, { endpoint: 'video_init', http_status: 500, open_id: who.openId });
      },
      check: async (who, heard) => {
        expect(heard.body).toMatchObject({ code: 'TIKTOK_UNAVAILABLE', retryable: true });
        expect(await sandboxPublishesOf(stack, who.openId)).toEqual([]);
      },
    },
    {
      fault: 'init 5xx (PULL_FROM_URL): outcome unknown, not retried',
      via: ['pull'],
      expected: 'failed',
      arrange: async (who) => {
        await addFault(stack, { endpoint: 'video_init', http_status: 500, open_id: who.openId });
      },
      check: async (who, heard) => {
        expect(heard.body).toMatchObject({ code: 'TIKTOK_UNAVAILABLE', retryable: false });
        expect((await postsOf(who.accountId))[0]).toMatchObject({ error_code: 'OUTCOME_UNKNOWN' });
      },
    },
  ];

  // ---------------------------------------------------------------------------------------------

  const tusDir = () => `${stack.uploadTmpDir}/tus`;

  for (const c of CASES) {
    for (const via of c.via) {
      const expected = OUTCOME[c.expected];
      it(`${c.fault} (${via}): ${expected}; no temp file, no duplicate, nothing in flight`, async () => {
        const before = expect.getState().assertionCalls;
        const started = Date.now();
        const who: Who = await connectedAccount(stack, 'dev|alice');
        await c.arrange?.(who);

        const heard =
          via === 'multipart'
            ? await viaMultipart(who, c.midUpload)
            : via === 'tus'
              ? await viaTus(who)
              : await viaPull(who);
        await c.afterAnswer?.(who, heard);

        const rows = await settle(who.accountId, c.expected !== 'refused');
        who.postId = rows[0]?.id;
        // Every injected fault was played (none left queued to hit a later case).
        expect((await stack.sandbox.faults()).filter((f) => f.open_id === who.openId)).toEqual([]);

        if (c.expected === 'success') {
          expect(heard.status, JSON.stringify(heard.body)).toBe(via === 'tus' ? 204 : 200);
          expect(rows).toHaveLength(1);
          expect(rows[0]).toMatchObject({ local_status: 'published', error_code: null });
          const complete = (await sandboxPublishesOf(stack, who.openId)).filter(
            (p) => p.status === 'PUBLISH_COMPLETE',
          );
          expect(complete).toHaveLength(1);
          expect(complete[0]).toMatchObject({
            publish_id: rows[0]!.publish_id,
            received_bytes: VIDEO_BYTES,
            sha256: video.sha256,
          });
          if (via === 'multipart') expect(heard.body.data.publish_id).toBe(rows[0]!.publish_id);
        } else {
          // A clear error: structured, with the words the user reads.
          if (via !== 'tus' || c.expected === 'refused') {
            expect(heard.status, JSON.stringify(heard.body)).toBeGreaterThanOrEqual(400);
            expect(heard.body).toMatchObject({
              statusCode: heard.status,
              code: expect.any(String),
              message: expect.any(String),
              requestId: expect.any(String),
            });
          } else {
            // A resumable upload's PATCH is cut or refused; its status tells why.
            expect(heard.status === 0 || heard.status >= 400, String(heard.status)).toBe(true);
          }
          if (c.expected === 'failed') {
            expect(rows).toHaveLength(1);
            expect(rows[0]!.local_status).toBe('failed');
            expect(rows[0]!.user_message).toEqual(expect.any(String));
            // The answer's message is the user's, plus TikTok's code when TikTok said one.
            if (heard.body?.message) expect(heard.body.message).toContain(rows[0]!.user_message);
          } else {
            expect(rows).toEqual([]);
          }
          const complete = (await sandboxPublishesOf(stack, who.openId)).filter(
            (p) => p.status === 'PUBLISH_COMPLETE',
          );
          expect(complete).toEqual([]);
        }
        await c.check?.(who, heard, via);

        // Whatever happened: no temp file (spool files and tus uploads), nothing in flight.
        await waitForEmptyDir(stack.uploadTmpDir);
        expect(await tempFiles(tusDir())).toEqual([]);
        expect((await postsOf(who.accountId)).filter((p) => IN_FLIGHT.has(p.local_status))).toEqual([]);

        report.record(c.fault, expected);
        cases.push({
          fault: c.fault,
          via,
          outcome: expected,
          assertions: expect.getState().assertionCalls - before,
          ms: Date.now() - started,
        });
      });
    }
  }
});

function parseBody(text: string): any {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}
