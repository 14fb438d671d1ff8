/**
 * Optional persistence (options.stateFile): the state is written atomically whenever it changed,
 * checked once a second and on close, and read back at start. Runtime-only parts are rebuilt:
 * the running sha256 of an unfinished upload from the bytes on disk, a pending media check by
 * running it again.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SandboxContext } from './context.ts';
import { checkMedia } from './media-check.ts';
import { hashOf } from './processing.ts';
import type { StateSnapshot } from './state.ts';

export async function loadState(ctx: SandboxContext, file: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const snapshot = JSON.parse(text) as StateSnapshot;
  if (snapshot.version !== 1) throw new Error(`${file}: unknown state version ${String(snapshot.version)}`);
  ctx.state.restore(snapshot);
  ctx.clock.offset = snapshot.clockOffsetMs;
  for (const p of ctx.state.publishes.values()) {
    if (p.upload && p.completed_at === undefined && p.received_bytes > 0) {
      const hash = hashOf(p);
      for await (const chunk of createReadStream(p.file_path, { end: p.received_bytes - 1 }))
        hash.update(chunk as Buffer);
    }
    if (p.completed_at !== undefined && p.check_result === undefined && !p.failed) {
      const max = ctx.state.creators.get(p.open_id)?.max_video_post_duration_sec ?? 600;
      const verdict = await checkMedia(p.file_path, max).catch(() => ({
        ok: false as const,
        fail_reason: 'internal',
      }));
      p.check_result = verdict.ok ? null : verdict.fail_reason;
    }
  }
  return true;
}

export interface StateSaver {
  flush(): Promise<void>;
  stop(): void;
}

export function saveStatePeriodically(ctx: SandboxContext, file: string, everyMs = 1000): StateSaver {
  let last = '';
  let writing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    writing = writing.then(async () => {
      const text = JSON.stringify(ctx.state.snapshot(ctx.clock.offset));
      if (text === last) return;
      await mkdir(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, text);
      await rename(tmp, file);
      last = text;
    });
    return writing;
  };
  const timer = setInterval(() => {
    flush().catch((error: unknown) =>
      process.stderr.write(`tiktok-sandbox: state not saved: ${String(error)}\n`),
    );
  }, everyMs);
  timer.unref();
  return { flush, stop: () => clearInterval(timer) };
}
