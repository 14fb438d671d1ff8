import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server } from '@tus/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WRITE_BATCH_BYTES } from './batched-file-writer.ts';
import { readPatchBodiesFromNode, RelayFileStore } from './tus-file-store.ts';

const TUS = { 'tus-resumable': '1.0.0' };

let dir: string;
let base: string;
let listener: http.Server;
/** What the store told, by upload id: the file's offset after each batch. */
let heard: Map<string, number[]>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tus-file-store-'));
  heard = new Map();
  const store = new RelayFileStore(dir, 0, (id, end) => heard.set(id, [...(heard.get(id) ?? []), end]));
  const tus = new Server({ path: '/files', datastore: store, relativeLocation: true });
  readPatchBodiesFromNode(tus, store);
  listener = http.createServer((req, res) => void tus.handle(req, res));
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
});

afterEach(async () => {
  listener.closeAllConnections();
  await new Promise((r) => listener.close(r));
  await rm(dir, { recursive: true, force: true });
});

async function create(size: number): Promise<string> {
  const res = await fetch(`${base}/files`, {
    method: 'POST',
    headers: { ...TUS, 'upload-length': String(size) },
  });
  expect(res.status).toBe(201);
  return `${base}${res.headers.get('location')}`;
}

async function offsetOf(url: string): Promise<number> {
  const res = await fetch(url, { method: 'HEAD', headers: TUS });
  return Number(res.headers.get('upload-offset'));
}

/** A PATCH of `body` from `offset`: its answer's status and Upload-Offset. */
function patch(
  url: string,
  offset: number,
  body: Buffer,
  headers: Record<string, string> = { 'content-length': String(body.length) },
): Promise<{ status: number; offset: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'PATCH',
      headers: {
        ...TUS,
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
        ...headers,
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, offset: Number(res.headers['upload-offset']) }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A PATCH whose connection is cut once the socket took the first `sent` bytes of a longer body
 * (each write's callback), as a client whose network went away after sending them.
 */
async function cutPatch(url: string, body: Buffer, sent: number): Promise<void> {
  const req = http.request(url, {
    method: 'PATCH',
    headers: {
      ...TUS,
      'upload-offset': '0',
      'content-type': 'application/offset+octet-stream',
      'content-length': String(body.length),
    },
  });
  req.on('error', () => undefined);
  for (let at = 0; at < sent; at += 64 * 1024) {
    const part = body.subarray(at, Math.min(sent, at + 64 * 1024));
    await new Promise<void>((taken, failed) => req.write(part, (e) => (e ? failed(e) : taken())));
  }
  req.destroy();
}

describe('a tus PATCH body read from the Node request', () => {
  it('writes the whole body and tells each batch as it lands', async () => {
    const body = randomBytes(3 * WRITE_BATCH_BYTES + 4321);
    const url = await create(body.length);
    expect(await patch(url, 0, body)).toEqual({ status: 204, offset: body.length });
    const id = url.split('/').pop()!;
    expect((await readFile(join(dir, id))).equals(body)).toBe(true);
    const ends = heard.get(id) ?? [];
    // In order, up to the last byte; in batches, not one notice per 64 KiB buffer (49 of them).
    expect(ends.at(-1)).toBe(body.length);
    expect(ends.every((end, i) => i === 0 || end > ends[i - 1]!)).toBe(true);
    expect(ends.length).toBeLessThan(16);
  });

  it('keeps every byte that reached the server before the connection dropped; the resume completes it', async () => {
    const body = randomBytes(4 * WRITE_BATCH_BYTES);
    const url = await create(body.length);
    const sent = 2 * WRITE_BATCH_BYTES + 12_345;
    await cutPatch(url, body, sent);
    let offset = -1;
    for (let i = 0; i < 100 && offset !== sent; i++) {
      await new Promise((r) => setTimeout(r, 20));
      offset = await offsetOf(url);
    }
    expect(offset).toBe(sent);
    expect(await patch(url, offset, body.subarray(offset))).toEqual({ status: 204, offset: body.length });
    expect((await readFile(join(dir, url.split('/').pop()!))).equals(body)).toBe(true);
  });

  it('still answers as tus does: 409 for a PATCH from another offset, nothing written', async () => {
    const url = await create(100);
    expect((await patch(url, 10, Buffer.alloc(90))).status).toBe(409);
    expect(await offsetOf(url)).toBe(0);
  });

  it('refuses a chunked body longer than the upload with 413, keeping the buffers before the one that crosses it', async () => {
    const url = await create(1000);
    const req = http.request(url, {
      method: 'PATCH',
      headers: { ...TUS, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
    });
    const answered = new Promise<number>((resolve) =>
      req.on('response', (res) => resolve(res.statusCode ?? 0)),
    );
    req.on('error', () => undefined);
    await new Promise((r) => req.write(randomBytes(800), r));
    await new Promise((r) => setTimeout(r, 50));
    req.end(randomBytes(2200));
    expect(await answered).toBe(413);
    expect(await offsetOf(url)).toBe(800);
  });
});
