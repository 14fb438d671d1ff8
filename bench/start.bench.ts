/**
 * `npm start` as a user meets it, measured over several runs:
 *
 * - cold start: a fresh DATA_DIR (initdb, migrations, the seed) and no current build of the web
 *   app or the API, so `npm start` builds both: time from the spawn to "Cliprelay is running".
 * - warm start: the same DATA_DIR again, builds current: the start of every day after the first.
 * - idle memory, 5 s after "running" with no requests: the RSS of the API process (the built
 *   `node … apps/api/dist/main.js` in npm start's process tree) and of the embedded PostgreSQL
 *   (the postmaster of DATA_DIR/postgres, and the sum over it and its children; their shared
 *   buffers count in each one's RSS, so the sum of PSS is beside it).
 *
 * Each run is `npm start` in its own process group on free loopback ports, stopped the way a
 * terminal's Ctrl-C stops it (SIGINT to the group), and waited for; the bench then checks that no
 * process of it is left (the embedded PostgreSQL runs in a group of its own) and, at the end, that
 * every port it used is closed. Every wait has a timeout.
 *
 * "No current build": the build stamps (packages/test-kit/src/builds.ts) are removed rather than
 * `apps/web/dist` and `apps/api/dist`, so a process of someone else reading the old output keeps
 * it until the new build is swapped in; `npm start` builds into a fresh folder either way, so the
 * cost is that of a build from nothing.
 *
 *   npx tsx bench/start.bench.ts                  # 3 cold and 3 warm runs
 *   npx tsx bench/start.bench.ts --runs 5         # or BENCH_RUNS=5
 *   npm run bench:start --workspace bench
 *
 * Exits non-zero when a start fails or something is left running; a goal missed is only reported
 * (the figures depend on the machine and its load).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { API_BUILD, API_MAIN, needsBuild, WEB_BUILD } from '@cliprelay/test-kit/builds';
import { freePort } from '@cliprelay/test-kit/ports';

const REPO = fileURLToPath(new URL('..', import.meta.url));
/** Where a build records the digest of its sources (builds.ts); without it, the build is not current. */
const STAMP_FILE = '.cliprelay-build';

const GOALS = { coldSec: 40, warmSec: 5, apiRssMB: 150 };
const IDLE_WAIT_MS = 5_000;
const COLD_TIMEOUT_MS = 300_000;
const WARM_TIMEOUT_MS = 120_000;
/** After the SIGINT, the group's processes get this long before a SIGKILL. */
const STOP_GRACE_MS = 30_000;
/** The API stops the embedded PostgreSQL on its way out; it gets this long after npm start exited. */
const POSTGRES_EXIT_MS = 20_000;

/** Each part's port variable of `npm start` (scripts/start.ts). */
const PORT_VARIABLES = {
  web: 'WEB_PORT',
  api: 'API_PORT',
  sandbox: 'SANDBOX_PORT',
  identity: 'IDENTITY_PORT',
  media: 'MEDIA_PORT',
} as const;
type Part = keyof typeof PORT_VARIABLES;

/** What npm start prints on its way (scripts/start.ts), each marking where a phase begins. */
const MARKS = {
  webBuild: /npm start: building the web app/,
  apiBuild: /npm start: building the API/,
  stack: /npm start: starting the TikTok sandbox/,
  ready: /Cliprelay is running\. Open (\S+)/,
} as const;
type Mark = keyof typeof MARKS;

