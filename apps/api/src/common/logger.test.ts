import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, httpLogger } from './logger.ts';

const servers: http.Server[] = [];
afterEach(() => Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r)))));

/** A server with httpLogger in front of `handle`, logging at `level` into the returned lines. */
async function serve(level: string, handle: http.RequestListener, slowMs?: number) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const log = httpLogger(createLogger(level, sink), { slowMs });
  const server = http.createServer((req, res) => log(req, res, () => handle(req, res)));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, lines };
}

const settle = () => new Promise((r) => setTimeout(r, 50));

describe('httpLogger', () => {
  it('logs each request with its id, method, path without the query, status and duration', async () => {
    const { url, lines } = await serve('info', (_req, res) => res.end('ok'));
    const res = await fetch(`${url}/health?code=secret`, { headers: { 'x-request-id': 'ticket-4711' } });
    expect(res.headers.get('x-request-id')).toBe('ticket-4711');
    await settle();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      requestId: 'ticket-4711',
      req: { id: 'ticket-4711', method: 'GET', path: '/health' },
      res: { statusCode: 200 },
    });
    expect(lines[0]!.responseTime).toEqual(expect.any(Number));
    expect(JSON.stringify(lines)).not.toContain('secret');
  });

  it('at warn, skips successes and still logs failures (4xx warn, 5xx error)', async () => {
    let status = 200;
    const { url, lines } = await serve('warn', (_req, res) => {
      res.statusCode = status;
      res.end();
    });
    for (const s of [200, 404, 503]) {
      status = s;
      await (await fetch(url)).arrayBuffer();
    }
    await settle();
    expect(lines.map((l) => [l.level, (l.res as { statusCode: number }).statusCode])).toEqual([
      [40, 404],
      [50, 503],
    ]);
  });

  it('logs a slow success at warn, marked slow', async () => {
    const { url, lines } = await serve('warn', (_req, res) => void setTimeout(() => res.end(), 30), 20);
    await (await fetch(url)).arrayBuffer();
    await settle();
    expect(lines).toEqual([expect.objectContaining({ level: 40, slow: true, msg: 'request completed' })]);
  });

  it('logs a request the client abandoned as aborted', async () => {
    const { url, lines } = await serve('warn', () => undefined);
    const req = http.get(url).on('error', () => undefined);
    await settle();
    req.destroy();
    await settle();
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'request aborted' })]);
  });
});
