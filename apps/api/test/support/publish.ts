/**
 * Helpers for the publishing suites: request bodies, the multipart upload a browser sends, what
 * the sandbox received, polling, the upload temp dir, a local media host for PULL_FROM_URL and
 * raw HTTP for clients that misbehave on purpose.
 */
import { once } from 'node:events';
import { createReadStream, openAsBlob } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SandboxFault, SandboxFaultInput, SandboxPublish } from '@cliprelay/tiktok-sandbox';
import type { Stack } from './stack.ts';

export async function body(res: Response): Promise<any> {
  const text = await res.text();
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

/** A valid POST /tiktok/publish/init body (FILE_UPLOAD, SELF_ONLY) with overrides. */
export function initBody(
  socialAccountId: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    socialAccountId,
    title: 'A cat video #cats',
    privacy_level: 'SELF_ONLY',
    source_type: 'FILE_UPLOAD',
    video_size: 2_000_000,
    ...overrides,
  };
}

export function init(stack: Stack, token: string, json: unknown): Promise<Response> {
  return stack.call('/tiktok/publish/init', { method: 'POST', token, json });
}

/**
 * What the SPA sends to POST /tiktok/publish/upload/:id: metadata fields first, then `file`,
 * read from disk as a Blob (never buffered here either).
 */
export async function uploadForm(
  fields: Record<string, string>,
  file: { path: string; name: string; type?: string },
): Promise<FormData> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', await openAsBlob(file.path, { type: file.type ?? 'video/mp4' }), file.name);
  return form;
}

export function upload(
  stack: Stack,
  token: string | undefined,
  accountId: string,
  form: FormData,
  headers: Record<string, string> = {},
): Promise<Response> {
  return stack.call(`/tiktok/publish/upload/${accountId}`, { method: 'POST', token, body: form, headers });
}

export async function listPosts(stack: Stack, token: string): Promise<any[]> {
  const res = await stack.call('/tiktok/posts', { token });
  if (res.status !== 200) throw new Error(`GET /tiktok/posts: HTTP ${res.status}`);
  return ((await res.json()) as { data: any[] }).data;
}

export async function postByPublishId(stack: Stack, token: string, publishId: string): Promise<any> {
  return (await listPosts(stack, token)).find((p) => p.publish_id === publishId);
}

export function status(stack: Stack, token: string, publishId: string): Promise<Response> {
  return stack.call(`/tiktok/publish/status/${encodeURIComponent(publishId)}`, { token });
}

const FINAL = new Set(['PUBLISH_COMPLETE', 'FAILED']);

/**
 * Polls GET /tiktok/publish/status until `done` (by default: a final TikTok status). Polls slowly
 * enough to stay under TikTok's 30 status fetches per minute per token.
 */
export async function waitForStatus(
  stack: Stack,
  token: string,
  publishId: string,
  done: (data: any) => boolean = (d) => FINAL.has(d.status),
  timeoutMs = 20_000,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const res = await status(stack, token, publishId);
    const json = await body(res);
    if (res.status !== 200)
      throw new Error(`status ${publishId}: HTTP ${res.status} ${JSON.stringify(json)}`);
    last = json.data;
    if (done(json.data)) return json.data;
    await sleep(250);
  }
  throw new Error(`publish ${publishId} did not settle in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

/** What TikTok (the sandbox) received for a publish. */
export function sandboxPublish(stack: Stack, publishId: string): Promise<SandboxPublish> {
  return stack.sandbox.publish(publishId);
}

/** Every publish TikTok (the sandbox) has for a creator. */
export async function sandboxPublishesOf(stack: Stack, openId: string): Promise<SandboxPublish[]> {
  return (await stack.sandbox.publishes()).filter((p) => p.open_id === openId);
}

/** Queues a sandbox fault; give `open_id` so that other tests sharing the sandbox are not hit. */
export function addFault(
  stack: Stack,
  fault: SandboxFaultInput & { open_id: string },
): Promise<SandboxFault> {
  return stack.sandbox.addFault(fault);
}

/**
 * The files in the API's upload temp dir: the multipart spool files, and the resumable uploads'
 * files in its `tus` folder as `tus/<name>` (the folder itself, empty, holds none). A dir that
 * does not exist yet holds none.
 */
export async function tempFiles(dir: string): Promise<string[]> {
  const list = async (path: string) => {
    try {
      return await readdir(path, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  };
  const names: string[] = [];
  for (const entry of await list(dir)) {
    if (entry.isDirectory() && entry.name === 'tus') {
      for (const inner of await list(join(dir, 'tus'))) names.push(`tus/${inner.name}`);
    } else {
      names.push(entry.name);
    }
  }
  return names;
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 10_000,
  intervalMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export async function waitForEmptyDir(dir: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(`${dir} to be empty`, async () => (await tempFiles(dir)).length === 0, timeoutMs);
}

// ---------------------------------------------------------------------------------------------
// A local media host for PULL_FROM_URL

export interface MediaHost {
  /** e.g. http://localhost:PORT/media/ — a verified prefix for the API and the sandbox. */
  prefix: string;
  port: number;
  /** How many GETs each path got. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

/** Serves the files of `dir` under /media/, as our CDN would (HTTP on localhost, for dev). */
export async function startMediaHost(dir: string, port = 0): Promise<MediaHost> {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const name = path.startsWith('/media/') ? decodeURIComponent(path.slice('/media/'.length)) : '';
    if (!name || name.includes('/') || name.includes('..')) {
      res.writeHead(404).end();
      return;
    }
    const file = join(dir, name);
    stat(file).then(
      (info) => {
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': info.size });
        createReadStream(file).pipe(res);
      },
      () => res.writeHead(404).end(),
    );
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const actual = (server.address() as AddressInfo).port;
  return {
    prefix: `http://localhost:${actual}/media/`,
    port: actual,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Raw multipart, for clients that lie about sizes or go away mid-upload

export interface RawMultipart {
  contentType: string;
  /** Fields and the file part's headers. */
  head: Buffer;
  /** The closing boundary. */
  tail: Buffer;
}

export function rawMultipart(
  fields: Record<string, string>,
  file: { name: string; type: string },
  boundary = `----cliprelay-test-${Date.now().toString(16)}`,
): RawMultipart {
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  parts.push(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n` +
      `Content-Type: ${file.type}\r\n\r\n`,
  );
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    head: Buffer.from(parts.join(''), 'latin1'),
    tail: Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1'),
  };
}

export interface RawExchange {
  req: http.ClientRequest;
  /** Settles with the answer, if one comes. */
  response: Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>;
}

/** A raw POST whose body the caller writes (or doesn't) through `req`. */
export function rawPost(url: string, headers: Record<string, string>): RawExchange {
  const req = http.request(url, { method: 'POST', headers });
  const response = new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
    (resolve, reject) => {
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
    },
  );
  // A test that destroys the request on purpose does not care about this promise.
  response.catch(() => undefined);
  return { req, response };
}
