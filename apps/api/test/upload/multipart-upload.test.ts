/**
 * receiveMultipartVideo behind a real node:http server, fed by real requests: fetch with
 * FormData for well-behaved clients, raw http.request for broken and vanishing ones.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_VIDEO_BYTES } from '@cliprelay/contract';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/common/app-error.ts';
import {
  exceedsDeclaredLength,
  fileTooLargeError,
  receiveMultipartVideo,
  sweepStaleUploads,
  type ReceiveMultipartOptions,
  type ReceivedFile,
} from '../../src/relay/multipart-upload.ts';
import { SpoolFile } from '../../src/relay/spool-file.ts';

/** What the relay gets, with the spool file it owns (and removes on every path, as here). */
interface ReceivedUpload {
  fields: Record<string, string>;
  file: ReceivedFile & { path: string };
  cleanup(): Promise<void>;
}

async function receive(
  req: http.IncomingMessage,
  options: Omit<ReceiveMultipartOptions, 'spool'> & { tmpDir: string },
): Promise<ReceivedUpload> {
  const spool = await SpoolFile.create(options.tmpDir);
  try {
    const upload = await receiveMultipartVideo({ headers: req.headers, body: req }, { ...options, spool });
    return {
      fields: upload.fields,
      file: { ...upload.file, path: spool.path },
      cleanup: () => spool.remove(),
    };
  } catch (error) {
    await spool.remove();
    throw error;
  }
}

const FIELDS = ['title', 'privacy_level', 'disable_comment'] as const;
const MAX_FILE_BYTES = 256 * 1024;

/** A file that starts like an MP4 (ftyp box) and continues with random bytes. */
function mp4(size: number, brand = 'isom'): Buffer {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write('ftyp', 4, 'latin1');
  ftyp.write(brand, 8, 'latin1');
  ftyp.write('isomiso2', 16, 'latin1');
  return Buffer.concat([ftyp, randomBytes(size - ftyp.length)]);
}

function webm(size: number): Buffer {
  const head = Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84]);
  return Buffer.concat([head, Buffer.from('webm'), randomBytes(size - head.length - 4)]);
}

