import type { LoggerService } from '@nestjs/common';
import { Inject } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type Logger } from 'pino';
import { pinoHttp } from 'pino-http';

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

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** Request logging with a request id: the caller's `X-Request-Id` if it looks sane, else a new one. */
export function httpLogger(logger: Logger) {
  const log = pinoHttp({
    logger,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split('?')[0],
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, err) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
  });
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    log(req, res);
    requestContext.run({ requestId: req.id as string }, next);
  };
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
