/**
 * The web app in the dev stack: built once with Vite (again only when its sources changed), then
 * served as the static files production serves from any host, plus the runtime `/config.json`
 * that points it at this stack's API and identity provider.
 */
import { createServer } from 'node:http';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
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

/**
 * Serves the built web app: hashed assets cached for good, `index.html` revalidated, every other
 * path answered with `index.html` so that the app's own routes (`/publish`, `/callback`) load on
 * a reload, and `/config.json` from `config`.
 */
export async function startWebHost(
  port: number,
  config: WebAppConfig,
  distDir = WEB_DIST_DIR,
  host = '127.0.0.1',
): Promise<RunningWebHost> {
  await stat(join(distDir, 'index.html')).catch(() => {
    throw new Error(`the web app is not built (no ${join(distDir, 'index.html')})`);
  });
  const app = express();
  app.disable('x-powered-by');
  app.get('/config.json', (_req, res) => {
    res.set('cache-control', 'no-store').json(config);
  });
  app.use(
    '/assets',
    express.static(join(distDir, 'assets'), { immutable: true, maxAge: '1y', fallthrough: false }),
  );
  app.use(express.static(distDir, { index: false, maxAge: 0 }));
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
