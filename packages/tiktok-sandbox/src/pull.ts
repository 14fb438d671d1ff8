/**
 * PULL_FROM_URL (§5): TikTok downloads the video from the verified URL. The sandbox really does:
 * streamed to disk, a size cap, a time limit, and any redirect fails the pull.
 */
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { CHUNK_BOUNDS } from './chunk-plan.ts';
import type { SandboxContext } from './context.ts';
import { completeTransfer, hashOf } from './processing.ts';
import type { Publish } from './state.ts';

export function startPull(ctx: SandboxContext, p: Publish, url: string): void {
  const abort = new AbortController();
  p.pull = { url, abort };
  const maxBytes = ctx.options.pullMaxBytes ?? CHUNK_BOUNDS[ctx.options.chunkRules].maxVideoSize;
  const timer = setTimeout(
    () => abort.abort(new Error('download window elapsed')),
    ctx.options.pullTimeoutMs,
  );
  timer.unref();
  download(p, url, maxBytes, abort.signal)
    .then(() => {
      if (!p.failed) completeTransfer(ctx, p);
    })
    .catch(() => {
      // A cancel sets publish_cancelled before aborting; anything else is a failed pull.
      p.failed ??= 'video_pull_failed';
    })
    .finally(() => clearTimeout(timer));
}

async function download(p: Publish, url: string, maxBytes: number, signal: AbortSignal): Promise<void> {
  const res = await fetch(url, { redirect: 'manual', signal });
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel();
    throw new Error(`origin answered ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? 'NaN');
  if (declared > maxBytes) {
    await res.body.cancel();
    throw new Error('too large');
  }
  const hash = hashOf(p);
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (p.received_bytes + chunk.length > maxBytes) return done(new Error('too large'));
      p.received_bytes += chunk.length;
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(
    Readable.fromWeb(res.body as WebReadableStream<Uint8Array>),
    counter,
    createWriteStream(p.file_path),
    { signal },
  );
}
