/**
 * Small, structurally valid test videos. The sandbox checks the container (`ftyp` at offset 4)
 * and reads the duration from the movie header (mvhd) with mp4box, so a file of three boxes —
 * ftyp, moov(mvhd), mdat full of random bytes — is a video as far as TikTok's checks go.
 * Adapted from packages/tiktok-sandbox/test/helpers.ts (copied, not imported: the API's tests
 * do not reach into the sandbox's sources).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MiB = 1024 * 1024;

function box(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

/**
 * An MP4 of exactly `size` bytes whose movie header says `durationSec`. The mdat payload is
 * random, so two files never share a sha256 and a byte out of place always shows.
 */
export function mp4Bytes(options: { durationSec?: number; size?: number } = {}): Buffer {
  const { durationSec = 5, size = 4096 } = options;
  const ftyp = box(
    'ftyp',
    Buffer.from('isom', 'latin1'),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from('isomiso2avc1mp41', 'latin1'),
  );
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(0, 0); // version 0, flags 0
  mvhd.writeUInt32BE(1000, 12); // timescale
  mvhd.writeUInt32BE(Math.round(durationSec * 1000), 16); // duration in timescale units
  mvhd.writeUInt32BE(0x00010000, 20); // rate 1.0
  mvhd.writeUInt16BE(0x0100, 24); // volume 1.0
  mvhd.writeUInt32BE(2, 96); // next track id
  const moov = box('moov', box('mvhd', mvhd));
  const padding = size - ftyp.length - moov.length - 8;
  if (padding < 0) throw new Error(`mp4Bytes: size ${size} is too small`);
  return Buffer.concat([ftyp, moov, box('mdat', randomBytes(padding))]);
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

/** A private temp dir for a suite's test files. */
export async function testFilesDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cliprelay-test-files-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function writeTestFile(dir: string, name: string, bytes: Buffer): Promise<TestFile> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return { path, name, size: bytes.length, sha256: sha256(bytes) };
}

/** An MP4 on disk: {@link mp4Bytes} written to `dir/name`. */
export function writeMp4(
  dir: string,
  name: string,
  options: { durationSec?: number; size?: number } = {},
): Promise<TestFile> {
  return writeTestFile(dir, name, mp4Bytes(options));
}
