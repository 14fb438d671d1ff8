import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/tiktok-sandbox.mjs', import.meta.url));
let child: ChildProcess | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGINT');
    await once(child, 'exit');
  }
  child = undefined;
});

/** Starts the binary as a user would and waits for its "listening" line. */
async function startBinary(args: string[]): Promise<{ url: string; output: () => string }> {
  child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const match = output.match(/listening on (http:\/\/\S+)/);
    if (match) return { url: match[1]!, output: () => output };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`tiktok-sandbox did not start:\n${output}`);
}

describe('npx tiktok-sandbox (architecture §6)', () => {
  it('serves the dashboard and the consent page, and stops on Ctrl-C', async () => {
    const { url } = await startBinary([
      '--port',
      '0',
      '--client-key',
      'clikey',
      '--redirect-uri',
      'http://localhost:9/cb',
    ]);
    const dashboard = await fetch(`${url}/_sandbox/`);
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain('TikTok sandbox');

    await fetch(`${url}/_sandbox/creators`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nickname: 'Consent Tester' }),
    });
    const authorize = new URL('/v2/auth/authorize/', url);
    authorize.search = new URLSearchParams({
      client_key: 'clikey',
      scope: 'user.info.basic,video.publish',
      response_type: 'code',
      redirect_uri: 'http://localhost:9/cb',
      state: 'xyz',
    }).toString();
    const consent = await fetch(authorize);
    expect(consent.status).toBe(200);
    const page = await consent.text();
    expect(page).toContain('Consent Tester');
    expect(page).toContain('Authorize');

    child!.kill('SIGINT');
    const [code] = (await once(child!, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('reads a config file and reports bad settings with their names', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(`${tmpdir()}/sandbox-cli-`);
    const file = `${dir}/sandbox.json`;
    await writeFile(file, JSON.stringify({ audited: true, creators: [{ nickname: 'From File' }] }));
    const { url } = await startBinary(['--port', '0', '--config', file]);
    const creators = (await (await fetch(`${url}/_sandbox/creators`)).json()) as {
      data: { nickname: string }[];
    };
    expect(creators.data.map((c) => c.nickname)).toEqual(['From File']);
    child!.kill('SIGINT');
    await once(child!, 'exit');

    child = spawn(process.execPath, [BIN, '--port', '0', '--verified-prefix', 'ftp://x/'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toContain('verifiedPrefix ftp://x/');
  });
});
