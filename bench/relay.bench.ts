/**
 * The relay against a direct upload, measured in one run: the same video sent straight to TikTok's
 * upload host (the sandbox) in 10,000,000-byte chunk PUTs, and through the API as the web app
 * sends it (multipart, `video_size` before `file`, so the API forwards each chunk while the next
 * one arrives), and as a resumable (tus) upload, the web app's own path (one PATCH, no multipart
 * to parse). Median of 3 runs each, interleaved so that drift hits them alike. Then 4 uploads of
 * 256 MiB through the API at once.
 *
 * The sandbox and the API (the built bundle, embedded PostgreSQL in a temp DATA_DIR) run as
 * processes of their own; both clients are plain node:http requests streaming the file from disk,
 * so neither side of the comparison has a client the other lacks. While a relay runs, the API's
 * RSS (VmRSS from /proc) and the bytes in its UPLOAD_TMP_DIR are sampled every 50 ms; the RSS
 * figure is the peak above the API's RSS once booted, before any upload. The CPU seconds of each
 * process are read from /proc too: the legs share the machine's cores, and their sum over the
 * cores is the least wall time this machine allows.
 *
 *   npm run bench:relay --workspace bench
 *   BENCH_SIZE_MB=256 BENCH_RUNS=1 npm run bench:relay --workspace bench
 *   BENCH_ONLY=tus npm run bench:relay --workspace bench      # only some parts (comma-separated:
 *                                                             # relay, concurrent, resume, tus)
 *
 * Writes its figures to bench/results.json (key `relay`), unless BENCH_ONLY left parts out. Exits
 * non-zero when TikTok's copy of a video differs from the file, or a temp file is left behind;
 * targets missed are printed.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MiB, writeMp4File } from '@cliprelay/test-kit/videos';
import { startBenchStack, stopBenchStack } from './support/stack.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SIZE = Number(process.env.BENCH_SIZE_MB ?? 1024) * MiB;
const CONCURRENT = 4;
const CONCURRENT_SIZE = 256 * MiB;
const CHUNK = 10_000_000;
const SAMPLE_MS = 50;
/** The parts to run (BENCH_ONLY, comma-separated); all of them when unset. */
const PARTS = ['relay', 'concurrent', 'resume', 'tus'] as const;
const ONLY = new Set(
  process.env.BENCH_ONLY?.split(',')
    .map((p) => p.trim())
    .filter(Boolean) ?? PARTS,
);
for (const p of ONLY) {
  if (!(PARTS as readonly string[]).includes(p)) throw new Error(`BENCH_ONLY: no part named ${p}`);
}
const runs = (part: (typeof PARTS)[number]) => ONLY.has(part);
const HERE = dirname(fileURLToPath(import.meta.url));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
const fmt = (n: number, digits = 0) => n.toFixed(digits);

// ---------------------------------------------------------------------------------------------
// Clients: one request at a time, the body streamed from the file
// ---------------------------------------------------------------------------------------------

interface Answer {
  status: number;
  body: string;
}

function request(
  url: string,
  method: string,
  headers: Record<string, string | number>,
  send: (req: http.ClientRequest) => void,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    send(req);
  });
}

function streamFile(req: http.ClientRequest, path: string, range?: { start: number; end: number }) {
  return new Promise<void>((resolve, reject) => {
    const file = createReadStream(path, range);
    file.on('error', reject);
    file.on('end', resolve);
    file.pipe(req, { end: false });
  });
}

