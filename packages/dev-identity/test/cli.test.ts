import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCli } from '../src/cli-options.ts';
import { headlessLogin } from '../src/index.ts';
import { startIdp } from './helpers.ts';

const BIN = fileURLToPath(new URL('../bin/dev-identity.mjs', import.meta.url));
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
});

function run(args: string[]): { child: ChildProcess; output: () => { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return { child, output: () => ({ stdout, stderr }) };
}

async function waitForUrl(args: string[]): Promise<{ child: ChildProcess; url: string; stdout: string }> {
  const { child, output } = run(args);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const match = /listening on (http:\/\/\S+)/.exec(output().stdout);
    if (match?.[1] && output().stdout.includes('users'))
      return { child, url: match[1], stdout: output().stdout };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`dev-identity did not start:\n${output().stdout}${output().stderr}`);
}

describe('the dev-identity command', () => {
  it('prints the URL, serves logins, and exits 0 on SIGTERM and on Ctrl-C', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const { child, url, stdout } = await waitForUrl([
        '--port',
        '0',
        '--web-origin',
        'http://localhost:4173',
      ]);
      expect(stdout).toContain('audience   cliprelay-api');
      expect(stdout).toContain('http://localhost:4173/callback');
      const tokens = await headlessLogin({
        issuerUrl: url,
        sub: 'dev|alice',
        redirectUri: 'http://localhost:4173/callback',
      });
      expect(tokens.access_token).toEqual(expect.any(String));
      child.kill(signal);
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    }
  });

  it('says in one line that the port is busy, and exits 1', async () => {
    const busy = await startIdp();
    const { child, output } = run(['--port', new URL(busy.url).port]);
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(output().stderr.trim().split('\n')).toEqual([
      `dev-identity: port ${new URL(busy.url).port} on 127.0.0.1 is already in use; pick another with --port.`,
    ]);
  });

  it('rejects bad flags in one line with exit 1', async () => {
    const { child, output } = run(['--port', '0', '--issuer', 'ftp://nope']);
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(output().stderr.trim()).toMatch(/^dev-identity: issuer must be an http\(s\) origin[^\n]*$/);
  });

  it('maps every flag onto an option', () => {
    expect(
      parseCli([
        '--port',
        '4021',
        '--host',
        '0.0.0.0',
        '--issuer',
        'https://tenant.auth0.com/',
        '--web-origin',
        'http://localhost:4173',
        '--audience',
        'api',
        '--access-token-ttl',
        '60',
        '--key-file',
        '.data/key.json',
      ]),
    ).toEqual({
      help: false,
      options: {
        port: 4021,
        host: '0.0.0.0',
        issuer: 'https://tenant.auth0.com/',
        webOrigin: 'http://localhost:4173',
        audience: 'api',
        accessTokenTtl: 60,
        keyFile: '.data/key.json',
      },
    });
    expect(parseCli(['--help']).help).toBe(true);
    expect(() => parseCli(['--port', 'abc'])).toThrow(/--port must be a whole number/);
    expect(() => parseCli(['--nope'])).toThrow(/Unknown option '--nope'/);
  });
});
