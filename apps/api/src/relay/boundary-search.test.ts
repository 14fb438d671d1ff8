import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import busboy from 'busboy';
import { describe, expect, it } from 'vitest';
import { BoundarySearch, useNativeBoundarySearch } from './boundary-search.ts';

// busboy's own search, the reference the native one must agree with (no types of its own).
const StreamSearch = createRequire(import.meta.url)('streamsearch') as new (
  needle: Buffer,
  cb: (isMatch: boolean, data: Buffer | undefined, start: number, end: number) => void,
) => { push(chunk: Buffer, pos?: number): number; destroy(): void };

/** Not a latin1 character: marks a needle in `run`'s text. */
const NEEDLE = '\u0100';

/** What a search reports, as text: the data between needles (latin1), NEEDLE at each needle. */
function run(
  make: (cb: (isMatch: boolean, data: Buffer | undefined, start: number, end: number) => void) => {
    push(chunk: Buffer): unknown;
    destroy(): void;
  },
  chunks: Buffer[],
): string {
  const out: string[] = [];
  const search = make((isMatch, data, start, end) => {
    if (data) out.push(data.toString('latin1', start, end));
    if (isMatch) out.push(NEEDLE);
  });
  for (const chunk of chunks) search.push(chunk);
  search.destroy();
  return out.join('');
}

/** Random cuts, from single bytes to large pieces. */
function split(data: Buffer, seed: number): Buffer[] {
  const chunks: Buffer[] = [];
  let rnd = seed;
  const next = () => (rnd = (rnd * 1103515245 + 12345) % 2 ** 31);
  for (let pos = 0; pos < data.length;) {
    const size = [1, 2, 3, 5, 17, 64, 1000][next() % 7]! + (next() % 4);
    chunks.push(data.subarray(pos, pos + size));
    pos += size;
  }
  return chunks;
}

describe('BoundarySearch', () => {
  const needle = Buffer.from('\r\n--boundary42');

  it('reports the same data and needles as streamsearch, however the stream is cut', () => {
    const alphabet = ['x', '\r', '\n', '-', '\r\n', '\r\n-', '\r\n--', '\r\n--bound', '\r\n--boundary4'];
    for (let seed = 1; seed <= 300; seed++) {
      let text = '';
      for (let i = 0; i < 60; i++) {
        const r = (seed * 31 + i * 17) % 13;
        text += r < alphabet.length ? alphabet[r] : r === 11 ? needle.toString('latin1') : 'abc';
      }
      const data = Buffer.from(text, 'latin1');
      const expected = run((cb) => new StreamSearch(needle, cb), [data]);
      expect(run((cb) => new BoundarySearch(needle, cb), split(data, seed))).toBe(expected);
      expect(run((cb) => new StreamSearch(needle, cb), split(data, seed))).toBe(expected);
    }
  });

  it('finds needles in large random data cut anywhere', () => {
    const parts = [randomBytes(200_000), needle, randomBytes(65_536), needle, needle, randomBytes(10)];
    const data = Buffer.concat(parts);
    const expected = run((cb) => new StreamSearch(needle, cb), [data]);
    expect(expected.split(NEEDLE)).toHaveLength(4);
    for (const seed of [7, 8, 9]) {
      expect(run((cb) => new BoundarySearch(needle, cb), split(data, seed))).toBe(expected);
    }
    expect(run((cb) => new BoundarySearch(needle, cb), [data])).toBe(expected);
  });

  it('passes views of the pushed chunk as safe, and copies of held-back bytes as unsafe', () => {
    const chunk = Buffer.from('hello\r\n--bo');
    const calls: { data: Buffer | undefined; safe: boolean }[] = [];
    const search = new BoundarySearch(needle, (_m, data, _s, _e, safe) => calls.push({ data, safe }));
    search.push(chunk);
    search.push(Buffer.from('b'));
    search.destroy();
    expect(calls[0]).toEqual({ data: chunk, safe: true });
    expect(calls[1]!.safe).toBe(false);
  });
});

describe('useNativeBoundarySearch', () => {
  function form(boundary: string, file: Buffer): Buffer {
    return Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nhi\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n` +
          'Content-Type: video/mp4\r\n\r\n',
      ),
      file,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
  }

  async function parse(body: Buffer, boundary: string, chunkSize: number) {
    const parser = busboy({ headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    const swapped = useNativeBoundarySearch(parser);
    const fields: Record<string, string> = {};
    const files: Buffer[] = [];
    const done = new Promise<void>((resolve, reject) => {
      parser.on('field', (name, value) => (fields[name] = value));
      parser.on('file', (_name, stream) => {
        const parts: Buffer[] = [];
        stream.on('data', (b: Buffer) => parts.push(b));
        stream.on('end', () => files.push(Buffer.concat(parts)));
      });
      parser.on('close', resolve);
      parser.on('error', reject);
    });
    for (let i = 0; i < body.length; i += chunkSize) parser.write(body.subarray(i, i + chunkSize));
    parser.end();
    await done;
    return { swapped, fields, files };
  }

  it('swaps the search of the busboy we ship, and parses the same form however it is cut', async () => {
    const boundary = '----cliprelay-test-1234';
    // A file that holds most of its boundary, and ends with the start of one.
    const file = Buffer.concat([randomBytes(5000), Buffer.from(`\r\n--${boundary.slice(0, -1)}x\r\n--`)]);
    for (const size of [1, 7, 64, 4096, 1 << 20]) {
      const { swapped, fields, files } = await parse(form(boundary, file), boundary, size);
      expect(swapped).toBe(true);
      expect(fields).toEqual({ title: 'hi' });
      expect(files).toHaveLength(1);
      expect(files[0]!.equals(file)).toBe(true);
    }
  });

  it('leaves a parser of another shape alone', () => {
    const parser = busboy({ headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(useNativeBoundarySearch(parser)).toBe(false);
  });
});
