/**
 * What TikTok checks after the last byte (§4.2, §6.3): the container, and for MP4/MOV the
 * duration from the movie header, found with mp4box reading the file from disk at the
 * positions it asks for (it skips mdat, so a multi-gigabyte file costs a few reads).
 */
import { type FileHandle, open } from 'node:fs/promises';
import { Log, MP4BoxBuffer, createFile, type Movie } from 'mp4box';

Log.setLogLevel(() => undefined);

const READ_SIZE = 1 << 20;
const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);

export type MediaVerdict =
  { ok: true; container: 'mp4' | 'webm'; durationSec?: number } | { ok: false; fail_reason: string };

export async function checkMedia(path: string, maxDurationSec: number): Promise<MediaVerdict> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(12);
    await handle.read(head, 0, 12, 0);
    if (head.subarray(0, 4).equals(EBML_MAGIC)) {
      // WebM: the EBML header is the container check; its duration is not read (see README).
      return { ok: true, container: 'webm' };
    }
    if (size < 12 || head.toString('latin1', 4, 8) !== 'ftyp') {
      return { ok: false, fail_reason: 'file_format_check_failed' };
    }
    const movie = await readMovieHeader(handle, size);
    if (!movie || !movie.timescale) return { ok: false, fail_reason: 'file_format_check_failed' };
    const durationSec = movie.duration / movie.timescale;
    if (durationSec > maxDurationSec) return { ok: false, fail_reason: 'duration_check_failed' };
    return { ok: true, container: 'mp4', durationSec };
  } finally {
    await handle.close();
  }
}

async function readMovieHeader(handle: FileHandle, size: number): Promise<Movie | undefined> {
  const file = createFile();
  let movie: Movie | undefined;
  let failed = false;
  file.onReady = (info) => {
    movie = info;
  };
  file.onError = () => {
    failed = true;
  };
  let position = 0;
  let reads = 0;
  while (!movie && !failed && position < size && reads < 4096) {
    const length = Math.min(READ_SIZE, size - position);
    const buf = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buf, 0, length, position);
    if (bytesRead === 0) break;
    reads += 1;
    const chunk = MP4BoxBuffer.fromArrayBuffer(
      buf.buffer.slice(buf.byteOffset, buf.byteOffset + bytesRead),
      position,
    );
    const next = file.appendBuffer(chunk, position + bytesRead >= size);
    position = typeof next === 'number' && next > position ? next : position + bytesRead;
  }
  file.flush();
  return movie;
}
