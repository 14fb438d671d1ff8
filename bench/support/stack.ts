/**
 * What the benchmarks that measure the API start: the TikTok sandbox and the API as processes of
 * their own (the built bundle on the embedded PostgreSQL in a temp DATA_DIR, nothing inherited
 * from the shell), the dev identity provider in-process, a signed-in user, and creators connected
 * through the real OAuth flow. Everything started is stopped by `stopBenchStack` (and on Ctrl-C).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { headlessLogin, startDevIdentity } from '@cliprelay/dev-identity';
import { CookieJar } from '@cliprelay/test-kit/cookies';
import { freePort } from '@cliprelay/test-kit/ports';
import { ensureApiBuilt, spawnApi, stopChild, waitForHealth } from '@cliprelay/test-kit/processes';
import { type SandboxCreatorInput, SandboxControl } from '@cliprelay/tiktok-sandbox/control';

const SANDBOX_CLI = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'packages',
  'tiktok-sandbox',
  'bin',
  'tiktok-sandbox.mjs',
);

const cleanups: (() => Promise<unknown>)[] = [];

/** Stops everything the bench started, newest first; safe to call more than once. */
export async function stopBenchStack(): Promise<void> {
  for (const undo of cleanups.reverse()) await undo().catch(() => undefined);
  cleanups.length = 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stopBenchStack().finally(() => process.exit(130)));
}

export interface BenchStack {
  /** The bench's temp folder (removed at the end). */
  dir: string;
  apiUrl: string;
  apiPid: number;
  sandboxUrl: string;
  sandboxPid: number;
  tiktok: SandboxControl;
  uploadTmpDir: string;
  /** The signed-in user's bearer token. */
  token: string;
  /** A new creator at TikTok, connected to the user's account list: its account id and open id. */
  connect(creator?: SandboxCreatorInput): Promise<{ accountId: string; openId: string }>;
}

export async function startBenchStack(name: string, sandboxArgs: string[] = []): Promise<BenchStack> {
  const dir = await mkdtemp(join(tmpdir(), `cliprelay-bench-${name}-`));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const [apiPort, sandboxPort] = [await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const redirectUri = `${apiUrl}/tiktok/oauth/callback`;
  const uploadTmpDir = join(dir, 'uploads');

  const sandbox = await startSandboxProcess(sandboxPort, [
    ...['--redirect-uri', redirectUri, '--data-dir', join(dir, 'tiktok-videos')],
    ...sandboxArgs,
  ]);
  const tiktok = new SandboxControl(sandboxUrl);
  const identity = await startDevIdentity({ port: 0 });
  cleanups.push(() => identity.close());
  await ensureApiBuilt();
  const api = spawnApi(
    {
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      DATA_DIR: join(dir, 'data'),
      DATABASE_URL: '',
      TOKEN_ENCRYPTION_KEY: '',
      AUTH_ISSUER_URL: identity.issuer,
      TIKTOK_API_BASE_URL: sandboxUrl,
      TIKTOK_AUTH_BASE_URL: sandboxUrl,
      TIKTOK_REDIRECT_URI: redirectUri,
      UPLOAD_TMP_DIR: uploadTmpDir,
      LOG_LEVEL: 'warn',
      // 4 concurrent uploads from one user (the API allows 3 at scale 1).
      RATE_LIMIT_SCALE: '10',
    },
    // BENCH_API_LOG=<file> appends the API's output there (e.g. with `--trace-gc` in
    // CLIPRELAY_API_NODE_ARGS); otherwise a pipe nobody reads.
    process.env.BENCH_API_LOG ? { file: process.env.BENCH_API_LOG } : 'pipe',
  );
  cleanups.push(() => stopChild(api));
  await waitForHealth(apiUrl, api);

  const { access_token: token } = await headlessLogin({ issuerUrl: identity.issuer, sub: 'dev|alice' });
  const connect = async (creator: SandboxCreatorInput = {}) => {
    const { open_id: openId } = await tiktok.createCreator({ private_account: true, ...creator });
    // One browser for the whole flow: the API links only where the connect began (its cookie).
    const browser = new CookieJar();
    const res = await browser.fetch(`${apiUrl}/tiktok/connect`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    const { data } = (await res.json()) as { data: { authorizeUrl: string } };
    const { redirect_to } = await tiktok.consent({
      authorize_url: data.authorizeUrl,
      open_id: openId,
      approve: true,
    });
    const callback = await browser.fetch(redirect_to);
    const accountId = new URL(callback.headers.get('location') ?? '', 'http://x').searchParams.get('account');
    if (!accountId) throw new Error(`connect failed: ${callback.headers.get('location')}`);
    return { accountId, openId };
  };
  return {
    dir,
    apiUrl,
    apiPid: api.pid!,
    sandboxUrl,
    sandboxPid: sandbox.pid!,
    tiktok,
    uploadTmpDir,
    token,
    connect,
  };
}

/** `BENCH_SANDBOX_NODE_ARGS` (space-separated) adds node flags, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
async function startSandboxProcess(port: number, args: string[]): Promise<ChildProcess> {
  const nodeArgs = process.env.BENCH_SANDBOX_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, SANDBOX_CLI, '--port', String(port), ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  cleanups.push(() => stopChild(child));
  const control = new SandboxControl(`http://127.0.0.1:${port}`);
  for (let i = 0; i < 200; i++) {
    const up = await control.clock().then(
      () => true,
      () => false,
    );
    if (up) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the sandbox did not start');
}