function readRuns(): number {
  const { values } = parseArgs({ options: { runs: { type: 'string' } } });
  const raw = values.runs ?? process.env.BENCH_RUNS ?? '3';
  const runs = Number(raw);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs / BENCH_RUNS must be ≥ 1, got "${raw}"`);
  return runs;
}

// ---------------------------------------------------------------------------------------------
// Processes, from /proc
// ---------------------------------------------------------------------------------------------

interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  cmdline: string;
}

async function processes(): Promise<Proc[]> {
  const found: Proc[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may contain spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = (await readFile(`/proc/${name}/cmdline`, 'utf8')).split('\0').join(' ').trim();
      found.push({ pid: Number(name), ppid: Number(fields[1]), pgid: Number(fields[2]), cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function environOf(pid: number): Promise<Map<string, string>> {
  const text = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
  const env = new Map<string, string>();
  for (const entry of text.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function groupAlive(pgid: number): boolean {
  return alive(-pgid);
}

/** A signal to a process (or, negative, a group) of ours that may have exited meanwhile. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

async function kB(pid: number, file: 'status' | 'smaps_rollup', field: string): Promise<number> {
  const text = await readFile(`/proc/${pid}/${file}`, 'utf8');
  const value = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1];
  if (value === undefined) throw new Error(`no ${field} in /proc/${pid}/${file}`);
  return Number(value);
}

/** kB → MB (10^6 bytes), the goals' unit. */
const MB = (kb: number) => (kb * 1024) / 1e6;

/**
 * The API of this run: the built bundle on Node, in npm start's process group, with this run's
 * PORT and DATA_DIR in its environment.
 */
async function findApi(pgid: number, apiPort: number, dataDir: string): Promise<number> {
  const all = await processes();
  const bundles = all.filter((p) => p.cmdline.includes(API_MAIN));
  const ours: number[] = [];
  for (const p of bundles) {
    const env = await environOf(p.pid);
    if (env.get('PORT') === String(apiPort) && env.get('DATA_DIR') === dataDir) ours.push(p.pid);
  }
  const inGroup = ours.filter((pid) => all.find((p) => p.pid === pid)?.pgid === pgid);
  const [pid, ...more] = inGroup;
  if (pid === undefined || more.length > 0) {
    throw new Error(
      `expected one API process (${API_MAIN}, PORT=${apiPort}) in process group ${pgid}, found ` +
        `${inGroup.length} (${bundles.length} running the bundle at all)`,
    );
  }
  return pid;
}

interface Postgres {
  pid: number;
  port: number;
}

/** The postmaster that DATA_DIR/postgres/data/postmaster.pid names, if it runs that cluster. */
async function findPostgres(dataDir: string): Promise<Postgres | undefined> {
  const cluster = join(dataDir, 'postgres', 'data');
  const lines = (await readFile(join(cluster, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
  const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
  if (!cmdline.includes(cluster)) return undefined; // a stale file naming a reused pid
  return { pid, port: Number(lines[3]) };
}

interface Memory {
  apiRssMB: number;
  pgPostmasterRssMB: number;
  pgTotalRssMB: number;
  pgTotalPssMB: number;
  pgProcesses: number;
}

async function idleMemory(pgid: number, apiPort: number, dataDir: string): Promise<Memory> {
  const api = await findApi(pgid, apiPort, dataDir);
  const postgres = await findPostgres(dataDir);
  if (!postgres) throw new Error(`no running embedded PostgreSQL in ${join(dataDir, 'postgres')}`);
  const children = (await processes()).filter((p) => p.ppid === postgres.pid).map((p) => p.pid);
  const all = [postgres.pid, ...children];
  let rss = 0;
  let pss = 0;
  for (const pid of all) {
    rss += await kB(pid, 'status', 'VmRSS');
    pss += await kB(pid, 'smaps_rollup', 'Pss');
  }
  return {
    apiRssMB: MB(await kB(api, 'status', 'VmRSS')),
    pgPostmasterRssMB: MB(await kB(postgres.pid, 'status', 'VmRSS')),
    pgTotalRssMB: MB(rss),
    pgTotalPssMB: MB(pss),
    pgProcesses: all.length,
  };
}

/** Whether something accepts connections on 127.0.0.1:port (1 s at most). */
function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', timeout: 1000 });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(25);
  }
  return check();
}

// ---------------------------------------------------------------------------------------------
// One run of npm start
// ---------------------------------------------------------------------------------------------

type Kind = 'cold' | 'warm';

interface Run {
  kind: Kind;
  /** Seconds from the spawn to each mark npm start printed. */
  at: Partial<Record<Mark, number>>;
  /** From the API's log: seconds from the spawn to "database ready" and to "api listening". */
  apiAt: { databaseReady?: number; listening?: number };
  memory: Memory;
  /** Cold runs: how often a build's stamp came back (someone else built) and was removed again. */
  restaled: number;
  /** SIGINT to the group → npm start, the API and the embedded PostgreSQL all exited. */
  stopSec: number;
  /** Every port the run listened on, the embedded PostgreSQL's included. */
  ports: number[];
}

/** The npm start in flight, so that a Ctrl-C of the bench stops it too. */
let current: { stop(): Promise<unknown> } | undefined;
/** The bench's temp folder: every run's DATA_DIR and log. */
let root: string | undefined;
const problems: string[] = [];

async function freePorts(): Promise<Record<Part, number>> {
  const ports = {} as Record<Part, number>;
  const taken = new Set<number>();
  for (const part of Object.keys(PORT_VARIABLES) as Part[]) {
    let port = await freePort();
    for (let tries = 0; taken.has(port) && tries < 10; tries++) port = await freePort();
    taken.add(port);
    ports[part] = port;
  }
  return ports;
}

/** From the API's own log (pino JSON: `time` in ms, `msg`), the lines written since `sinceMs`. */
async function apiTimes(dataDir: string, sinceMs: number): Promise<Run['apiAt']> {
  const text = await readFile(join(dataDir, 'api.log'), 'utf8').catch(() => '');
  const at: Run['apiAt'] = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { time?: unknown; msg?: unknown };
      if (typeof entry.time !== 'number' || typeof entry.msg !== 'string' || entry.time < sinceMs) continue;
      const sec = (entry.time - sinceMs) / 1000;
      if (entry.msg.startsWith('database ready')) at.databaseReady ??= sec;
      if (entry.msg === 'api listening') at.listening ??= sec;
    } catch {
      // not JSON
    }
  }
  return at;
}

async function runNpmStart(kind: Kind, dataDir: string, log: string): Promise<Run> {
  const ports = await freePorts();
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    // The embedded PostgreSQL and a key of its own in DATA_DIR, whatever this shell has set.
    DATABASE_URL: '',
    TOKEN_ENCRYPTION_KEY: '',
  };
  for (const [part, variable] of Object.entries(PORT_VARIABLES)) env[variable] = String(ports[part as Part]);
  // As typed in a shell: without the npm_* variables of an `npm run bench:start` around the bench.
  const shell = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_')));
  const timeoutMs = kind === 'cold' ? COLD_TIMEOUT_MS : WARM_TIMEOUT_MS;
  const logFile = createWriteStream(log, { flags: 'a' });

  const startedWall = Date.now();
  const started = performance.now();
  const child: ChildProcess = spawn('npm', ['start'], {
    cwd: REPO,
    env: { ...shell, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pgid = child.pid;
  if (pgid === undefined) throw new Error('npm start did not start');
  let ended = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve())).then(() => {
    ended = true;
  });

  const at: Run['at'] = {};
  let opened: string | undefined;
  let output = '';
  const hear = (line: string) => {
    const sec = (performance.now() - started) / 1000;
    output += `${line}\n`;
    logFile.write(`[${sec.toFixed(2)} s] ${line}\n`);
    for (const [mark, pattern] of Object.entries(MARKS) as [Mark, RegExp][]) {
      const match = pattern.exec(line);
      if (!match || at[mark] !== undefined) continue;
      at[mark] = sec;
      if (mark === 'ready') opened = match[1];
    }
  };
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', hear);
  }

  // Others working in the same tree (a test suite's ensureApiBuilt) may build the API while this
  // npm start builds the web app: until npm start has decided to build each one, its stamp is
  // removed again whenever it comes back.
  let restaled = 0;
  const keepStale = async () => {
    for (const [build, mark] of [
      [WEB_BUILD, 'webBuild'],
      [API_BUILD, 'apiBuild'],
    ] as const) {
      const stamp = join(build.outDir, STAMP_FILE);
      if (at[mark] !== undefined || at.stack !== undefined || !existsSync(stamp)) continue;
      await rm(stamp, { force: true });
      restaled += 1;
    }
  };
  const guard = kind === 'cold' ? setInterval(() => void keepStale(), 200) : undefined;

  let stopped: Promise<number> | undefined;
  /** Ctrl-C to the group; resolves with the seconds until all of it (PostgreSQL too) is gone. */
  const stop = (): Promise<number> => {
    stopped ??= (async () => {
      clearInterval(guard);
      // The postmaster runs in a group of its own; noted now, while its lock file is there.
      const postgres = await findPostgres(dataDir);
      const signalled = performance.now();
      if (!ended) {
        signal(-pgid, 'SIGINT');
        const timer = setTimeout(() => {
          problems.push(`${kind} run: npm start did not exit within ${STOP_GRACE_MS / 1000} s of SIGINT`);
          signal(-pgid, 'SIGKILL');
        }, STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      if (postgres && !(await waitUntil(() => !alive(postgres.pid), POSTGRES_EXIT_MS))) {
        problems.push(`${kind} run: the embedded PostgreSQL (pid ${postgres.pid}) outlived npm start`);
        signal(postgres.pid, 'SIGKILL');
      }
      if (!(await waitUntil(() => !groupAlive(pgid), 5_000))) {
        problems.push(`${kind} run: processes of npm start's group ${pgid} outlived it`);
        signal(-pgid, 'SIGKILL');
      }
      logFile.end();
      return (performance.now() - signalled) / 1000;
    })();
    return stopped;
  };
  current = { stop };

  try {
    const deadline = Date.now() + timeoutMs;
    while (at.ready === undefined) {
      if (ended) throw new Error(`npm start (${kind}) exited before it was ready:\n${output}`);
      if (Date.now() > deadline)
        throw new Error(`npm start (${kind}) not ready within ${timeoutMs / 1000} s`);
      await sleep(50);
    }
    clearInterval(guard);
    if (opened !== `http://localhost:${ports.web}`) {
      problems.push(`${kind} run: npm start said to open ${opened}, not http://localhost:${ports.web}`);
    }
    await sleep(IDLE_WAIT_MS);
    const memory = await idleMemory(pgid, ports.api, dataDir);
    const pgPort = (await findPostgres(dataDir))?.port;
    const stopSec = await stop();
    const apiAt = await apiTimes(dataDir, startedWall);
    const used = [...Object.values(ports), ...(pgPort ? [pgPort] : [])];
    return { kind, at, apiAt, memory, restaled, stopSec, ports: used };
  } finally {
    await stop();
    current = undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Figures
// ---------------------------------------------------------------------------------------------

function summary(values: number[]): { median: number; min: number; max: number } | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

const between = (from: number | undefined, to: number | undefined) =>
  from === undefined || to === undefined ? undefined : to - from;

/** Built both: a cold run that did not (someone else's build won a race) is no cold start. */
const builtBoth = (r: Run) => r.at.webBuild !== undefined && r.at.apiBuild !== undefined;

type Row = [label: string, values: (number | undefined)[], unit: 's' | 'MB', goal?: number];

function table(runs: Run[]): string {
  const cold = runs.filter((r) => r.kind === 'cold' && builtBoth(r));
  const notCold = runs.filter((r) => r.kind === 'cold' && !builtBoth(r)).length;
  const warm = runs.filter((r) => r.kind === 'warm');
  const rebuilt = warm.filter((r) => r.at.webBuild !== undefined || r.at.apiBuild !== undefined).length;
  const pgProcesses = summary(runs.map((r) => r.memory.pgProcesses));
  const procs =
    pgProcesses?.min === pgProcesses?.max ? `${pgProcesses?.min}` : `${pgProcesses?.min}–${pgProcesses?.max}`;
  const apiPhases = (of: Run[]): Row[] => [
    ['  parts + API boot → DB ready', of.map((r) => between(r.at.stack, r.apiAt.databaseReady)), 's'],
    ['  API: DB ready → listening', of.map((r) => between(r.apiAt.databaseReady, r.apiAt.listening)), 's'],
    ['  API listening → running', of.map((r) => between(r.apiAt.listening, r.at.ready)), 's'],
  ];
  const rows: Row[] = [
    ['cold start (spawn → running)', cold.map((r) => r.at.ready), 's', GOALS.coldSec],
    ['  npm + tsx + start.ts', cold.map((r) => r.at.webBuild), 's'],
    ['  web app build', cold.map((r) => between(r.at.webBuild, r.at.apiBuild)), 's'],
    ['  API build', cold.map((r) => between(r.at.apiBuild, r.at.stack)), 's'],
    ...apiPhases(cold),
    [`warm start (spawn → running)${rebuilt ? ' *' : ''}`, warm.map((r) => r.at.ready), 's', GOALS.warmSec],
    ['  npm + tsx + start.ts', warm.map((r) => r.at.stack), 's'],
    ...apiPhases(warm),
    ['API RSS, idle (warm runs)', warm.map((r) => r.memory.apiRssMB), 'MB', GOALS.apiRssMB],
    [
      'API RSS, idle (cold runs)',
      runs.filter((r) => r.kind === 'cold').map((r) => r.memory.apiRssMB),
      'MB',
      GOALS.apiRssMB,
    ],
    ['PostgreSQL postmaster RSS', runs.map((r) => r.memory.pgPostmasterRssMB), 'MB'],
    [`PostgreSQL, ${procs} processes: RSS sum`, runs.map((r) => r.memory.pgTotalRssMB), 'MB'],
    [`PostgreSQL, ${procs} processes: PSS sum`, runs.map((r) => r.memory.pgTotalPssMB), 'MB'],
    ['stop (SIGINT → all exited)', runs.map((r) => r.stopSec), 's'],
  ];

  const cells = rows.map(([label, values, unit, goal]): string[] => {
    const s = summary(values.filter((v): v is number => v !== undefined));
    if (!s) return [label, '–', '', ''];
    const f = (n: number) => n.toFixed(unit === 's' ? 1 : 0);
    const verdict = goal === undefined ? '' : `≤ ${goal} ${unit}  ${s.median <= goal ? 'met' : 'MISSED'}`;
    return [label, `${f(s.median)} ${unit}`, `${f(s.min)}–${f(s.max)} ${unit}`, verdict];
  });
  const header = ['', 'median', 'min–max', 'goal'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (row: string[]) =>
    row
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : i === 3 ? c : c.padStart(widths[i]!)))
      .join('   ')
      .trimEnd();
  const notes = [
    `memory ${IDLE_WAIT_MS / 1000} s after "running", no requests; MB = 10^6 bytes; goals are for the median`,
  ];
  if (notCold) notes.push(`${notCold} cold run(s) left out of the cold figures: they did not build both`);
  if (rebuilt)
    notes.push(`* ${rebuilt} of ${warm.length} warm run(s) rebuilt: sources changed during the bench`);
  return [line(header), ...cells.map(line), '', ...notes].join('\n');
}

