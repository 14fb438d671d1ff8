/**
 * Where a tus PATCH's bytes go: from the Node request straight into the upload's file, in 1 MiB
 * writes, each one told to the relay waiting for them (tus-uploads.ts).
 *
 * @tus/server (2.x) runs on web streams: it turns the Node request into a web ReadableStream
 * (srvx's `Readable.toWeb`) and back into a Node stream (`Readable.fromWeb`), through two more
 * streams of its own, to @tus/file-store, which writes each 64 KiB buffer as it comes. That costs
 * the API far more CPU than the video's own bytes need, and it loses what sits in the web stream's
 * queue when the connection drops (its error drops the queue): the client then sends those bytes
 * again. So the PATCH handler here is @tus/server's own, with one step changed: the body is read
 * from the Node request itself (`writeStreamAt`), and every byte that reached this process is
 * written, also when the connection drops. Everything else of the protocol (the lock, the offset
 * check, Upload-Length, the answer and its headers, the hooks) stays @tus/server's.
 */
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';
import {
  type CancellationContext,
  type DataStore,
  ERRORS,
  isPathInsideDirectory,
  type Server,
  type Upload,
} from '@tus/server';
import { writeStreamAt } from './batched-file-writer.ts';

/** The file store of resumable uploads: writes in batches and tells `onWritten` each one. */
export class RelayFileStore extends FileStore {
  constructor(
    private readonly root: string,
    expirationPeriodInMilliseconds: number,
    /** The upload's file now has every byte before `end`. */
    private readonly onWritten: (id: string, end: number) => void,
  ) {
    super({ directory: root, expirationPeriodInMilliseconds });
  }

  /** A body @tus/server hands over as a stream (a creation POST that carries bytes). */
  override write(readable: IncomingMessage | Readable, id: string, offset: number): Promise<number> {
    return this.writeBody(readable, id, offset);
  }

  /**
   * Writes `body` into the upload's file from `offset`; resolves with the offset after it. A body
   * that stops early (its connection dropped, or `signal`: tus asks the PATCH to let go) still
   * has every byte that came written. More than `limit` bytes answer 413.
   */
  writeBody(
    body: Readable,
    id: string,
    offset: number,
    options: { limit?: number; signal?: AbortSignal } = {},
  ): Promise<number> {
    const path = join(this.root, id);
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- @tus/server's errors are { status_code, body }
    if (!isPathInsideDirectory(this.root, path)) return Promise.reject(ERRORS.FILE_NOT_FOUND);
    return writeStreamAt(body, path, offset, {
      ...options,
      onWritten: (end) => this.onWritten(id, end),
      tooLarge: () => ERRORS.ERR_MAX_SIZE_EXCEEDED,
    });
  }
}

type PatchHandler = Server['handlers']['PATCH'];
type PatchSend = PatchHandler['send'];

/**
 * Makes `server` read each PATCH body from its Node request into `store` (see the top of this
 * file), in place of @tus/server's web-stream path. Call it before anything listens to the
 * server's events (they are passed on to the handlers there are then).
 */
export function readPatchBodiesFromNode(server: Server, store: RelayFileStore): void {
  // @tus/server exports its Server only: its PATCH handler's class is that of the handler it made.
  const TusPatchHandler = server.handlers.PATCH.constructor as new (
    store: DataStore,
    options: Server['options'],
  ) => PatchHandler;
  // A @tus/server whose handler no longer reads bodies through writeToStore fails here, at boot,
  // rather than quietly going back to its web streams.
  if (typeof Reflect.get(TusPatchHandler.prototype, 'writeToStore') !== 'function') {
    throw new Error('@tus/server’s PATCH handler has no writeToStore to override (tus-file-store.ts)');
  }
  /** Each PATCH's Node request, by the cancellation context @tus/server made for it. */
  const bodies = new WeakMap<CancellationContext, IncomingMessage>();

  class NodeBodyPatchHandler extends TusPatchHandler {
    override send(...[req, context, headers]: Parameters<PatchSend>): ReturnType<PatchSend> {
      const node = (req as { runtime?: { node?: { req?: IncomingMessage } } }).runtime?.node?.req;
      if (node) {
        bodies.set(context, node);
        // Read, srvx's `body` turns the request into a web stream and starts reading it: the
        // handler is given none, and writeToStore below reads the Node request instead.
        Object.defineProperty(req, 'body', { value: null });
      }
      return super.send(req, context, headers);
    }

    protected override async writeToStore(
      webBody: ReadableStream | null,
      upload: Upload,
      maxBodySize: number,
      context: CancellationContext,
    ): Promise<number> {
      const node = bodies.get(context);
      if (!node) return super.writeToStore(webBody, upload, maxBodySize, context);
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- @tus/server's errors are { status_code, body }
      if (context.signal.aborted) throw ERRORS.ABORTED;
      return store.writeBody(node, upload.id, upload.offset, {
        limit: maxBodySize,
        signal: context.signal,
      });
    }
  }

  server.handlers.PATCH = new NodeBodyPatchHandler(store, server.options);
}
