import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWebHost, startWebHost, webAppCsp } from './web-app.ts';

const CONFIG = {
  apiBaseUrl: 'http://localhost:4000',
  authority: 'http://localhost:4020/',
  clientId: 'cliprelay-web',
  audience: 'https://api.cliprelay.test',
};
const MEDIA = ['http://localhost:4030', 'http://127.0.0.1:4010'];
const INLINE = "document.documentElement.dataset.theme = 'dark';";
const INDEX = `<!doctype html><html><head><script>${INLINE}</script>
<script type="module" crossorigin src="/assets/index-abc.js"></script></head><body></body></html>`;
const SCRIPT = Buffer.from(`console.log(${JSON.stringify('x'.repeat(4000))});\n`);

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function get(url: string, encoding = 'identity'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'accept-encoding': encoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      })
      .on('error', reject);
  });
}

describe('the web host (startWebHost)', () => {
  let dist: string;
  let web: RunningWebHost;

  beforeAll(async () => {
    // A build as vite.config.ts writes it: each asset with .gz and .br beside it, hidden maps.
    dist = await mkdtemp(join(tmpdir(), 'cliprelay-web-dist-'));
    await mkdir(join(dist, 'assets'));
    await writeFile(join(dist, 'index.html'), INDEX);
    await writeFile(join(dist, 'assets', 'index-abc.js'), SCRIPT);
    await writeFile(join(dist, 'assets', 'index-abc.js.gz'), gzipSync(SCRIPT));
    await writeFile(join(dist, 'assets', 'index-abc.js.br'), brotliCompressSync(SCRIPT));
    await writeFile(join(dist, 'assets', 'index-abc.js.map'), '{"version":3}');
    await writeFile(join(dist, 'favicon.svg.map'), '{"version":3}');
    web = await startWebHost(0, CONFIG, { distDir: dist, mediaOrigins: MEDIA });
  });
  afterAll(async () => {
    await web?.close();
    if (dist) await rm(dist, { recursive: true, force: true });
  });

  it('serves the app with a CSP for the SPA, nosniff, no Referer and no framing', async () => {
    const res = await get(`${web.url}/publish`);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(INDEX);
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
    const csp = Object.fromEntries(
      String(res.headers['content-security-policy'])
        .split('; ')
        .map((d) => {
          const [name, ...sources] = d.split(' ');
          return [name, sources];
        }),
    );
    const inlineHash = `'sha256-${createHash('sha256').update(INLINE).digest('base64')}'`;
    expect(csp).toEqual({
      'default-src': ["'self'"],
      'script-src': ["'self'", inlineHash],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:', 'blob:', 'http://localhost:4000', ...MEDIA],
      'media-src': ["'self'", 'blob:', 'http://localhost:4000', ...MEDIA],
      'font-src': ["'self'", 'data:'],
      'connect-src': ["'self'", 'http://localhost:4000', 'http://localhost:4020', ...MEDIA],
      'frame-src': ['http://localhost:4020'],
      'object-src': ["'none'"],
      'base-uri': ["'self'"],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
    });
  });

  it('sends an asset brotli-compressed to a browser that accepts br, with Vary', async () => {
    const res = await get(`${web.url}/assets/index-abc.js`, 'gzip, deflate, br, zstd');
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.headers.vary).toMatch(/accept-encoding/i);
    expect(res.headers['cache-control']).toContain('immutable');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body.length).toBeLessThan(SCRIPT.length / 4);
    expect(brotliDecompressSync(res.body).equals(SCRIPT)).toBe(true);
  });

  it('sends it gzip-compressed to a browser that accepts only gzip', async () => {
    const res = await get(`${web.url}/assets/index-abc.js`, 'gzip');
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(res.body).equals(SCRIPT)).toBe(true);
  });

  it('sends it as it is to a client that accepts no compression', async () => {
    const res = await get(`${web.url}/assets/index-abc.js`);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body.equals(SCRIPT)).toBe(true);
  });

  it('does not serve source maps', async () => {
    for (const path of ['/assets/index-abc.js.map', '/favicon.svg.map']) {
      const res = await get(`${web.url}${path}`);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.body.toString()).not.toContain('version');
    }
  });

  it('answers /config.json with the stack’s config, never cached', async () => {
    const res = await get(`${web.url}/config.json`);
    expect(JSON.parse(res.body.toString())).toEqual(CONFIG);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });
});

describe('webAppCsp', () => {
  it('allows no inline script when index.html has none', () => {
    const csp = webAppCsp(CONFIG, [], '<script type="module" src="/assets/a.js"></script>');
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe-eval');
  });
});
