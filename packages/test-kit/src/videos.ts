/**
 * Test videos that TikTok's checks (and the sandbox's) take for real ones: the container is told
 * by `ftyp` at offset 4 (MP4/MOV) or the EBML magic (WebM), and the duration read from the movie
 * header, so three boxes — ftyp, moov(mvhd), mdat — make a video. The mdat payload is random by
 * default, so two files never share a sha256 and a byte out of place always shows.
 *
 * `mp4Bytes` builds one in memory (kilobytes to a few MiB, for tests); `writeMp4File` streams one
 * of any size to disk, hashing on the way (the benchmarks' gigabytes).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MiB = 1024 * 1024;

export interface Mp4Options {
  /** What the movie header says, in seconds (default 5). */
  durationSec?: number;
  /** Exact size in bytes (default 4096). */
  size?: number;
  /** The moov box after mdat, as many encoders write it. */
  moovAtEnd?: boolean;
  /** The major brand: `isom` (MP4, the default), `qt  ` (MOV). */
  brand?: string;
  /** `random` (the default) or `pattern`: the same bytes for the same options. */
  payload?: 'random' | 'pattern';
}

export function box(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

function ftypBox(brand: string): Buffer {
  return box(
    'ftyp',
    Buffer.from(brand, 'latin1'),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from('isomiso2avc1mp41', 'latin1'),
  );
}

function moovBox(durationSec: number): Buffer {
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(0, 0); // version 0, flags 0
  mvhd.writeUInt32BE(1000, 12); // timescale
  mvhd.writeUInt32BE(Math.round(durationSec * 1000), 16); // duration in timescale units
  mvhd.writeUInt32BE(0x00010000, 20); // rate 1.0
  mvhd.writeUInt16BE(0x0100, 24); // volume 1.0
  mvhd.writeUInt32BE(2, 96); // next track id
  return box('moov', box('mvhd', mvhd));
}

/** An MP4 of exactly `size` bytes whose movie header says `durationSec`. */
export function mp4Bytes(options: Mp4Options = {}): Buffer {
  const { durationSec = 5, size = 4096, moovAtEnd = false, brand = 'isom', payload = 'random' } = options;
  const ftyp = ftypBox(brand);
  const moov = moovBox(durationSec);
  const padding = size - ftyp.length - moov.length - 8;
  if (padding < 0) throw new Error(`mp4Bytes: size ${size} is too small`);
  let body: Buffer;
  if (payload === 'random') {
    body = randomBytes(padding);
  } else {
    body = Buffer.alloc(padding);
    for (let i = 0; i < padding; i += 4096) body[i] = (i / 4096) % 251;
  }
  const mdat = box('mdat', body);
  return Buffer.concat(moovAtEnd ? [ftyp, mdat, moov] : [ftyp, moov, mdat]);
}

/** A minimal WebM (EBML magic) followed by zeros. */
export function webmBytes(size = 4096): Buffer {
  const bytes = Buffer.alloc(size);
  Buffer.from([0x1a, 0x45, 0xdf, 0xa3]).copy(bytes, 0);
  return bytes;
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface TestFile {
  path: string;
  /** The name a browser would send (the file's base name). */
  name: string;
  size: number;
  sha256: string;
}

/** A private temp folder for a suite's test files. */
export async function testFilesDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cliprelay-test-files-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function writeTestFile(dir: string, name: string, bytes: Buffer): Promise<TestFile> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return { path, name, size: bytes.length, sha256: sha256(bytes) };
}

/** {@link mp4Bytes} written to `dir/name`. */
export function writeMp4(dir: string, name: string, options: Mp4Options = {}): Promise<TestFile> {
  return writeTestFile(dir, name, mp4Bytes(options));
}

const WRITE_BLOCK = 4 * MiB;

/**
 * An MP4 of exactly `size` bytes of any size, streamed to `path` in blocks and hashed on the way:
 * one mdat (a 64-bit size when it needs one) of a random block stamped with its index, so no two
 * blocks are equal. Resolves with the file's sha256.
 */
export async function writeMp4File(path: string, size: number, durationSec = 5): Promise<string> {
  const ftyp = ftypBox('isom');
  const moov = moovBox(durationSec);
  const rest = size - ftyp.length - moov.length;
  const large = rest > 0xffff_ffff;
  const mdatHeader = Buffer.alloc(large ? 16 : 8);
  if (large) {
    mdatHeader.writeUInt32BE(1, 0);
    mdatHeader.writeBigUInt64BE(BigInt(rest), 8);
  } else {
    mdatHeader.writeUInt32BE(rest, 0);
  }
  mdatHeader.write('mdat', 4, 'latin1');
  const payload = rest - mdatHeader.length;
  if (payload < 0) throw new Error(`a video of ${size} bytes is too small`);

  const hash = createHash('sha256');
  const file = await open(path, 'w');
  try {
    const write = async (bytes: Buffer) => {
      hash.update(bytes);
      await file.write(bytes);
    };
    await write(Buffer.concat([ftyp, moov, mdatHeader]));
    const block = randomBytes(WRITE_BLOCK);
    for (let written = 0, i = 0; written < payload; i++) {
      const n = Math.min(WRITE_BLOCK, payload - written);
      block.writeUInt32BE(i, 0);
      block.writeUInt32BE(i, WRITE_BLOCK / 2);
      await write(n === WRITE_BLOCK ? block : block.subarray(0, n));
      written += n;
    }
  } finally {
    await file.close();
  }
  return hash.digest('hex');
}
