/**
 * The web app in the dev stack: built once with Vite (again only when its sources changed), then
 * served as the static files production serves from any host, plus the runtime `/config.json`
 * that points it at this stack's API and identity provider.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import expressStaticGzip from 'express-static-gzip';
import { needsBuild, runBuild, WEB_BUILD } from '@cliprelay/test-kit/builds';
import { closeServer, listen } from './media-host.ts';

/** apps/web, and where `vite build` writes it. */
const WEB_DIR = fileURLToPath(new URL('../../../apps/web/', import.meta.url));
export const WEB_DIST_DIR = WEB_BUILD.outDir;

/** The web app's runtime config (apps/web/README.md, "Runtime config"). */
export interface WebAppConfig {
  apiBaseUrl: string;
  authority: string;
  clientId: string;
  audience: string;
}

/** Whether `apps/web/dist` is missing or was built from other sources than those on disk now. */
export function webAppNeedsBuild(): Promise<boolean> {
  return needsBuild(WEB_BUILD);
}

/** `vite build` of apps/web (its own vite.config.ts), in this process; warnings and errors print. */
export function buildWebApp(): Promise<void> {
  return runBuild(WEB_BUILD);
}

/**
 * The web app from Vite's dev server instead (`npm run dev`): hot reload of apps/web's sources,
 * with `/config.json` answered from `config` like the static host does.
 */
export async function startWebDevServer(port: number, config: WebAppConfig): Promise<RunningWebHost> {
  const { createServer: createViteServer } = await import('vite');
  const server = await createViteServer({
    root: WEB_DIR,
    configFile: join(WEB_DIR, 'vite.config.ts'),
    server: { port, strictPort: true, host: '127.0.0.1' },
    plugins: [
      {
        name: 'cliprelay-runtime-config',
        configureServer(vite) {
          vite.middlewares.use('/config.json', (_req, res) => {
            res.setHeader('content-type', 'application/json');
            res.setHeader('cache-control', 'no-store');
            res.end(JSON.stringify(config));
          });
        },
      },
    ],
  });
  await server.listen();
  return { url: `http://localhost:${port}`, close: () => server.close() };
}

export interface RunningWebHost {
  /** e.g. http://localhost:5173 */
  readonly url: string;
  close(): Promise<void>;
}

export interface WebHostOptions {
  /** The build to serve (default apps/web/dist). */
  distDir?: string;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /**
   * Where the app's pictures and videos come from besides its own origin and the API: the media
   * CDN, TikTok's avatar host. They go into the CSP's img-src, media-src and connect-src.
   */
  mediaOrigins?: readonly string[];
}

/**
 * The Content-Security-Policy of the built app: scripts only from its own origin (and the inline
 * scripts index.html carries, by hash), requests only to itself, the API, the identity provider
 * and the media origins, and no framing. Styles allow 'unsafe-inline': Mantine writes its theme
 * variables into a <style> element at run time.
 */
export function webAppCsp(
  config: WebAppConfig,
  mediaOrigins: readonly string[] = [],
  indexHtml = '',
): string {
  const media = mediaOrigins.map(originOf);
  const api = originOf(config.apiBaseUrl);
  const identity = originOf(config.authority);
  const inlineScripts = [...indexHtml.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)]
    .map((m) => m[1]!)
    .filter((body) => body.trim() !== '')
    .map((body) => `'sha256-${createHash('sha256').update(body).digest('base64')}'`);
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'", ...inlineScripts],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:', api, ...media],
    'media-src': ["'self'", 'blob:', api, ...media],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'", api, identity, ...media],
    // oidc-client-ts may renew a session in a hidden iframe of the identity provider.
    'frame-src': [identity],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${[...new Set(sources)].join(' ')}`)
    .join('; ');
}

function originOf(url: string): string {
  return new URL(url).origin;
}

/**
 * Serves the built web app: hashed assets cached for good, `index.html` revalidated, every other
 * path answered with `index.html` so that the app's own routes (`/publish`, `/callback`) load on
 * a reload, and `/config.json` from `config`. Files are sent brotli- or gzip-compressed when the
 * browser accepts it (the build writes `.br` and `.gz` beside each), source maps are not served,
 * and every answer carries the CSP above, `nosniff`, `Referrer-Policy` and `X-Frame-Options`.
 */
export async function startWebHost(
  port: number,
  config: WebAppConfig,
  { distDir = WEB_DIST_DIR, host = '127.0.0.1', mediaOrigins = [] }: WebHostOptions = {},
): Promise<RunningWebHost> {
  const indexHtml = await readFile(join(distDir, 'index.html'), 'utf8').catch(() => {
    throw new Error(`the web app is not built (no ${join(distDir, 'index.html')})`);
  });
  const csp = webAppCsp(config, mediaOrigins, indexHtml);
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.set({
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
    next();
  });
  // Hidden source maps stay with the build (for reading a stack trace), never on the wire.
  app.use((req, res, next) => {
    if (req.path.endsWith('.map')) res.status(404).type('text').send('Not found');
    else next();
  });
  app.get('/config.json', (_req, res) => {
    res.set('cache-control', 'no-store').json(config);
  });
  // The .br (smaller) when the browser takes both; Vary: Accept-Encoding on every such file.
  const compressed: expressStaticGzip.ExpressStaticGzipOptions = {
    enableBrotli: true,
    orderPreference: ['br', 'gzip'],
    index: false,
  };
  app.use(
    '/assets',
    expressStaticGzip(join(distDir, 'assets'), {
      ...compressed,
      serveStatic: { immutable: true, maxAge: '1y', fallthrough: false },
    }),
  );
  app.use(expressStaticGzip(distDir, { ...compressed, serveStatic: { index: false, maxAge: 0 } }));
  app.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    res.set('cache-control', 'no-cache').sendFile(join(distDir, 'index.html'));
  });
  // A missing asset is a plain 404, not an error worth a log line.
  app.use((error: { status?: number }, _req: Request, res: Response, next: NextFunction) => {
    if (error.status === 404) res.status(404).type('text').send('Not found');
    else next(error);
  });
  const server = createServer(app);
  await listen(server, port, host);
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return { url: `http://localhost:${actual}`, close: () => closeServer(server) };
}
