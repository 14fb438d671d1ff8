/**
 * Read latency under load: `GET /tiktok/creator-info/:id`, `GET /social-accounts` and
 * `GET /tiktok/posts` through the API, beside the sandbox's own `creator_info` endpoint measured
 * the same way in the same run — autocannon, 50 connections, 10 s each, median of 3 runs.
 *
 * The API (the built bundle, embedded PostgreSQL in a temp DATA_DIR) and the sandbox run as
 * processes of their own, so the load generator shares neither's event loop. TikTok allows 20
 * creator_info calls a minute per token, so the sandbox is asked with a fresh token every 15
 * requests (tokens issued up front through its control API): its figure is the answer's cost, not
 * a rate-limit refusal's.
 *
 *   npm run bench:reads --workspace bench
 *   BENCH_RUNS=5 BENCH_SECONDS=5 npm run bench:reads --workspace bench
 *
 * Beside each target's latency, the CPU time its server (the API's or the sandbox's process,
 * from /proc) spent per request while it was loaded: on a machine shared with other work the
 * latencies move with the load, the CPU a request costs much less.
 *
 * Writes its figures to bench/results.json (key `reads`) and exits non-zero when a request failed
 * or the API's creator-info p99 is more than 5 ms above the sandbox's.
 */
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchStack, stopBenchStack } from './support/stack.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 50;
const HERE = dirname(fileURLToPath(import.meta.url));
/** Requests per sandbox token: under TikTok's 20 creator_info calls a minute per token. */
const PER_TOKEN = 15;

interface Figures {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
  /** CPU µs the serving process spent per request (user + system). */
  cpuUs: number;
}

/** User + system CPU ms of a process so far (/proc/<pid>/stat, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function load(
  url: string,
  pid: number,
  opts: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string; header?: () => string },
): Promise<Figures> {
  const cpuBefore = cpuMs(pid);
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    method: opts.method ?? 'GET',
    headers: opts.headers,
    body: opts.body,
    ...(opts.header
      ? {
          requests: [
            {
              setupRequest: (req: autocannon.Request) => ({
                ...req,
                headers: { ...req.headers, authorization: opts.header!() },
              }),
            },
          ],
        }
      : {}),
  });
  const cpuUs = ((cpuMs(pid) - cpuBefore) * 1000) / Math.max(1, result.requests.total);
  const errors = result.errors + result.timeouts + result.non2xx;
  return { p50: result.latency.p50, p99: result.latency.p99, rps: result.requests.average, errors, cpuUs };
}

async function main(): Promise<void> {
  const stack = await startBenchStack('reads', ['--audited']);
  const { apiUrl, apiPid, sandboxUrl, sandboxPid, tiktok, token } = stack;
  const auth = { authorization: `Bearer ${token}` };
  // A signed-in user with one connected account, through the real OAuth flow.
  const { accountId, openId: open_id } = await stack.connect({ nickname: 'Bench Creator' });

  // Sandbox tokens for its own creator_info, each used at most PER_TOKEN times, so none meets the
  // 20-a-minute limit even if the sandbox answers MAX_RPS requests a second for a whole minute.
  const MAX_RPS = 6000;
  const tokens: string[] = [];
  while (tokens.length < Math.ceil((MAX_RPS * 60) / PER_TOKEN)) {
    const batch = await Promise.all(
      Array.from({ length: 200 }, () => tiktok.issueTokens(open_id).then((t) => t.access_token)),
    );
    tokens.push(...batch);
  }
  let served = 0;
  const nextSandboxToken = () => `Bearer ${tokens[Math.floor(served++ / PER_TOKEN) % tokens.length]}`;

  const targets = {
    'sandbox creator_info': () =>
      load(`${sandboxUrl}/v2/post/publish/creator_info/query/`, sandboxPid, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=UTF-8' },
        header: nextSandboxToken,
      }),
    'API GET /tiktok/creator-info/:id': () =>
      load(`${apiUrl}/tiktok/creator-info/${accountId}`, apiPid, { headers: auth }),
    'API GET /social-accounts': () => load(`${apiUrl}/social-accounts`, apiPid, { headers: auth }),
    'API GET /tiktok/posts': () => load(`${apiUrl}/tiktok/posts`, apiPid, { headers: auth }),
    // For comparison: no bearer, one `select 1`.
    'API GET /health': () => load(`${apiUrl}/health`, apiPid, {}),
  };
  const runs: Record<string, Figures[]> = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
  // A short warm-up of each, then the runs interleaved, so drift hits every target alike.
  for (const run of Object.values(targets)) await run();
  for (let i = 0; i < RUNS; i++) {
    for (const [name, run] of Object.entries(targets)) runs[name]!.push(await run());
  }

  const rows = Object.entries(runs).map(([name, figures]) => ({
    name,
    p50: median(figures.map((f) => f.p50)),
    p99: median(figures.map((f) => f.p99)),
    rps: Math.round(median(figures.map((f) => f.rps))),
    errors: figures.reduce((n, f) => n + f.errors, 0),
    cpuUs: Math.round(median(figures.map((f) => f.cpuUs))),
  }));
  console.log(
    `\nreads at ${CONNECTIONS} connections, ${SECONDS} s each, median of ${RUNS} (${availableParallelism()} cores)\n`,
  );
  console.log('target                              p50 ms   p99 ms    req/s   errors  CPU µs/req');
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(34)} ${String(r.p50).padStart(6)} ${String(r.p99).padStart(8)} ${String(r.rps).padStart(8)} ${String(r.errors).padStart(8)} ${String(r.cpuUs).padStart(11)}`,
    );
  }
  const sandboxRow = rows[0]!;
  const creatorRow = rows[1]!;
  const gap = creatorRow.p99 - sandboxRow.p99;
  console.log(
    `\ncreator-info p99 − sandbox p99: ${gap} ms (target ≤ 5); req/s ${creatorRow.rps} vs ${sandboxRow.rps} (target ≥ half)`,
  );

  const resultsFile = join(HERE, 'results.json');
  const previous = JSON.parse(await readFile(resultsFile, 'utf8').catch(() => '{}')) as Record<
    string,
    unknown
  >;
  previous.reads = {
    measuredAt: new Date().toISOString(),
    connections: CONNECTIONS,
    seconds: SECONDS,
    runs: RUNS,
    rows,
  };
  await writeFile(resultsFile, `${JSON.stringify(previous, null, 2)}\n`);
  console.log(`written: ${resultsFile}`);

  const failed = rows.some((r) => r.errors > 0) || gap > 5 || creatorRow.rps < sandboxRow.rps / 2;
  await stopBenchStack();
  process.exit(failed ? 1 : 0);
}

main().catch(async (error: unknown) => {
  console.error(error);
  await stopBenchStack();
  process.exit(1);
});
