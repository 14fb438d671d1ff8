import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { type ApiErrorBody, ERROR_STATUS, type ErrorCode, messageFor } from '@cliprelay/contract';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { AppError } from './app-error.ts';
import type { Logger } from './logger.ts';
import { type AppRequest, requestIdOf } from './request.ts';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  404: 'NOT_FOUND',
  // Only the JSON body parser throws a bare 413; videos are refused with AppError FILE_TOO_LARGE.
  413: 'REQUEST_TOO_LARGE',
};

/**
 * The one place errors become HTTP: AppError codes map to statuses through ERROR_STATUS; Nest's
 * own HTTP exceptions (unknown route, body parser) keep their status; anything else is a logged
 * 500 INTERNAL shown without internals. Body: NestJS's shape plus code and requestId.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<AppRequest>();
    const res = http.getResponse<Response>();
    const body = errorBody(exception, requestIdOf(req));
    if (body.statusCode >= 500) {
      this.logger.error(
        { err: exception, requestId: body.requestId, code: body.code, tiktok: body.tiktok },
        'request failed',
      );
    } else if (body.tiktok) {
      this.logger.warn({ requestId: body.requestId, code: body.code, tiktok: body.tiktok }, 'tiktok refused');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (body.retryAfterSec !== undefined) res.setHeader('Retry-After', String(body.retryAfterSec));
    // A request whose body we refused unread: tell the client not to keep the connection.
    if (body.statusCode === 413) res.setHeader('Connection', 'close');
    res.status(body.statusCode).json(body);
  }
}

/** The JSON body of an error answer (also the tus endpoint's, relay/tus-uploads.ts). */
export function errorBody(exception: unknown, requestId: string): ApiErrorBody {
  if (exception instanceof AppError) {
    const statusCode = ERROR_STATUS[exception.code];
    let message: string | string[] = exception.details ?? exception.message;
    // The seed's SPA matches TikTok's code inside `message`; ours branches on `code`.
    if (exception.tiktok && typeof message === 'string' && !message.includes(exception.tiktok.code)) {
      message = `${message} (TikTok: ${exception.tiktok.code})`;
    }
    return {
      statusCode,
      error: STATUS_CODES[statusCode] ?? 'Error',
      message,
      code: exception.code,
      requestId,
      ...(exception.tiktok ? { tiktok: exception.tiktok } : {}),
      ...(exception.retryable !== undefined ? { retryable: exception.retryable } : {}),
      ...(exception.retryAfterSec !== undefined ? { retryAfterSec: exception.retryAfterSec } : {}),
    };
  }
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const response = exception.getResponse();
    const message =
      typeof response === 'object' && response !== null && 'message' in response
        ? (response as { message: string | string[] }).message
        : exception.message;
    const code = CODE_BY_STATUS[statusCode] ?? (statusCode < 500 ? 'VALIDATION_FAILED' : 'INTERNAL');
    return {
      statusCode,
      error: STATUS_CODES[statusCode] ?? 'Error',
      message:
        statusCode >= 500
          ? messageFor('INTERNAL')
          : // The contract: VALIDATION_FAILED's message is always an array (e.g. a malformed JSON body).
            code === 'VALIDATION_FAILED' && typeof message === 'string'
            ? [message]
            : message,
      code,
      requestId,
    };
  }
  return {
    statusCode: 500,
    error: 'Internal Server Error',
    message: messageFor('INTERNAL'),
    code: 'INTERNAL',
    requestId,
  };
}