/** Straight to TikTok: init, then every chunk PUT in order (what a browser-side upload does). */
async function direct(sandboxUrl: string, accessToken: string, path: string, size: number): Promise<number> {
  const started = process.hrtime.bigint();
  const count = Math.floor(size / CHUNK);
  const init = await fetch(`${sandboxUrl}/v2/post/publish/video/init/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      post_info: { privacy_level: 'SELF_ONLY', title: 'bench direct' },
      source_info: { source: 'FILE_UPLOAD', video_size: size, chunk_size: CHUNK, total_chunk_count: count },
    }),
  });
  const { data } = (await init.json()) as { data: { upload_url: string } };
  for (let i = 0; i < count; i++) {
    const start = i * CHUNK;
    const end = i === count - 1 ? size - 1 : start + CHUNK - 1;
    const answer = await request(
      data.upload_url,
      'PUT',
      {
        'content-type': 'video/mp4',
        'content-length': end - start + 1,
        'content-range': `bytes ${start}-${end}/${size}`,
      },
      (req) => void streamFile(req, path, { start, end }).then(() => req.end()),
    );
    if (answer.status !== (i === count - 1 ? 201 : 206)) throw new Error(`chunk ${i}: HTTP ${answer.status}`);
  }
  return seconds(started);
}

/** Through the API, as the web app sends it: fields with video_size, then the file. */
async function relay(
  apiUrl: string,
  token: string,
  accountId: string,
  path: string,
  size: number,
): Promise<{ sec: number; publishId: string }> {
  const boundary = `----cliprelay-bench-${Date.now().toString(16)}`;
  const fields = { title: 'bench relay', privacy_level: 'SELF_ONLY', video_size: String(size) };
  const head = Buffer.from(
    Object.entries(fields)
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const started = process.hrtime.bigint();
  const answer = await request(
    `${apiUrl}/tiktok/publish/upload/${accountId}`,
    'POST',
    {
      authorization: `Bearer ${token}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': head.length + size + tail.length,
    },
    (req) => {
      req.write(head);
      void streamFile(req, path).then(() => req.end(tail));
    },
  );
  const sec = seconds(started);
  if (answer.status !== 200) throw new Error(`relay: HTTP ${answer.status} ${answer.body}`);
  return { sec, publishId: (JSON.parse(answer.body) as { data: { publish_id: string } }).data.publish_id };
}

/**
 * Through the API as the web app sends it today: a resumable (tus) upload, one PATCH of the whole
 * file (no multipart to parse), timed until TikTok has every byte (the relay runs beside the
 * PATCH and ends a moment after it).
 */
async function tusRelay(
  apiUrl: string,
  token: string,
  accountId: string,
  path: string,
  size: number,
): Promise<{ sec: number; publishId: string }> {
  const auth = { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' };
  const started = process.hrtime.bigint();
  const location = await createTusUpload(apiUrl, token, accountId, size, 'bench tus');
  const answer = await request(
    location,
    'PATCH',
    {
      ...auth,
      'upload-offset': '0',
      'content-type': 'application/offset+octet-stream',
      'content-length': size,
    },
    (req) => void streamFile(req, path).then(() => req.end()),
  );
  if (answer.status !== 204) throw new Error(`tus PATCH: HTTP ${answer.status} ${answer.body}`);
  const id = location.split('/').pop()!;
  for (;;) {
    const res = await fetch(`${apiUrl}/tiktok/uploads/${id}/status`, { headers: auth });
    const { data } = (await res.json()) as { data: { local_status: string; publish_id: string } };
    if (data.local_status === 'failed') throw new Error('tus relay: the post failed');
    if (data.local_status !== 'uploading') return { sec: seconds(started), publishId: data.publish_id };
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A resumable upload (tus creation) of `size` bytes for the account: its absolute URL. */
async function createTusUpload(
  apiUrl: string,
  token: string,
  accountId: string,
  size: number,
  title: string,
): Promise<string> {
  const b64 = (v: string) => Buffer.from(v).toString('base64');
  const created = await fetch(`${apiUrl}/tiktok/uploads`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'tus-resumable': '1.0.0',
      'upload-length': String(size),
      'upload-metadata': `social_account_id ${b64(accountId)},filename ${b64('bench.mp4')},privacy_level ${b64('SELF_ONLY')},title ${b64(title)}`,
    },
  });
  if (created.status !== 201) throw new Error(`tus creation: HTTP ${created.status} ${await created.text()}`);
  return `${apiUrl}${created.headers.get('location')}`;
}

/**
 * A resumable upload (tus) of `path` whose connection is cut once half the file is sent, then
 * resumed from the offset the server reports. Before the cut, each write is counted once the
 * socket took it (its callback), and the connection is cut once all of them were taken: the
 * bytes counted are the bytes that left the client, not ones still queued in it. Returns the
 * bytes the client sent in all, and the publish id.
 */
async function resumable(
  apiUrl: string,
  token: string,
  accountId: string,
  path: string,
  size: number,
): Promise<{ clientBytes: number; offsetAtCut: number; publishId: string }> {
  const auth = { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' };
  const location = await createTusUpload(apiUrl, token, accountId, size, 'bench resume');
  let clientBytes = 0;
  const patchFrom = (offset: number, cutAt?: number) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(location, {
        method: 'PATCH',
        headers: {
          ...auth,
          'upload-offset': String(offset),
          'content-type': 'application/offset+octet-stream',
          'content-length': String(size - offset),
        },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 204 ? resolve() : reject(new Error(`PATCH: HTTP ${res.statusCode}`)),
        );
      });
      req.on('error', (error) => (cutAt === undefined ? reject(error) : undefined));
      if (cutAt === undefined) {
        const file = createReadStream(path, { start: offset });
        file.on('data', (chunk) => (clientBytes += chunk.length));
        file.pipe(req);
        return;
      }
      void (async () => {
        for await (const chunk of createReadStream(path, { start: offset, end: cutAt - 1 })) {
          await new Promise<void>((taken, failed) =>
            req.write(chunk, (error) => (error ? failed(error) : taken())),
          );
          clientBytes += (chunk as Buffer).length;
        }
        req.destroy();
      })().then(resolve, reject);
    });
  await patchFrom(0, size / 2);
  // What the server wrote settles once the cut connection is closed on its side.
  let offset = -1;
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    const head = await fetch(location, { method: 'HEAD', headers: auth });
    const now = Number(head.headers.get('upload-offset'));
    if (now === offset) break;
    offset = now;
  }
  await patchFrom(offset);
  const id = location.split('/').pop()!;
  for (;;) {
    const res = await fetch(`${apiUrl}/tiktok/uploads/${id}/status`, { headers: auth });
    const { data } = (await res.json()) as { data: { local_status: string; publish_id: string } };
    if (data.local_status !== 'uploading')
      return { clientBytes, offsetAtCut: offset, publishId: data.publish_id };
    await new Promise((r) => setTimeout(r, 200));
  }
}

