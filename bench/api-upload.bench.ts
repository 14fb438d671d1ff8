/**
 * The FILE_UPLOAD path through the API, measured: a browser-like client posts a big MP4 as
 * multipart to POST /tiktok/publish/upload/:accountId, the API streams it to a temp file, then
 * init + chunked upload to TikTok (the sandbox). Both hops are on loopback. The API runs as its own
 * process, the built bundle as `npm run start:api` runs it (built first if its sources changed),
 * on the embedded PostgreSQL in a temp DATA_DIR, so that its memory is measured alone: its RSS is
 * sampled every 100 ms from /proc while the request runs (the database is a process of its own and
 * not in that figure). Neither the client (a file-backed Blob) nor the API may hold the video in
 * memory.
 *
 * Node's fetch (undici) clones every request that may follow a redirect, and the clone tees the
 * body stream: the branch kept for a replay is never read, so it buffers the whole upload in the
 * client (nodejs/undici#4058; about 1 GiB of RSS and a fifth of the speed for a 1 GiB video on
 * Node 20). `redirect: 'error'` with `window: null` is the spec's way around the clone; the API
 * never redirects this request.
 *
 *   npm run bench:api --workspace bench                     # a 1 GiB video
 *   BENCH_SIZE_MB=256 npm run bench:api --workspace bench   # a 256 MiB video
 *
 * Exits non-zero when TikTok's copy differs from the file (sha256), the publish does not complete,
 * or the API's upload temp dir is not empty afterwards.
 */
import { openAsBlob } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { headlessLogin, startDevIdentity } from '@cliprelay/dev-identity';
import { CookieJar } from '@cliprelay/test-kit/cookies';
import { freePort } from '@cliprelay/test-kit/ports';
import { ensureApiBuilt, spawnApi, stopChild, waitForHealth } from '@cliprelay/test-kit/processes';
import { MiB, writeMp4File } from '@cliprelay/test-kit/videos';
import { startSandbox, type SandboxControl } from '@cliprelay/tiktok-sandbox';

const SIZE_MB = Number(process.env.BENCH_SIZE_MB ?? 1024);
const SIZE = SIZE_MB * MiB;
/** What the movie header says; the sandbox's creator allows up to 600 s. */
const DURATION_SEC = 30;
const SAMPLE_EVERY_MS = 100;
const USER = 'dev|alice';
const FINAL_STATUSES = new Set(['PUBLISH_COMPLETE', 'FAILED']);

// ---------------------------------------------------------------------------------------------
// Cleanup: everything started or created registers its undo here, run once, newest first.
// ---------------------------------------------------------------------------------------------

const cleanups: (() => Promise<unknown>)[] = [];
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const undo of cleanups.reverse()) await undo().catch(() => undefined);
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

async function json<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

interface Memory {
  /** Resident set size now, MiB. */
  rss: number;
  /** The kernel's high-water mark of the RSS since the process started, MiB. */
  hwm: number;
}

async function memoryOf(pid: number): Promise<Memory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kB = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rss: kB('VmRSS') / 1024, hwm: kB('VmHWM') / 1024 };
}

/** CPU time (user + system) the process has used, in seconds (clock ticks of 1/100 s). */
async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const mib = (bytes: number) => bytes / MiB;
const fmt = (n: number, digits = 0) => n.toFixed(digits);

// ---------------------------------------------------------------------------------------------
// Sampling the API's memory (and when TikTok's init happened) while the request runs
// ---------------------------------------------------------------------------------------------

interface Sampling {
  /** Peak sampled RSS while the API was receiving the body (before TikTok's init), MiB. */
  peakReceiving: number;
  /** Peak sampled RSS after init, while the API sent the chunks to TikTok, MiB. */
  peakSending: number;
  samples: number;
  /** Seconds from the start of the request to the first sample that saw the publish at TikTok. */
  initAfterSec: number | undefined;
  /** Peak sampled RSS of this process (the client, and the sandbox in-process), MiB. */
  peakBench: number;
}