describe('receiveMultipartVideo', () => {
  let root: string;
  let tmpDir: string;
  let server: http.Server;
  let baseUrl: string;
  let options: Partial<ReceiveMultipartOptions> = {};
  /** The outcome of the request the server handled last. */
  let outcome: Promise<ReceivedUpload>;
  let outcomeReady: () => void = () => undefined;
  let received: ReceivedUpload[] = [];

  /** The outcome of the next request; marked handled, since the test awaits it only after sending. */
  function nextOutcome(): Promise<ReceivedUpload> {
    const result = new Promise<void>((resolve) => (outcomeReady = resolve)).then(() => outcome);
    result.catch(() => undefined);
    return result;
  }

  async function failure(promise: Promise<unknown>): Promise<AppError> {
    try {
      await promise;
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      return error as AppError;
    }
    throw new Error('expected the upload to be refused');
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cliprelay-multipart-'));
    server = http.createServer((req, res) => {
      outcome = receive(req, {
        tmpDir,
        maxFileBytes: MAX_FILE_BYTES,
        allowedFields: FIELDS,
        ...options,
      });
      outcomeReady();
      outcome.then(
        (upload) => {
          received.push(upload);
          res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
        },
        (error: AppError) => {
          if (res.destroyed) return;
          res.writeHead(400, { 'content-type': 'application/json', connection: 'close' });
          res.end(JSON.stringify({ code: error.code }));
        },
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(async () => {
    tmpDir = await mkdtemp(join(root, 'tmp-'));
    options = {};
    received = [];
  });

  afterEach(async () => {
    await Promise.all(received.map((upload) => upload.cleanup()));
  });

  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await rm(root, { recursive: true, force: true });
  });

  /** Sends a form with fetch; a refused upload may also end the connection, which fetch reports as an error. */
  async function post(form: FormData): Promise<ReceivedUpload> {
    const result = nextOutcome();
    await fetch(`${baseUrl}/upload`, { method: 'POST', body: form }).catch(() => undefined);
    return result;
  }

  function form(file: Buffer | undefined, fileName = 'clip.mp4', type = 'video/mp4'): FormData {
    const data = new FormData();
    data.append('title', 'My first clip #cat');
    data.append('privacy_level', 'SELF_ONLY');
    if (file) data.append('file', new Blob([file], { type }), fileName);
    return data;
  }

  it('receives the metadata fields and streams the file to a private temp file with the same bytes', async () => {
    const bytes = mp4(200_000);

    const upload = await post(form(bytes));

    expect(upload.fields).toEqual({ title: 'My first clip #cat', privacy_level: 'SELF_ONLY' });
    expect(upload.file).toMatchObject({
      size: bytes.length,
      mimeType: 'video/mp4',
      originalName: 'clip.mp4',
      contentType: 'video/mp4',
    });
    expect(upload.file.path.startsWith(tmpDir)).toBe(true);
    expect(upload.file.path).toMatch(new RegExp(`/upload-${process.pid}-[0-9a-f-]{36}\\.part$`));
    expect((await stat(upload.file.path)).mode & 0o777).toBe(0o600);
    expect((await readFile(upload.file.path)).equals(bytes)).toBe(true);
  });

  it('removes the temp file on cleanup, and a second cleanup is harmless', async () => {
    const upload = await post(form(mp4(10_000)));

    await upload.cleanup();
    await upload.cleanup();

    expect(await readdir(tmpDir)).toEqual([]);
  });

  it.each([
    ['a QuickTime ftyp brand', mp4(5_000, 'qt  '), 'video/quicktime', 'clip.mov', 'video/quicktime'],
    ['the EBML magic', webm(5_000), 'video/webm', 'clip.webm', 'video/webm'],
    ['an ftyp box, whatever the declared video type', mp4(5_000), 'video/webm', 'clip.webm', 'video/mp4'],
  ])('derives the content type from %s', async (_what, bytes, declared, name, expected) => {
    const upload = await post(form(bytes, name, declared));
    expect(upload.file.contentType).toBe(expected);
    expect(upload.file.mimeType).toBe(declared);
  });

  it('refuses a file over maxFileBytes with FILE_TOO_LARGE and leaves no temp file', async () => {
    const error = await failure(post(form(mp4(MAX_FILE_BYTES + 1))));

    expect(error.code).toBe('FILE_TOO_LARGE');
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('accepts a file of exactly maxFileBytes', async () => {
    const upload = await post(form(mp4(MAX_FILE_BYTES)));
    expect(upload.file.size).toBe(MAX_FILE_BYTES);
  });

  it('tells the user the 4 GB maximum when the production limit is hit', () => {
    expect(fileTooLargeError(MAX_VIDEO_BYTES).message).toBe('Video file is too large. Maximum size is 4 GB.');
  });

  it('refuses a text file named .mp4 and declared video/mp4 with UNSUPPORTED_MEDIA and leaves no temp file', async () => {
    const text = Buffer.from('This is not a video, just some notes someone renamed.\n'.repeat(200));

    const error = await failure(post(form(text, 'notes.mp4', 'video/mp4')));

    expect(error.code).toBe('UNSUPPORTED_MEDIA');
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('refuses a file whose declared type is not video/* with UNSUPPORTED_MEDIA', async () => {
    const error = await failure(post(form(mp4(5_000), 'clip.mp4', 'image/png')));

    expect(error.code).toBe('UNSUPPORTED_MEDIA');
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('refuses a file too short to be a video', async () => {
    const error = await failure(post(form(Buffer.from('tiny'), 'clip.mp4')));
    expect(error.code).toBe('UNSUPPORTED_MEDIA');
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('answers VALIDATION_FAILED "file is required" when no file is sent', async () => {
    const error = await failure(post(form(undefined)));

    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: ['file is required'] });
  });

  it('answers VALIDATION_FAILED naming an unknown field, and keeps no temp file', async () => {
    const data = new FormData();
    data.append('title', 'x');
    data.append('schedule_at', 'tomorrow');
    data.append('file', new Blob([mp4(5_000)], { type: 'video/mp4' }), 'clip.mp4');

    const error = await failure(post(data));

    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: ['property schedule_at should not exist'],
    });
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('answers VALIDATION_FAILED for a field longer than maxFieldBytes', async () => {
    options = { maxFieldBytes: 100 };
    const data = new FormData();
    data.append('title', 'x'.repeat(101));
    data.append('file', new Blob([mp4(5_000)], { type: 'video/mp4' }), 'clip.mp4');

    const error = await failure(post(data));

    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: ['title is too long'] });
  });

  it('refuses a second file and removes the first one', async () => {
    const data = form(mp4(50_000));
    data.append('file', new Blob([mp4(5_000)], { type: 'video/mp4' }), 'second.mp4');

    const error = await failure(post(data));

    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: ['only one file may be uploaded'] });
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('refuses a body that is not multipart/form-data', async () => {
    const result = nextOutcome();
    await fetch(`${baseUrl}/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });

    expect((await failure(result)).code).toBe('UNSUPPORTED_MEDIA');
  });

  /** Sends `body` over a raw socket-level request; `finish` decides how the request ends. */
  async function rawPost(
    body: Buffer,
    boundary: string,
    finish: (req: http.ClientRequest) => Promise<void>,
  ): Promise<ReceivedUpload> {
    const result = nextOutcome();
    const req = http.request(`${baseUrl}/upload`, {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(body.length),
      },
    });
    req.on('error', () => undefined);
    req.on('response', (res) => res.resume());
    await finish(req);
    return result;
  }

  function multipartBody(boundary: string, file: Buffer): Buffer {
    return Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nhello\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="clip.mp4"\r\n` +
          'Content-Type: video/mp4\r\n\r\n',
      ),
      file,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
  }

  it('removes the temp file when the client goes away in the middle of the file', async () => {
    const boundary = 'cliprelay-test-boundary';
    const body = multipartBody(boundary, mp4(200_000));

    const result = rawPost(body, boundary, async (req) => {
      req.write(body.subarray(0, body.length / 2));
      // Wait until the server has started writing the temp file, then vanish.
      for (let i = 0; i < 200 && (await readdir(tmpDir)).length === 0; i++) await sleep(5);
      expect(await readdir(tmpDir)).toHaveLength(1);
      req.destroy();
    });

    const error = await failure(result);
    expect(error.code).toBe('UNSUPPORTED_MEDIA');
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('removes the temp file when the body ends before the multipart form does', async () => {
    const boundary = 'cliprelay-test-boundary';
    const whole = multipartBody(boundary, mp4(100_000));
    const truncated = whole.subarray(0, 60_000);

    const result = rawPost(truncated, boundary, async (req) => {
      req.end(truncated);
      await Promise.resolve();
    });

    expect((await failure(result)).code).toBe('UNSUPPORTED_MEDIA');
    expect(await readdir(tmpDir)).toEqual([]);
  });
});

describe('exceedsDeclaredLength', () => {
  const max = 4 * 1024 * 1024 * 1024;
  const withLength = (value: string | undefined) => ({ headers: { 'content-length': value } });

  it('says a body declared larger than the file limit plus the multipart overhead is too large', () => {
    expect(exceedsDeclaredLength(withLength(String(max + 1024 * 1024 + 1)), max)).toBe(true);
    expect(exceedsDeclaredLength(withLength('10000000000'), max)).toBe(true);
  });

  it('lets through a body that could still hold a file within the limit', () => {
    expect(exceedsDeclaredLength(withLength(String(max)), max)).toBe(false);
    expect(exceedsDeclaredLength(withLength(String(max + 1000)), max)).toBe(false);
  });

  it('cannot tell without a usable Content-Length', () => {
    expect(exceedsDeclaredLength(withLength(undefined), max)).toBe(false);
    expect(exceedsDeclaredLength(withLength('12abc'), max)).toBe(false);
  });
});

describe('sweepStaleUploads', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cliprelay-sweep-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('deletes only upload-*.part files older than the threshold and returns how many', async () => {
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const files = {
      stale: 'upload-0b7f7f8e-4a9b-4b43-9a55-2c1c0f5d8f10.part',
      fresh: 'upload-6f1d2e0a-1c1b-4b0e-8e7e-0a3c3d3f4e5f.part',
      other: 'notes.txt',
      lookalike: 'upload-0b7f7f8e.partial',
    };
    for (const name of Object.values(files)) await writeFile(join(dir, name), 'x');
    for (const name of [files.stale, files.other, files.lookalike]) await utimes(join(dir, name), old, old);
    await mkdir(join(dir, 'upload-00000000-0000-0000-0000-000000000000.part'));

    const removed = await sweepStaleUploads(dir, 60 * 60 * 1000);

    expect(removed).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(
      [files.fresh, files.lookalike, files.other, 'upload-00000000-0000-0000-0000-000000000000.part'].sort(),
    );
  });

  it('deletes at once the files of a process that is gone or had our pid before us, and keeps those of live ones', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(dead.stdout.toString());
    const files = {
      ofDead: `upload-${deadPid}-0b7f7f8e-4a9b-4b43-9a55-2c1c0f5d8f10.part`,
      ofParent: `upload-${process.ppid}-6f1d2e0a-1c1b-4b0e-8e7e-0a3c3d3f4e5f.part`,
      ofSelf: `upload-${process.pid}-1f1d2e0a-1c1b-4b0e-8e7e-0a3c3d3f4e5f.part`,
    };
    for (const name of Object.values(files)) await writeFile(join(dir, name), 'x');

    // At boot nothing of ours runs yet: a file with our pid is a killed predecessor's (pid 1 in a container).
    expect(await sweepStaleUploads(dir, 60 * 60 * 1000)).toBe(2);
    expect(await readdir(dir)).toEqual([files.ofParent]);
  });

  it('returns 0 for a directory that does not exist', async () => {
    expect(await sweepStaleUploads(join(dir, 'missing'), 0)).toBe(0);
  });
});