// ---------------------------------------------------------------------------------------------
// The benchmark
// ---------------------------------------------------------------------------------------------

/** Makes both builds not current, so that the next npm start builds them. */
async function invalidateBuilds(): Promise<void> {
  for (const build of [WEB_BUILD, API_BUILD]) {
    await rm(join(build.outDir, STAMP_FILE), { force: true });
    if (!(await needsBuild(build))) throw new Error(`could not make ${build.outDir} stale`);
  }
}

/** Processes that still name the bench's temp folder (a cluster's data, a DATA_DIR). */
async function leftovers(dir: string): Promise<Proc[]> {
  const left: Proc[] = [];
  for (const p of await processes()) {
    if (p.pid === process.pid) continue;
    const dataDir = (await environOf(p.pid)).get('DATA_DIR') ?? '';
    if (p.cmdline.includes(dir) || dataDir.startsWith(dir)) left.push(p);
  }
  return left;
}

function describe(run: Run, i: number): string {
  const built = [run.at.webBuild !== undefined && 'web app', run.at.apiBuild !== undefined && 'API'];
  const what = built.filter(Boolean).join(' + ');
  const { apiRssMB, pgTotalRssMB, pgTotalPssMB } = run.memory;
  return (
    `  ${run.kind} #${i}: running after ${run.at.ready?.toFixed(1)} s${what ? ` (built ${what})` : ''}, ` +
    `API RSS ${apiRssMB.toFixed(0)} MB, PostgreSQL ${pgTotalRssMB.toFixed(0)} MB RSS / ` +
    `${pgTotalPssMB.toFixed(0)} MB PSS, stopped in ${run.stopSec.toFixed(1)} s` +
    (run.restaled ? ` (a build stamp came back ${run.restaled}× and was removed again)` : '')
  );
}

