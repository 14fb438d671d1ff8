import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChunkReader, READ_BYTES } from './upload-host.client.ts';

let dir: string;
let server: http.Server;
let url: string;
/** The bodies the server received, in order. */
let bodies: Buffer[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chunk-reader-'));
  bodies = [];
  server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(parts));
      res.writeHead(206).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

/** One PUT whose body `reader` sends: resolves with the answer's status. */
function put(reader: ChunkReader, path: string, range: { start: number; end: number }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'PUT',
      headers: { 'content-length': String(range.end - range.start + 1) },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    reader.send(path, range, req).catch(reject);
  });
}

describe('ChunkReader', () => {
  it('sends each byte range of the file exactly, chunk after chunk through the same two buffers', async () => {
    const file = randomBytes(5 * READ_BYTES + 777);
    const path = join(dir, 'video');
    await writeFile(path, file);
    const reader = new ChunkReader();
    const ranges = [
      { start: 0, end: 2 * READ_BYTES + 99 },
      { start: 2 * READ_BYTES + 100, end: 5 * READ_BYTES - 1 },
      { start: 5 * READ_BYTES, end: file.length - 1 },
    ];
    for (const range of ranges) expect(await put(reader, path, range)).toBe(206);
    expect(bodies.map((b) => b.length)).toEqual(ranges.map((r) => r.end - r.start + 1));
    expect(Buffer.concat(bodies).equals(file)).toBe(true);
  });

  it('fails when the file ends before the range does, sending no more', async () => {
    const path = join(dir, 'short');
    await writeFile(path, randomBytes(1000));
    const req = http.request(url, { method: 'PUT', headers: { 'content-length': '5000' } });
    req.on('error', () => undefined);
    await expect(new ChunkReader().send(path, { start: 0, end: 4999 }, req)).rejects.toThrow(
      'the file ends before byte 4999',
    );
    req.destroy();
  });
});
