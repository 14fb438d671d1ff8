import type { LoggerService } from '@nestjs/common';
import { Inject } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type Logger } from 'pino';

export const LOGGER = Symbol('LOGGER');
export const InjectLogger = (): PropertyDecorator & ParameterDecorator => Inject(LOGGER);
export type { Logger };

/** The request a log line belongs to, wherever in the request's async work it is written. */
const requestContext = new AsyncLocalStorage<{ requestId: string }>();

/**
 * Structured JSON logs. Nothing that could hold a secret is logged: no headers (bearer tokens,
 * cookies), no query strings (the OAuth callback's `code`), no bodies. Redaction below is a second
 * line of defence for fields a careless log call might pass.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'cliprelay-api' },
      // Every line written while serving a request carries its id, services' lines included.
      mixin: () => {
        const ctx = requestContext.getStore();
        return ctx ? { requestId: ctx.requestId } : {};
      },
      redact: {
        paths: [
          '*.access_token',
          '*.refresh_token',
          '*.accessToken',
          '*.refreshToken',
          '*.authorization',
          '*.client_secret',
          '*.clientSecret',
          '*.token',
          // An OAuth callback's query (its `code`) logged by mistake. Not `*.code`: that would also
          // blank TikTok's error code (`tiktok.code`) and Node's (`err.code`), which logs must keep.
          'query.code',
          '*.query.code',
          'headers',
          '*.headers',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? process.stdout,
  );
}

declare module 'node:http' {
  interface IncomingMessage {
    /** The request's id, set by httpLogger before anything else sees the request. */
    id?: string;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;
/** A request slower than this is logged at `warn` even when it succeeded (uploads aside). */
export const SLOW_REQUEST_MS = 2000;
/** A body this large is an upload: its time is its size's, not a sign of trouble. */
const UPLOAD_BODY_BYTES = 1024 * 1024;

type RequestLogLevel = 'info' | 'warn' | 'error';

/**
 * Request logging with a request id: the caller's `X-Request-Id` if it looks sane, else a new one,
 * answered in `X-Request-Id`, set on `req.id` (error bodies carry it) and on every line logged
 * while serving the request (the `mixin` above).
 *
 * One line per request once it ends — `request completed`, or `request aborted` when the client
 * went away first — with `req: { id, method, path }` (never the query string), `res.statusCode`
 * and `responseTime` (ms). Its level: `error` for 5xx, `warn` for 4xx, an abort, or a success
 * slower than SLOW_REQUEST_MS (`slow: true`; not for uploads), `info` otherwise. So at the
 * default `info` every request is logged, and at `warn` every failed, cut or slow one still is.
 *
 * Written by hand rather than with pino-http: pino-http builds a child logger per request
 * (serialising the request, preparing redaction) whether or not its line is written, which a
 * profile of `GET /tiktok/creator-info` at 50 connections put at ~7 % of the API's CPU. Here a
 * request whose line is below the level costs one `isLevelEnabled`.
 */
export function httpLogger(logger: Logger, { slowMs = SLOW_REQUEST_MS }: { slowMs?: number } = {}) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const started = performance.now();
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    const method = req.method;
    const url = req.url ?? '/';
    // Once: a response emits 'close' after 'finish', or alone when the client went away first.
    res.once('close', () => {
      const responseTime = Math.round(performance.now() - started);
      const aborted = !res.writableFinished;
      const statusCode = res.statusCode;
      const slow = responseTime >= slowMs && !isUpload(req);
      const level: RequestLogLevel =
        statusCode >= 500 ? 'error' : statusCode >= 400 || aborted || slow ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const query = url.indexOf('?');
      logger[level](
        {
          requestId: id,
          req: { id, method, path: query < 0 ? url : url.slice(0, query) },
          res: { statusCode },
          responseTime,
          ...(slow ? { slow } : {}),
        },
        aborted ? 'request aborted' : 'request completed',
      );
    });
    requestContext.run({ requestId: id }, next);
  };
}

function isUpload(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return length !== undefined && Number(length) >= UPLOAD_BODY_BYTES;
}

/** Nest's start-up chatter (one line per module and route): useful when debugging, noise otherwise. */
const STARTUP_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** Routes NestJS's own log lines into pino. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    if (context !== undefined && STARTUP_CONTEXTS.has(context))
      this.logger.debug({ context }, String(message));
    else this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
