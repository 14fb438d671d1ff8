/**
 * A tus 1.0.0 client spoken by hand over HTTP, so that a test can cut a connection wherever it
 * likes: creation with the publish form as Upload-Metadata, the server's offset (HEAD), and a
 * PATCH of a file from an offset that may be cut after some bytes.
 */
import { createReadStream } from 'node:fs';
import http from 'node:http';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** POST /tiktok/uploads for a file of `size` bytes; `meta` overrides the form's defaults. */
export function tusCreate(
  apiUrl: string,
  who: { token: string; accountId: string },
  size: number,
  meta: Record<string, string> = {},
  headers: Record<string, string> = {},
): Promise<Response> {
  const metadata = {
    social_account_id: who.accountId,
    filename: 'trip.mp4',
    title: 'Trip #sea',
    privacy_level: 'SELF_ONLY',
    ...meta,
  };
  return fetch(`${apiUrl}/tiktok/uploads`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${who.token}`,
      'tus-resumable': '1.0.0',
      'upload-length': String(size),
      'upload-metadata': Object.entries(metadata)
        .map(([k, v]) => `${k} ${b64(v)}`)
        .join(','),
      ...headers,
    },
  });
}

/** HEAD: the offset the server has (status 200), or the answer's status otherwise. */
export async function tusOffset(
  apiUrl: string,
  token: string,
  location: string,
): Promise<{ status: number; offset: number }> {
  const res = await fetch(`${apiUrl}${location}`, {
    method: 'HEAD',
    headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' },
  });
  return { status: res.status, offset: Number(res.headers.get('upload-offset')) };
}

/**
 * PATCHes `path` (`size` bytes) from `offset`. `cutAfter` bytes in, the connection is destroyed
 * (status 0); `holdAfter` bytes in, sending pauses with the connection open and `onHold` is
 * called (e.g. to stop the server under it): the answer is status 0 when the server goes away.
 */
export function tusPatch(
  apiUrl: string,
  token: string,
  location: string,
  file: { path: string; size: number },
  offset: number,
  opts: { cutAfter?: number; holdAfter?: number; onHold?: () => void } = {},
): Promise<{ status: number; sent: number }> {
  const { cutAfter, holdAfter, onHold } = opts;
  return new Promise((resolve, reject) => {
    const req = http.request(`${apiUrl}${location}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${token}`,
        'tus-resumable': '1.0.0',
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
        'content-length': String(file.size - offset),
      },
    });
    let sent = 0;
    const stream = createReadStream(file.path, { start: offset });
    stream.on('data', (chunk) => {
      sent += chunk.length;
      if (holdAfter !== undefined && sent >= holdAfter && !stream.isPaused()) {
        stream.unpipe(req);
        stream.pause();
        onHold?.();
      }
      if (cutAfter !== undefined && sent >= cutAfter) {
        stream.destroy();
        req.destroy();
        resolve({ status: 0, sent });
      }
    });
    stream.pipe(req);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, sent }));
    });
    // A cut, or the server going away mid-PATCH: what was sent by then.
    req.on('error', (error) =>
      cutAfter === undefined && holdAfter === undefined ? reject(error) : resolve({ status: 0, sent }),
    );
  });
}
