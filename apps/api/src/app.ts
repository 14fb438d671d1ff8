import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module.ts';
import { ErrorFilter } from './common/error.filter.ts';
import { createLogger, httpLogger, type Logger, PinoNestLogger } from './common/logger.ts';
import { securityHeaders } from './common/security-headers.ts';
import { createValidationPipe } from './common/validation.ts';
import { type AppConfig, describeConfig } from './config/config.ts';
import { openDatabase } from './db/database.ts';
import { JobQueue } from './jobs/job-queue.ts';
import { PostFollower, QUEUES } from './publish/post-follower.ts';
import { sweepStaleUploads } from './relay/multipart-upload.ts';

export interface RunningApi {
  readonly url: string;
  readonly app: NestExpressApplication;
  readonly logger: Logger;
  close(): Promise<void>;
}

/**
 * Builds and starts the API: database opened and migrated, then Nest with the global pipe,
 * filter, request logging, CORS and the OpenAPI page. main.ts and the integration tests both
 * start the API through here, so tests run the production wiring.
 */
export async function startApi(
  config: AppConfig,
  opts: { logDestination?: NodeJS.WritableStream } = {},
): Promise<RunningApi> {
  const logger = createLogger(config.logLevel, opts.logDestination);
  await mkdir(config.uploadTmpDir, { recursive: true, mode: 0o700 });
  // Temp files a crashed process left behind (a live upload writes its file continuously).
  const swept = await sweepStaleUploads(config.uploadTmpDir, 60 * 60 * 1000).catch(() => 0);
  if (swept > 0) logger.warn({ swept }, 'removed stale upload temp files');
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    // `notice`: a person starting the API should read it (npm start prints these lines).
    onNotice: (message) => logger.warn({ notice: true }, message),
    onIdleConnectionLost: (error) =>
      logger.warn(
        { error: error.message, code: 'code' in error ? error.code : undefined },
        'the database closed an idle connection; the pool opens a new one when needed',
      ),
  });
  logger.info(
    { database: database.kind, at: database.where, migrationsApplied: database.migrationsApplied },
    database.migrationsApplied > 0
      ? `database ready: applied ${database.migrationsApplied} migration(s)`
      : 'database ready: schema up to date',
  );
  let jobs: JobQueue;
  try {
    jobs = await JobQueue.start(database.connectionString, QUEUES, logger);
  } catch (err) {
    await database.close();
    throw err;
  }
  let app: NestExpressApplication;
  try {
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ config, database, logger }), {
      logger: new PinoNestLogger(logger),
      bodyParser: true,
      // TikTok's webhook signature is over the exact bytes (POST /tiktok/webhooks).
      rawBody: true,
    });
  } catch (err) {
    await jobs.stop();
    await database.close();
    throw err;
  }
  app.disable('x-powered-by');
  // No ETag (a sha1 of every JSON body): answers are `Cache-Control: no-store`, so none is reused.
  app.set('etag', false);
  app.set('trust proxy', 'loopback');
  app.use(securityHeaders());
  app.use(httpLogger(logger));
  app.enableCors({
    origin: [...config.corsOrigins],
    // POST /tiktok/connect sets the cookie that binds the OAuth flow to the browser (tiktok/oauth-browser-cookie.ts).
    credentials: true,
    // HEAD and PATCH, and the tus headers, for resumable uploads (relay/tus-uploads.ts).
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: [
      'Authorization',
      'Content-Type',
      'X-Request-Id',
      'Idempotency-Key',
      'Tus-Resumable',
      'Upload-Length',
      'Upload-Metadata',
      'Upload-Offset',
    ],
    exposedHeaders: [
      'X-Request-Id',
      'Retry-After',
      'Location',
      'Tus-Resumable',
      'Upload-Offset',
      'Upload-Length',
      'Upload-Expires',
    ],
    maxAge: 600,
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ErrorFilter(logger));

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Cliprelay API')
      .setDescription('Publish videos to TikTok: accounts, creator info, publishing, status, media.')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });

  await app.get(PostFollower).start(jobs);
  await app.listen(config.port, config.host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://localhost:${port}`;
  logger.info({ url, config: describeConfig(config) }, 'api listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    app,
    logger,
    // Once, however many signals ask (a terminal's Ctrl-C and a parent's SIGTERM both arrive).
    close: () =>
      (closing ??= (async () => {
        // Running jobs finish first (they use the app's services and the pool), then HTTP, then the database.
        await jobs.stop();
        await app.close();
        await database.close();
      })()),
  };
}