function startSampling(pid: number, tiktok: SandboxControl, openId: string, started: bigint) {
  const result: Sampling = {
    peakReceiving: 0,
    peakSending: 0,
    samples: 0,
    initAfterSec: undefined,
    peakBench: 0,
  };
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const { rss } = await memoryOf(pid);
      result.samples += 1;
      result.peakBench = Math.max(result.peakBench, mib(process.memoryUsage.rss()));
      if (result.initAfterSec === undefined) {
        if ((await tiktok.publishes()).some((p) => p.open_id === openId)) {
          result.initAfterSec = Number(process.hrtime.bigint() - started) / 1e9;
        }
      }
      if (result.initAfterSec === undefined) result.peakReceiving = Math.max(result.peakReceiving, rss);
      else result.peakSending = Math.max(result.peakSending, rss);
    } catch {
      // the API is gone or /proc is unreadable: the request's own error tells why
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), SAMPLE_EVERY_MS);
  return {
    async stop(): Promise<Sampling> {
      clearInterval(timer);
      while (busy) await sleep(5);
      await tick();
      return result;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The benchmark
// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  if (!Number.isInteger(SIZE_MB) || SIZE_MB < 1) {
    throw new Error(`BENCH_SIZE_MB must be a whole number of MiB ≥ 1, got ${process.env.BENCH_SIZE_MB}`);
  }
  const loadAtStart = loadavg()[0] ?? NaN;
  const root = await mkdtemp(join(tmpdir(), 'cliprelay-bench-api-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const uploadTmpDir = join(root, 'api-uploads');

  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const redirectUri = `${apiUrl}/tiktok/oauth/callback`;

  const sandbox = await startSandbox({
    port: 0,
    redirectUri: [redirectUri],
    processingDelayMs: 100,
    moderationDelayMs: 0,
    stateFile: join(root, 'sandbox', 'state.json'),
    dataDir: join(root, 'sandbox', 'videos'),
  });
  cleanups.push(() => sandbox.close());
  const identity = await startDevIdentity({ port: 0 });
  cleanups.push(() => identity.close());

  // The API as its own process, the built bundle as `npm run start:api` runs it. The bench decides
  // the database and the key: nothing inherited may point it elsewhere (the API reads an empty
  // variable as unset), so it runs the embedded PostgreSQL in its temp DATA_DIR and generates its
  // token key there.
  await ensureApiBuilt();
  const api = spawnApi({
    DATABASE_URL: '',
    TOKEN_ENCRYPTION_KEY: '',
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    DATA_DIR: join(root, 'api-data'),
    UPLOAD_TMP_DIR: uploadTmpDir,
    AUTH_ISSUER_URL: identity.issuer,
    TIKTOK_API_BASE_URL: sandbox.url,
    TIKTOK_AUTH_BASE_URL: sandbox.url,
    TIKTOK_CLIENT_KEY: sandbox.options.clientKey,
    TIKTOK_CLIENT_SECRET: sandbox.options.clientSecret,
    TIKTOK_REDIRECT_URI: redirectUri,
    TIKTOK_VERIFIED_URL_PREFIXES: 'https://media.cliprelay.test/videos/',
    CORS_ORIGINS: 'http://localhost:5173',
    WEB_APP_URL: 'http://localhost:5173',
    LOG_LEVEL: 'warn',
  });
  cleanups.push(() => stopChild(api));
  const pid = api.pid;
  if (pid === undefined) throw new Error('the API process did not start');
  await waitForHealth(apiUrl, api);

  // A signed-in user with a connected private creator, the way the web app gets there.
  const token = (await headlessLogin({ issuerUrl: identity.issuer, sub: USER })).access_token;
  const creator = await sandbox.control.createCreator({
    private_account: true,
    max_video_post_duration_sec: 600,
  });
  // One browser for the whole flow: the API links only where the connect began (its cookie).
  const browser = new CookieJar();
  const connect = await json<{ data: { authorizeUrl: string } }>(
    await browser.fetch(`${apiUrl}/tiktok/connect`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    }),
    'POST /tiktok/connect',
  );
  const consent = await sandbox.control.consent({
    authorize_url: connect.data.authorizeUrl,
    open_id: creator.open_id,
    approve: true,
  });
  const callback = await browser.fetch(consent.redirect_to);
  await callback.arrayBuffer();
  const back = new URL(callback.headers.get('location') ?? 'http://missing/');
  const accountId = back.searchParams.get('account');
  if (back.searchParams.get('tiktok_connect') !== 'success' || !accountId) {
    throw new Error(`connecting the creator failed: ${callback.status} → ${back.toString()}`);
  }

  // The video, on disk only.
  const videoPath = join(root, 'bench-video.mp4');
  const generating = process.hrtime.bigint();
  const fileSha256 = await writeMp4File(videoPath, SIZE, DURATION_SEC);
  const generateSec = Number(process.hrtime.bigint() - generating) / 1e9;

  // The upload: what the SPA sends, with the file read from disk as the request goes.
  const form = new FormData();
  form.append('title', `bench ${SIZE_MB} MiB #cliprelay`);
  form.append('privacy_level', 'SELF_ONLY');
  form.append('disable_duet', 'true');
  form.append('disable_stitch', 'true');
  form.append('disable_comment', 'false');
  form.append('file', await openAsBlob(videoPath, { type: 'video/mp4' }), 'bench-video.mp4');

  const idle = await memoryOf(pid);
  const cpuBefore = await cpuSecondsOf(pid);
  const started = process.hrtime.bigint();
  const sampling = startSampling(pid, sandbox.control, creator.open_id, started);
  let uploadRes: Response;
  let sampled: Sampling;
  try {
    uploadRes = await fetch(`${apiUrl}/tiktok/publish/upload/${accountId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
      // No redirect to follow, so no clone of the request: its body stream is not teed (see top).
      redirect: 'error',
      window: null,
    });
  } finally {
    sampled = await sampling.stop();
  }
  const upload = await json<{ data: { publish_id: string } }>(uploadRes, 'POST /tiktok/publish/upload');
  const totalSec = Number(process.hrtime.bigint() - started) / 1e9;
  const after = await memoryOf(pid);
  const apiCpuSec = (await cpuSecondsOf(pid)) - cpuBefore;
  const publishId = upload.data.publish_id;

  // TikTok's verdict, through the API.
  let status: { status: string; fail_reason: string | null } | undefined;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${apiUrl}/tiktok/publish/status/${encodeURIComponent(publishId)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    status = (await json<{ data: { status: string; fail_reason: string | null } }>(res, 'status')).data;
    if (FINAL_STATUSES.has(status.status)) break;
    await sleep(500);
  }

  const received = await sandbox.control.publish(publishId);
  const leftovers = await readdir(uploadTmpDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });

  const mb = mib(SIZE);
  const init = sampled.initAfterSec;
  const peak = Math.max(sampled.peakReceiving, sampled.peakSending, after.rss);
  const sameHash = received.sha256 === fileSha256;
  console.log('API FILE_UPLOAD: client → API (multipart) → TikTok sandbox (chunks), all on loopback');
  console.log(
    `  machine           ${availableParallelism()} cores, Node ${process.version}, load average ${fmt(loadAtStart, 1)} at the start`,
  );
  console.log(
    `  video             ${fmt(mb)} MiB (${SIZE.toLocaleString('en-US')} bytes), MP4 of ${DURATION_SEC} s, written in ${fmt(generateSec, 1)} s`,
  );
  console.log(`  whole request     ${fmt(totalSec, 2)} s, ${fmt(mb / totalSec, 1)} MiB/s`);
  if (init !== undefined) {
    console.log(
      `    client → API    ~${fmt(init, 1)} s, ~${fmt(mb / init, 1)} MiB/s (until TikTok saw the init; ±${SAMPLE_EVERY_MS} ms)`,
    );
    console.log(
      `    API → TikTok    ~${fmt(totalSec - init, 1)} s, ~${fmt(mb / (totalSec - init), 1)} MiB/s`,
    );
  }
  console.log(
    `  API RSS           ${fmt(idle.rss)} MiB idle, ${fmt(peak)} MiB peak (${sampled.samples} samples every ${SAMPLE_EVERY_MS} ms)`,
  );
  console.log(
    `    peak while      receiving ${fmt(sampled.peakReceiving)} MiB, sending ${fmt(sampled.peakSending)} MiB; ${fmt(after.rss)} MiB after`,
  );
  console.log(`    kernel VmHWM    ${fmt(idle.hwm)} MiB before the upload, ${fmt(after.hwm)} MiB after`);
  console.log(`  API CPU           ${fmt(apiCpuSec, 1)} s during the request (of ${fmt(totalSec, 1)} s)`);
  console.log(
    `  bench RSS         ${fmt(sampled.peakBench)} MiB peak (the client and the in-process sandbox)`,
  );
  console.log(
    `  TikTok received   ${received.received_bytes.toLocaleString('en-US')} bytes, sha256 ${sameHash ? 'equals' : 'DIFFERS from'} the file's`,
  );
  console.log(`                    ${received.sha256 ?? '(incomplete)'}`);
  console.log(
    `  TikTok status     ${status?.status ?? '(none)'}${status?.fail_reason ? ` (${status.fail_reason})` : ''}`,
  );
  console.log(
    `  UPLOAD_TMP_DIR    ${leftovers.length === 0 ? 'empty' : `NOT empty: ${leftovers.join(', ')}`}`,
  );

  const problems: string[] = [];
  if (!sameHash) problems.push('the sha256 TikTok computed differs from the file');
  if (received.received_bytes !== SIZE)
    problems.push(`TikTok received ${received.received_bytes} of ${SIZE}`);
  if (status?.status !== 'PUBLISH_COMPLETE')
    problems.push(`the publish ended ${status?.status ?? 'unknown'}`);
  if (leftovers.length > 0) problems.push('the API left files in UPLOAD_TMP_DIR');
  for (const problem of problems) console.error(`FAIL: ${problem}`);
  return problems.length === 0 ? 0 : 1;
}

void main()
  .catch((error: unknown) => {
    // After Ctrl-C the request fails because the API is stopping: not worth a stack trace.
    if (!cleaning) console.error(error);
    return 1;
  })
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  });