async function main(): Promise<number> {
  const count = readRuns();
  const loadAtStart = loadavg()[0] ?? NaN;
  const dir = await mkdtemp(join(tmpdir(), 'cliprelay-bench-start-'));
  root = dir;
  console.log(`npm start: ${count} cold and ${count} warm runs; logs in ${dir}`);
  const runs: Run[] = [];
  let failed = false;
  const open: number[] = [];
  let left: Proc[] = [];
  try {
    for (let i = 1; i <= count; i++) {
      const dataDir = join(dir, `data-${i}`);
      await invalidateBuilds();
      for (const kind of ['cold', 'warm'] as const) {
        const run = await runNpmStart(kind, dataDir, join(dir, `run-${i}-${kind}.log`));
        runs.push(run);
        console.log(describe(run, i));
      }
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    for (const port of runs.flatMap((r) => r.ports)) if (await portOpen(port)) open.push(port);
    if (open.length > 0) problems.push(`ports still open after the runs: ${open.join(', ')}`);
    left = await leftovers(dir);
    for (const p of left) {
      problems.push(`left running: ${p.pid} ${p.cmdline.slice(0, 120)}`);
      signal(p.pid, 'SIGKILL');
    }
    if (failed || problems.length > 0) console.error(`(logs kept in ${dir})`);
    else await rm(dir, { recursive: true, force: true });
  }

  const ports = runs.reduce((n, r) => n + r.ports.length, 0);
  console.log(
    `\nnpm start, ${count} cold and ${count} warm runs, on ${availableParallelism()} cores, Node ` +
      `${process.version}; load average ${loadAtStart.toFixed(1)} at the start, ` +
      `${(loadavg()[0] ?? NaN).toFixed(1)} at the end\n`,
  );
  console.log(table(runs));
  console.log(
    `afterwards: ${ports - open.length} of ${ports} ports closed (the parts' and PostgreSQL's), ` +
      `${left.length} processes left`,
  );
  for (const problem of problems) console.error(`FAIL: ${problem}`);
  return problems.length === 0 ? 0 : 1;
}

for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.once(name, () => {
    console.error(`\n${name}: stopping npm start`);
    void (current?.stop() ?? Promise.resolve())
      .then(() => (root ? rm(root, { recursive: true, force: true }) : undefined))
      .finally(() => process.exit(130));
  });
}

void main()
  .catch((error: unknown) => {
    console.error(error);
    for (const problem of problems) console.error(`FAIL: ${problem}`);
    return 1;
  })
  .then((code) => process.exit(code));
