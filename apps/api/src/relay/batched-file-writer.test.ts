import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { batchedFileWriter, WRITE_BATCH_BYTES, writeStreamAt } from './batched-file-writer.ts';

const dirs: string[] = [];
afterEach(() => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

describe('batchedFileWriter', () => {
  it('writes every byte at its offset, in batches of at least batchBytes but the last', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'batched-writer-'));
    dirs.push(dir);
    const path = join(dir, 'f');
    const head = Buffer.from('kept');
    const handle = await open(path, 'w+');
    await handle.write(head, 0, head.length, 0);
    const parts = Array.from({ length: 40 }, (_, i) => randomBytes(1000 + i * 37));
    const batches: number[] = [];
    try {
      await pipeline(
        Readable.from(parts),
        batchedFileWriter(handle, head.length, (n) => batches.push(n), 8192),
      );
    } finally {
      await handle.close();
    }
    const body = Buffer.concat(parts);
    expect((await readFile(path)).equals(Buffer.concat([head, body]))).toBe(true);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(body.length);
    expect(batches.slice(0, -1).every((n) => n >= 8192)).toBe(true);
    expect(batches.length).toBeLessThan(parts.length / 4);
  });

  it('fails the stream when the file cannot be written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'batched-writer-'));
    dirs.push(dir);
    const handle = await open(join(dir, 'f'), 'w');
    await handle.close();
    await expect(pipeline(Readable.from([randomBytes(10)]), batchedFileWriter(handle, 0))).rejects.toThrow();
  });
});

describe('batchedFileWriter, a sender that pauses', () => {
  it('writes what it has once no bytes came for a moment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'batched-writer-'));
    dirs.push(dir);
    const handle = await open(join(dir, 'f'), 'w+');
    const written: number[] = [];
    const sink = batchedFileWriter(handle, 0, (n) => written.push(n));
    sink.write(Buffer.alloc(1000, 1));
    await new Promise((r) => setTimeout(r, 100));
    expect(written).toEqual([1000]);
    sink.end(Buffer.alloc(10, 2));
    await new Promise((r) => sink.on('finish', r));
    await handle.close();
    expect(written).toEqual([1000, 10]);
  });
});

describe('writeStreamAt', () => {
  it('writes a stream into a file from an offset and answers the offset after it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'batched-writer-'));
    dirs.push(dir);
    const path = join(dir, 'f');
    const handle = await open(path, 'w');
    await handle.write(Buffer.from('0123456789'));
    await handle.close();
    const parts = [randomBytes(700_000), randomBytes(700_000)];
    const ends: number[] = [];
    const end = await writeStreamAt(Readable.from(parts), path, 4, { onWritten: (e) => ends.push(e) });
    expect(end).toBe(4 + 1_400_000);
    expect(ends).toEqual([4 + WRITE_BATCH_BYTES, 4 + 1_400_000]);
    expect((await readFile(path)).equals(Buffer.concat([Buffer.from('0123'), ...parts]))).toBe(true);
  });

  it('writes every byte that came out of a source that then fails, and resolves with the offset', async () => {
    const path = await emptyFile();
    const parts = Array.from({ length: 30 }, () => randomBytes(64 * 1024));
    const source = new Readable({ read: () => undefined });
    const writing = writeStreamAt(source, path, 0);
    await flowing(source);
    // As a socket gives them, one read at a time; then the connection drops, with chunks on their
    // way to the disk.
    for (const part of parts) {
      source.push(part);
      await new Promise((r) => setImmediate(r));
    }
    source.destroy(new Error('aborted'));
    const body = Buffer.concat(parts);
    expect(await writing).toBe(body.length);
    expect((await readFile(path)).equals(body)).toBe(true);
  });

  it('ends with what came when the source is destroyed without an error', async () => {
    const path = await emptyFile();
    const source = new Readable({ read: () => undefined });
    const writing = writeStreamAt(source, path, 0);
    await flowing(source);
    source.push(Buffer.alloc(3000, 7));
    await new Promise((r) => setImmediate(r));
    source.destroy();
    expect(await writing).toBe(3000);
    expect((await readFile(path)).equals(Buffer.alloc(3000, 7))).toBe(true);
  });

  it('stops taking bytes when its signal fires, with what came written', async () => {
    const path = await emptyFile();
    const source = new Readable({ read: () => undefined });
    const stop = new AbortController();
    const writing = writeStreamAt(source, path, 0, { signal: stop.signal });
    await flowing(source);
    source.push(Buffer.alloc(5000, 1));
    await new Promise((r) => setImmediate(r));
    stop.abort();
    source.push(Buffer.alloc(5000, 2));
    expect(await writing).toBe(5000);
    expect((await readFile(path)).equals(Buffer.alloc(5000, 1))).toBe(true);
    expect(source.isPaused()).toBe(true);
  });

  it('writes the buffers of a longer body that fit in `limit`, then fails with tooLarge', async () => {
    const path = await emptyFile();
    const tooLarge = new Error('413');
    const parts = [randomBytes(3000), randomBytes(1000), randomBytes(3000)];
    await expect(
      writeStreamAt(Readable.from(parts), path, 0, { limit: 5000, tooLarge: () => tooLarge }),
    ).rejects.toBe(tooLarge);
    expect((await readFile(path)).equals(Buffer.concat(parts.slice(0, 2)))).toBe(true);
  });
});

/** Resolves once the writer reads `source`. */
async function flowing(source: Readable): Promise<void> {
  while (source.readableFlowing !== true) await new Promise((r) => setTimeout(r, 1));
}

async function emptyFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'batched-writer-'));
  dirs.push(dir);
  const path = join(dir, 'f');
  await (await open(path, 'w')).close();
  return path;
}