// ---------------------------------------------------------------------------------------------
// Sampling the API while it relays
// ---------------------------------------------------------------------------------------------

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

/** CPU time (user + system) the process has used, in seconds (clock ticks of 1/100 s). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function dirBytes(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let total = 0;
  for (const name of names)
    total += await stat(join(dir, name)).then(
      (s) => s.size,
      () => 0,
    );
  return total;
}

/** The API's RSS once it has booted, before any upload: what "above idle" is measured from. */
let bootIdleMiB = NaN;

async function sampled<T>(pid: number, tmpDir: string, work: () => Promise<T>) {
  const idle = bootIdleMiB;
  const cpuBefore = await cpuSeconds(pid);
  let peakRss = idle;
  let peakTemp = 0;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void Promise.all([rssMiB(pid), dirBytes(tmpDir)])
      .then(([rss, temp]) => {
        peakRss = Math.max(peakRss, rss);
        peakTemp = Math.max(peakTemp, temp);
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, SAMPLE_MS);
  try {
    const value = await work();
    const cpuSec = (await cpuSeconds(pid)) - cpuBefore;
    return { value, rssAboveIdleMiB: peakRss - idle, idleMiB: idle, peakTempBytes: peakTemp, cpuSec };
  } finally {
    clearInterval(timer);
  }
}

/**
 * With BENCH_API_SNAPSHOTS set (and `--heapsnapshot-signal=SIGUSR2` in CLIPRELAY_API_NODE_ARGS),
 * asks the API for a heap snapshot after a part and waits until it answers again (the snapshot
 * stops its event loop while it is written).
 */
async function snapshotApi(apiUrl: string, pid: number): Promise<void> {
  if (!process.env.BENCH_API_SNAPSHOTS) return;
  await new Promise((r) => setTimeout(r, 1000));
  process.kill(pid, 'SIGUSR2');
  await new Promise((r) => setTimeout(r, 200));
  await (await fetch(`${apiUrl}/health`, { signal: AbortSignal.timeout(120_000) })).arrayBuffer();
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const stack = await startBenchStack('relay', [
    ...['--processing-delay-ms', '100', '--daily-post-cap', '1000', '--active-user-cap', '100000'],
  ]);
  const { apiUrl, sandboxUrl, tiktok, token, uploadTmpDir, dir } = stack;
  const pid = stack.apiPid;
  bootIdleMiB = await rssMiB(pid);

  // One connected creator per concurrent upload (TikTok allows 6 inits a minute per token), one
  // for the tus runs, and a creator of its own for the direct PUTs.
  const accounts: string[] = [];
  for (let i = 0; i < CONCURRENT + 2; i++) {
    accounts.push((await stack.connect({ max_video_post_duration_sec: 600 })).accountId);
  }
  const directCreator = await tiktok.createCreator({
    private_account: true,
    max_video_post_duration_sec: 600,
  });
  const directToken = async () => (await tiktok.issueTokens(directCreator.open_id)).access_token;

  const big = join(dir, 'big.mp4');
  const bigSha = await writeMp4File(big, SIZE, 30);
  const small = join(dir, 'small.mp4');
  const smallSha = await writeMp4File(small, CONCURRENT_SIZE, 30);

  const problems: string[] = [];
  const check = async (publishId: string, sha: string, what: string) => {
    const received = await tiktok.publish(publishId);
    if (received.sha256 !== sha) problems.push(`${what}: TikTok's copy differs from the file`);
  };

  await snapshotApi(apiUrl, pid);
  // Warm-up (JIT, page cache, connections), then the runs interleaved.
  await direct(sandboxUrl, await directToken(), small, CONCURRENT_SIZE);
  if (runs('relay') || runs('concurrent')) await relay(apiUrl, token, accounts[0]!, small, CONCURRENT_SIZE);
  const directRuns: number[] = [];
  const relayRuns: { sec: number; rssAboveIdleMiB: number; peakTempBytes: number }[] = [];
  // CPU seconds each process spent: on a machine with few cores the legs compete for them.
  const cpuNow = async () => ({
    sandbox: await cpuSeconds(stack.sandboxPid),
    client: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    api: await cpuSeconds(pid),
  });
  const cpuSince = async (before: Awaited<ReturnType<typeof cpuNow>>) => {
    const after = await cpuNow();
    return {
      sandbox: after.sandbox - before.sandbox,
      client: after.client - before.client,
      api: after.api - before.api,
    };
  };
  const directCpu: Awaited<ReturnType<typeof cpuSince>>[] = [];
  const relayCpu: Awaited<ReturnType<typeof cpuSince>>[] = [];
  for (let i = 0; i < (runs('relay') ? RUNS : 0); i++) {
    const c0 = await cpuNow();
    directRuns.push(await direct(sandboxUrl, await directToken(), big, SIZE));
    directCpu.push(await cpuSince(c0));
    const c1 = await cpuNow();
    const run = await sampled(pid, uploadTmpDir, () => relay(apiUrl, token, accounts[0]!, big, SIZE));
    relayCpu.push(await cpuSince(c1));
    await snapshotApi(apiUrl, pid);
    await check(run.value.publishId, bigSha, `relay run ${i + 1}`);
    relayRuns.push({
      sec: run.value.sec,
      rssAboveIdleMiB: run.rssAboveIdleMiB,
      peakTempBytes: run.peakTempBytes,
    });
    console.log(
      `run ${i + 1}: direct ${fmt(directRuns[i]!, 2)} s, relay ${fmt(run.value.sec, 2)} s, API CPU ${fmt(relayCpu[i]!.api, 1)} s, API RSS +${fmt(run.rssAboveIdleMiB)} MiB, temp ${fmt(run.peakTempBytes / MiB)} MiB`,
    );
  }
  const together = runs('concurrent')
    ? await sampled(pid, uploadTmpDir, async () => {
        const started = process.hrtime.bigint();
        const results = await Promise.all(
          accounts.slice(1).map((accountId) => relay(apiUrl, token, accountId, small, CONCURRENT_SIZE)),
        );
        return { sec: seconds(started), results };
      })
    : undefined;
  if (together) await snapshotApi(apiUrl, pid);
  for (const r of together?.value.results ?? []) await check(r.publishId, smallSha, 'concurrent relay');
  const resumed = runs('resume')
    ? await resumable(apiUrl, token, accounts[1]!, small, CONCURRENT_SIZE)
    : undefined;
  if (resumed) await check(resumed.publishId, smallSha, 'resumed upload');
  // The tus path (the web app's) last, so that its files and heap stay out of the figures above;
  // each run beside a direct one again, so that drift hits both alike.
  const tusAccount = accounts[CONCURRENT + 1]!;
  if (runs('tus')) await tusRelay(apiUrl, token, tusAccount, small, CONCURRENT_SIZE);
  const tusRuns: number[] = [];
  const tusDirectRuns: number[] = [];
  const tusCpu: Awaited<ReturnType<typeof cpuSince>>[] = [];
  const tusRss: number[] = [];
  for (let i = 0; i < (runs('tus') ? RUNS : 0); i++) {
    tusDirectRuns.push(await direct(sandboxUrl, await directToken(), big, SIZE));
    const c0 = await cpuNow();
    const tus = await sampled(pid, uploadTmpDir, () => tusRelay(apiUrl, token, tusAccount, big, SIZE));
    const used = await cpuSince(c0);
    tusCpu.push(used);
    tusRss.push(tus.rssAboveIdleMiB);
    await check(tus.value.publishId, bigSha, `tus run ${i + 1}`);
    tusRuns.push(tus.value.sec);
    await snapshotApi(apiUrl, pid);
    console.log(
      `tus run ${i + 1}: direct ${fmt(tusDirectRuns[i]!, 2)} s, tus ${fmt(tus.value.sec, 2)} s, CPU s: API ${fmt(used.api, 1)}, sandbox ${fmt(used.sandbox, 1)}, client ${fmt(used.client, 1)}; API RSS +${fmt(tus.rssAboveIdleMiB)} MiB`,
    );
  }
  // The resumable upload's file goes once its last PATCH is answered: give it a moment.
  await new Promise((r) => setTimeout(r, 500));
  const left = [
    ...(await readdir(uploadTmpDir).catch(() => [] as string[])).filter((n) => n !== 'tus'),
    ...(await readdir(join(uploadTmpDir, 'tus')).catch(() => [] as string[])),
  ];
  if (left.length > 0) problems.push(`UPLOAD_TMP_DIR not empty: ${left.join(', ')}`);

  const mib = SIZE / MiB;
  const cpu = (runs: typeof relayCpu, key: 'sandbox' | 'client' | 'api') => median(runs.map((r) => r[key]));
  const tusText = () =>
    `  through the API, tus   ${fmt(median(tusRuns), 2)} s   ${fmt(mib / median(tusRuns))} MiB/s, ratio ${fmt(median(tusRuns) / median(tusDirectRuns), 2)} to its own direct runs' ${fmt(median(tusDirectRuns), 2)} s (the web app's path: one PATCH, until TikTok has every byte)`;
  const tusCpuText = () =>
    `                         tus: sandbox ${fmt(cpu(tusCpu, 'sandbox'), 1)}, client ${fmt(cpu(tusCpu, 'client'), 1)}, API ${fmt(cpu(tusCpu, 'api'), 1)} (API RSS above idle ${fmt(median(tusRss))} MiB)`;
  const resumeFigures = async ({ clientBytes, offsetAtCut, publishId }: NonNullable<typeof resumed>) => {
    const atTikTok = await tiktok.publish(publishId);
    const sentTwice = clientBytes - CONCURRENT_SIZE;
    const text = `  resume at 50 %         ${CONCURRENT_SIZE / MiB} MiB over tus, cut at ${fmt((offsetAtCut / CONCURRENT_SIZE) * 100, 3)} % as the server had it; client bytes sent twice ${sentTwice.toLocaleString('en-US')} (bytes the client's socket took before the cut that the server did not keep); TikTok got ${atTikTok.received_bytes.toLocaleString('en-US')} bytes, sha256 ${atTikTok.sha256 === smallSha ? 'equal' : 'DIFFERENT'}`;
    return { atTikTok, sentTwice, text };
  };

  if (ONLY.size < PARTS.length) {
    // A partial run (BENCH_ONLY): its figures only, and bench/results.json left as it was.
    console.log(
      `\nBENCH_ONLY=${[...ONLY].join(',')}, ${fmt(mib)} MiB, median of ${RUNS} (${availableParallelism()} cores, Node ${process.version}; API RSS once booted ${fmt(bootIdleMiB)} MiB)\n`,
    );
    if (runs('tus')) console.log(`${tusText()}\n${tusCpuText()}`);
    if (resumed) console.log((await resumeFigures(resumed)).text);
    console.log(`  UPLOAD_TMP_DIR after   ${left.length === 0 ? 'empty' : left.join(', ')}`);
    console.log('bench/results.json not written (a partial run)');
    for (const p of problems) console.error(`FAIL: ${p}`);
    await stopBenchStack();
    process.exit(problems.length === 0 ? 0 : 1);
  }
  if (!together || !resumed) throw new Error('a whole run without the concurrent or the resume part');
  const { atTikTok, sentTwice, text: resumeText } = await resumeFigures(resumed);

  const directSec = median(directRuns);
  const relaySec = median(relayRuns.map((r) => r.sec));
  const ratio = relaySec / directSec;
  const singleRss = median(relayRuns.map((r) => r.rssAboveIdleMiB));
  console.log(
    `\nrelay vs direct, ${fmt(mib)} MiB, median of ${RUNS} (${availableParallelism()} cores, Node ${process.version})\n`,
  );
  console.log(`  direct to TikTok       ${fmt(directSec, 2)} s   ${fmt(mib / directSec)} MiB/s`);
  console.log(`  through the API        ${fmt(relaySec, 2)} s   ${fmt(mib / relaySec)} MiB/s`);
  console.log(
    `  ratio                  ${fmt(ratio, 2)}      (target ≤ 1.15: ${ratio <= 1.15 ? 'met' : 'NOT met'})`,
  );
  const tusSec = median(tusRuns);
  const tusRatio = tusSec / median(tusDirectRuns);
  console.log(tusText());
  console.log(
    `  API RSS above idle     ${fmt(singleRss)} MiB for ${fmt(mib)} MiB (target ≤ 100: ${singleRss <= 100 ? 'met' : 'NOT met'})`,
  );
  console.log(
    `                         ${fmt(together.rssAboveIdleMiB)} MiB for ${CONCURRENT} × ${CONCURRENT_SIZE / MiB} MiB at once, in ${fmt(together.value.sec, 2)} s (target ≤ 100: ${together.rssAboveIdleMiB <= 100 ? 'met' : 'NOT met'})`,
  );
  console.log(
    `  peak temp bytes        ${fmt(median(relayRuns.map((r) => r.peakTempBytes)) / MiB)} MiB (${fmt(mib)} MiB upload), ${fmt(together.peakTempBytes / MiB)} MiB (${CONCURRENT} at once)`,
  );
  const directTotal = cpu(directCpu, 'sandbox') + cpu(directCpu, 'client');
  const relayTotal =
    directTotal + cpu(relayCpu, 'api') + cpu(relayCpu, 'sandbox') - cpu(directCpu, 'sandbox');
  const cores = availableParallelism();
  console.log(
    `  CPU seconds            direct: sandbox ${fmt(cpu(directCpu, 'sandbox'), 1)}, client ${fmt(cpu(directCpu, 'client'), 1)}; relay: sandbox ${fmt(cpu(relayCpu, 'sandbox'), 1)}, client ${fmt(cpu(relayCpu, 'client'), 1)}, API ${fmt(cpu(relayCpu, 'api'), 1)}`,
  );
  console.log(tusCpuText());
  console.log(
    `                         all of them on ${cores} cores: the relay cannot take less than ${fmt(relayTotal / cores, 2)} s here (the direct ${fmt(directTotal / cores, 2)} s)`,
  );
  console.log(resumeText);
  console.log(`  UPLOAD_TMP_DIR after   ${left.length === 0 ? 'empty' : left.join(', ')}`);

  const resultsFile = join(HERE, 'results.json');
  const previous = JSON.parse(await readFile(resultsFile, 'utf8').catch(() => '{}')) as Record<
    string,
    unknown
  >;
  previous.relay = {
    measuredAt: new Date().toISOString(),
    cores: availableParallelism(),
    node: process.version,
    videoBytes: SIZE,
    runs: RUNS,
    directSec: directRuns,
    relaySec: relayRuns.map((r) => r.sec),
    tus: {
      directSec: tusDirectRuns,
      tusSec: tusRuns,
      medianTusSec: tusSec,
      ratio: tusRatio,
      rssAboveIdleMiB: median(tusRss),
    },
    medianDirectSec: directSec,
    medianRelaySec: relaySec,
    ratio,
    rssAboveIdleMiB: { single: singleRss, concurrent: together.rssAboveIdleMiB },
    cpuSec: { direct: directCpu, relay: relayCpu, tus: tusCpu },
    resume: {
      videoBytes: CONCURRENT_SIZE,
      offsetAtCut: resumed.offsetAtCut,
      clientBytesSentTwice: sentTwice,
      tiktokBytes: atTikTok.received_bytes,
    },
    concurrent: { uploads: CONCURRENT, videoBytes: CONCURRENT_SIZE, sec: together.value.sec },
    peakTempBytes: {
      single: median(relayRuns.map((r) => r.peakTempBytes)),
      concurrent: together.peakTempBytes,
    },
  };
  await writeFile(resultsFile, `${JSON.stringify(previous, null, 2)}\n`);
  console.log(`written: ${resultsFile}`);
  for (const p of problems) console.error(`FAIL: ${p}`);
  await stopBenchStack();
  process.exit(problems.length === 0 ? 0 : 1);
}

main().catch(async (error: unknown) => {
  console.error(error);
  await stopBenchStack();
  process.exit(1);
});
