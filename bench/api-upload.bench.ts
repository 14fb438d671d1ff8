/**
 * The FILE_UPLOAD path through the API, measured: a browser-like client posts a big MP4 as
 * multipart to POST /tiktok/publish/upload/:accountId, the API streams it to a temp file, then
 * init + chunked upload to TikTok (the sandbox). Both hops are on loopback. The API runs as its own
 * process (as `npm run start:api` does) so that its memory is measured alone: its RSS is sampled
 * every 100 ms from /proc while the request runs. Neither the client (a file-backed Blob) nor the
 * API may hold the video in memory.
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
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { headlessLogin, startDevIdentity } from '@cliprelay/dev-identity';
import { startSandbox } from '@cliprelay/tiktok-sandbox';

const MiB = 1024 * 1024;
const SIZE_MB = Number(process.env.BENCH_SIZE_MB ?? 1024);
const SIZE = SIZE_MB * MiB;
/** What the movie header says; the sandbox's creator allows up to 600 s. */
const DURATION_SEC = 30;
const WRITE_BLOCK = 4 * MiB;
const SAMPLE_EVERY_MS = 100;
const REPO = fileURLToPath(new URL('..', import.meta.url));
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function json<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

function postJson(url: string, body: unknown, token?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
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
// The stack
// ---------------------------------------------------------------------------------------------

/** The API as its own process, exactly as `npm run start:api` runs it, with this stack's URLs. */
function spawnApi(env: Record<string, string>): ChildProcess {
  // The bench decides the database and the key: nothing inherited may point the API elsewhere.
  const { DATABASE_URL: _db, TOKEN_ENCRYPTION_KEY: _key, ...inherited } = process.env;
  const child = spawn(
    process.execPath,
    ['--import', '@swc-node/register/esm-register', join(REPO, 'apps', 'api', 'src', 'main.ts')],
    {
      cwd: REPO,
      env: { ...inherited, SWC_NODE_PROJECT: join(REPO, 'apps', 'api', 'tsconfig.json'), ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  cleanups.push(() => stopChild(child));
  return child;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function waitForHealth(apiUrl: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the API exited during boot (exit code ${child.exitCode})`);
    try {
      const res = await fetch(`${apiUrl}/health`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`the API did not become healthy at ${apiUrl}/health within 60 s`);
}

// ---------------------------------------------------------------------------------------------
// The test video
// ---------------------------------------------------------------------------------------------

function box(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

/**
 * An MP4 of exactly `size` bytes, written in blocks and hashed on the way: ftyp, moov(mvhd) with
 * the duration, then one mdat (64-bit size when it needs one) of random-ish bytes: a random block
 * stamped with its index, so no two blocks are equal and a byte out of place changes the sha256.
 * Layout as in apps/api/test/support/video.ts.
 */
async function writeVideo(path: string, size: number, durationSec: number): Promise<string> {
  const ftyp = box(
    'ftyp',
    Buffer.from('isom', 'latin1'),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from('isomiso2avc1mp41', 'latin1'),
  );
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(1000, 12); // timescale
  mvhd.writeUInt32BE(durationSec * 1000, 16); // duration in timescale units
  mvhd.writeUInt32BE(0x00010000, 20); // rate 1.0
  mvhd.writeUInt16BE(0x0100, 24); // volume 1.0
  mvhd.writeUInt32BE(2, 96); // next track id
  const moov = box('moov', box('mvhd', mvhd));
  const rest = size - ftyp.length - moov.length;
  const large = rest > 0xffff_ffff;
  const mdatHeader = Buffer.alloc(large ? 16 : 8);
  if (large) {
    mdatHeader.writeUInt32BE(1, 0);
    mdatHeader.writeBigUInt64BE(BigInt(rest), 8);
  } else {
    mdatHeader.writeUInt32BE(rest, 0);
  }
  mdatHeader.write('mdat', 4, 'latin1');
  const payload = rest - mdatHeader.length;
  if (payload < 0) throw new Error(`a video of ${size} bytes is too small`);

  const hash = createHash('sha256');
  const file = await open(path, 'w');
  try {
    const write = async (bytes: Buffer) => {
      hash.update(bytes);
      await file.write(bytes);
    };
    await write(Buffer.concat([ftyp, moov, mdatHeader]));
    const block = randomBytes(WRITE_BLOCK);
    for (let written = 0, i = 0; written < payload; i++) {
      const n = Math.min(WRITE_BLOCK, payload - written);
      block.writeUInt32BE(i, 0);
      block.writeUInt32BE(i, WRITE_BLOCK / 2);
      await write(n === WRITE_BLOCK ? block : block.subarray(0, n));
      written += n;
    }
  } finally {
    await file.close();
  }
  return hash.digest('hex');
}

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

function startSampling(pid: number, sandboxUrl: string, openId: string, started: bigint) {
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
        const { data } = await json<{ data: { open_id: string }[] }>(
          await fetch(`${sandboxUrl}/_sandbox/publishes`),
          'sandbox publishes',
        );
        if (data.some((p) => p.open_id === openId)) {
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

  const api = spawnApi({
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
  const pid = api.pid;
  if (pid === undefined) throw new Error('the API process did not start');
  await waitForHealth(apiUrl, api);

  // A signed-in user with a connected private creator, the way the web app gets there.
  const token = (await headlessLogin({ issuerUrl: identity.issuer, sub: USER })).access_token;
  const creator = await json<{ open_id: string }>(
    await postJson(`${sandbox.url}/_sandbox/creators`, {
      private_account: true,
      max_video_post_duration_sec: 600,
    }),
    'sandbox creator',
  );
  const connect = await json<{ data: { authorizeUrl: string } }>(
    await postJson(`${apiUrl}/tiktok/connect`, {}, token),
    'POST /tiktok/connect',
  );
  const consent = await json<{ redirect_to: string }>(
    await postJson(`${sandbox.url}/_sandbox/consent`, {
      authorize_url: connect.data.authorizeUrl,
      open_id: creator.open_id,
      approve: true,
    }),
    'sandbox consent',
  );
  const callback = await fetch(consent.redirect_to, { redirect: 'manual' });
  await callback.arrayBuffer();
  const back = new URL(callback.headers.get('location') ?? 'http://missing/');
  const accountId = back.searchParams.get('account');
  if (back.searchParams.get('tiktok_connect') !== 'success' || !accountId) {
    throw new Error(`connecting the creator failed: ${callback.status} → ${back.toString()}`);
  }

  // The video, on disk only.
  const videoPath = join(root, 'bench-video.mp4');
  const generating = process.hrtime.bigint();
  const fileSha256 = await writeVideo(videoPath, SIZE, DURATION_SEC);
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
  const sampling = startSampling(pid, sandbox.url, creator.open_id, started);
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

  const received = await json<{ received_bytes: number; sha256: string | null }>(
    await fetch(`${sandbox.url}/_sandbox/publishes/${encodeURIComponent(publishId)}`),
    'sandbox publish',
  );
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
