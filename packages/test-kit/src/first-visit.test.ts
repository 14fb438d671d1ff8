import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstVisitScripts, measureBuild, measureHost } from './first-visit.ts';

// As Vite writes it: the entry, its preloads, a stylesheet; plus an inline script.
const INDEX = `<!doctype html><html><head>
<script>document.documentElement.dataset.x = '1';</script>
<script type="module" crossorigin src="/assets/index-a.js"></script>
<link rel="modulepreload" crossorigin href="/assets/react-b.js">
<link rel=modulepreload href='/assets/tiny-c.js'>
<link rel="stylesheet" crossorigin href="/assets/index-d.css">
<link rel="icon" href="/favicon.svg">
</head><body><div id="root"></div></body></html>`;

const script = (n: number) => Buffer.from(`console.log(${JSON.stringify('ab'.repeat(n))});\n`);
/** Two compressed by the build; the tiny one (under its 1 KiB threshold) not. */
const FILES: Record<string, Buffer> = {
  'index-a.js': script(3000),
  'react-b.js': script(6000),
  'tiny-c.js': script(10),
  // Loaded later, by the router: not the first visit's.
  'screen-e.js': script(9000),
};
const COMPRESSED = ['index-a.js', 'react-b.js', 'screen-e.js'];

describe('the first visit’s JavaScript', () => {
  let dist: string;
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    dist = await mkdtemp(join(tmpdir(), 'cliprelay-first-visit-'));
    await mkdir(join(dist, 'assets'));
    await writeFile(join(dist, 'index.html'), INDEX);
    for (const [name, body] of Object.entries(FILES)) {
      await writeFile(join(dist, 'assets', name), body);
      if (!COMPRESSED.includes(name)) continue;
      await writeFile(join(dist, 'assets', `${name}.gz`), gzipSync(body, { level: 9 }));
      await writeFile(join(dist, 'assets', `${name}.br`), brotliCompressSync(body));
    }
    // A host that compresses by Accept-Encoding, as packages/dev-stack's does.
    server = createServer((req, res) => {
      const path = req.url ?? '/';
      if (path === '/') return res.end(INDEX);
      const body = FILES[path.replace('/assets/', '')];
      if (!body) return res.writeHead(404).end();
      const accepts = String(req.headers['accept-encoding']);
      if (accepts.includes('br'))
        return res.writeHead(200, { 'content-encoding': 'br' }).end(brotliCompressSync(body));
      if (accepts.includes('gzip'))
        return res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(body));
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    if (dist) await rm(dist, { recursive: true, force: true });
  });

  it('are the scripts and module preloads of index.html, not its inline script, styles or icon', () => {
    expect(firstVisitScripts(INDEX)).toEqual([
      '/assets/index-a.js',
      '/assets/react-b.js',
      '/assets/tiny-c.js',
    ]);
    expect(firstVisitScripts(`${INDEX}<link rel="modulepreload" href="/assets/index-a.js">`)).toHaveLength(3);
  });

  it('weigh, from a build, what the compressed files beside them weigh, or the file itself without one', async () => {
    const size = await measureBuild(dist);
    const gzip = (name: string) => gzipSync(FILES[name]!, { level: 9 }).length;
    const brotli = (name: string) => brotliCompressSync(FILES[name]!).length;
    const tiny = FILES['tiny-c.js']!.length;
    expect(size.scripts).toEqual([
      {
        path: '/assets/index-a.js',
        raw: FILES['index-a.js']!.length,
        gzip: gzip('index-a.js'),
        brotli: brotli('index-a.js'),
      },
      {
        path: '/assets/react-b.js',
        raw: FILES['react-b.js']!.length,
        gzip: gzip('react-b.js'),
        brotli: brotli('react-b.js'),
      },
      { path: '/assets/tiny-c.js', raw: tiny, gzip: tiny, brotli: tiny },
    ]);
    expect(size.gzip).toBe(gzip('index-a.js') + gzip('react-b.js') + tiny);
    expect(size.brotli).toBe(brotli('index-a.js') + brotli('react-b.js') + tiny);
    expect(size.raw).toBe(FILES['index-a.js']!.length + FILES['react-b.js']!.length + tiny);
  });

  it('weigh, from a host, the bodies it sends for each encoding, not what they decode to', async () => {
    const size = await measureHost(baseUrl);
    expect(size.scripts.map((s) => s.path)).toEqual(firstVisitScripts(INDEX));
    const sent = ['index-a.js', 'react-b.js', 'tiny-c.js'].map((name) => FILES[name]!);
    expect(size.raw).toBe(sent.reduce((sum, b) => sum + b.length, 0));
    expect(size.gzip).toBe(sent.reduce((sum, b) => sum + gzipSync(b).length, 0));
    expect(size.brotli).toBe(sent.reduce((sum, b) => sum + brotliCompressSync(b).length, 0));
    expect(size.gzip).toBeLessThan(size.raw / 4);
  });

  it('fails on a script the host does not have', async () => {
    const broken = createServer((req, res) =>
      req.url === '/'
        ? res.end('<script type="module" src="/assets/gone.js"></script>')
        : res.writeHead(404).end(),
    );
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    try {
      await expect(measureHost(`http://127.0.0.1:${(broken.address() as AddressInfo).port}`)).rejects.toThrow(
        /gone\.js: HTTP 404/,
      );
    } finally {
      broken.closeAllConnections();
      await new Promise((resolve) => broken.close(resolve));
    }
  });
});
