import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { SandboxClock } from './clock.ts';
import { type SandboxContext, sendError } from './context.ts';
import { SandboxControl } from './control-client.ts';
import { controlRoutes } from './control.ts';
import { oauthRoutes } from './oauth.ts';
import { type SandboxOptions, type SandboxOptionsInput, parseSandboxOptions } from './options.ts';
import { loadState, saveStatePeriodically } from './persistence.ts';
import { postRoutes } from './post.ts';
import { SandboxState } from './state.ts';
import { uploadRoutes } from './upload.ts';
import { WebhookSender } from './webhooks.ts';

export interface RunningSandbox {
  /** Base URL, e.g. http://127.0.0.1:4010 — TikTok's API host, auth host and upload host in one. */
  readonly url: string;
  readonly options: SandboxOptions;
  /** The typed control API (/_sandbox/), on the address the sandbox listens on. */
  readonly control: SandboxControl;
  close(): Promise<void>;
}

function createApp(ctx: SandboxContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  if (ctx.options.logRequests) {
    app.use((req, res, next) => {
      const started = Date.now();
      res.on('finish', () => {
        // Paths only: query strings carry upload tokens and authorization codes.
        process.stderr.write(
          `tiktok-sandbox ${req.method} ${req.path} ${res.statusCode} ${Date.now() - started}ms\n`,
        );
      });
      next();
    });
  }
  app.get('/', (_req, res) => res.redirect(302, '/_sandbox/'));
  app.use(oauthRoutes(ctx));
  app.use(postRoutes(ctx));
  app.use(uploadRoutes(ctx));
  app.use(controlRoutes(ctx));
  app.use((req, res) => {
    if (req.path.startsWith('/_sandbox'))
      res.status(404).json({ error: `no route ${req.method} ${req.path}` });
    else sendError(ctx, res, 'not_found', `No such path: ${req.method} ${req.path}`, 404);
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status =
      typeof error === 'object' && error !== null && 'status' in error ? Number(error.status) : 500;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (req.path.startsWith('/_sandbox')) {
      res
        .status(status < 500 ? status : 500)
        .json({ error: status < 500 ? 'malformed request body' : 'internal error' });
    } else if (status < 500) {
      sendError(ctx, res, 'invalid_params', 'The request body could not be read.', 400);
    } else {
      process.stderr.write(`tiktok-sandbox: ${error instanceof Error ? error.stack : String(error)}\n`);
      sendError(ctx, res, 'internal_error');
    }
  });
  return app;
}

/** Starts a sandbox; `port: 0` picks a free port. */
export async function startSandbox(input: SandboxOptionsInput = {}): Promise<RunningSandbox> {
  const options = parseSandboxOptions(input);
  // With a state file, videos must outlive the process too: keep them beside it by default.
  const keptDataDir =
    options.dataDir ?? (options.stateFile ? join(dirname(options.stateFile), 'videos') : undefined);
  const ownsDataDir = keptDataDir === undefined;
  const dataDir = keptDataDir ?? (await mkdtemp(join(tmpdir(), 'tiktok-sandbox-')));
  await mkdir(dataDir, { recursive: true });
  const state = new SandboxState();
  const clock = new SandboxClock();
  const ctx: SandboxContext = {
    options,
    state,
    clock,
    dataDir,
    baseUrl: '',
    get webhooks() {
      return webhooks;
    },
  };
  const webhooks = new WebhookSender(ctx);
  const restored = options.stateFile ? await loadState(ctx, options.stateFile) : false;
  // Seeded creators are added on a fresh start only; a restored state already has them.
  if (!restored) for (const creator of options.creators) state.addCreator(creator, clock.now());
  const saver = options.stateFile ? saveStatePeriodically(ctx, options.stateFile) : undefined;

  const app = createApp(ctx);
  const server = app.listen(options.port, options.host);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
  } catch (error) {
    saver?.stop();
    throw error;
  }
  webhooks.start();
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  ctx.baseUrl = (options.publicUrl ?? `http://${host}:${port}`).replace(/\/$/, '');
  // The public URL may be a proxy's; in-process callers reach the socket itself.
  const localHost = host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host;
  // Large chunks over slow links: no request timeout (TikTok's window is the 1 h upload_url).
  server.requestTimeout = 0;

  let closed: Promise<void> | undefined;
  return {
    url: ctx.baseUrl,
    options,
    control: new SandboxControl(`http://${localHost}:${port}`),
    close() {
      closed ??= (async () => {
        webhooks.close();
        saver?.stop();
        await saver?.flush();
        state.clear();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}
