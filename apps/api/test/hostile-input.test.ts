/**
 * Input an attacker sends on purpose: text PostgreSQL cannot store (NUL, lone surrogates) in every
 * place text enters — a JSON body, a multipart field, a resumable upload's metadata — JSON nested
 * thousands of levels deep, and multipart bodies that are broken in every way we know. Each is a
 * structured 4xx that stores nothing, never a 500.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { mp4Bytes } from '@cliprelay/test-kit/videos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryDb } from './support/db.ts';
import { body, initBody, rawMultipart, rawPost, sandboxPublishesOf, tempFiles } from './support/publish.ts';
import { MEDIA_PREFIX, type Stack, startStack } from './support/stack.ts';
import { connectedAccount } from './support/tiktok.ts';
import { tusCreate } from './support/tus.ts';

/** Our error shape, with the status and code expected. */
function expectError(res: { status: number }, json: unknown, status: number, code: string): void {
  expect(res.status, JSON.stringify(json)).toBe(status);
  expect(json).toMatchObject({ statusCode: status, code, requestId: expect.any(String) });
}

const UNSTORABLE: [string, string][] = [
  ['a NUL', 'cat\u0000video'],
  ['a lone high surrogate', 'cat\ud83dvideo'],
  ['a lone low surrogate', 'cat\ude00video'],
];

describe('hostile input', () => {
  let stack: Stack;
  let alice: { token: string; accountId: string; openId: string };
  const posts = async () => (await queryDb(stack, 'select count(*)::int as n from posts'))[0]!.n as number;

  beforeAll(async () => {
    stack = await startStack();
    alice = await connectedAccount(stack, 'dev|alice');
  });
  afterAll(() => stack?.close());

  const json = (path: string, payload: unknown) =>
    stack.call(path, { method: 'POST', token: alice.token, json: payload });

  describe.each(UNSTORABLE)('text with %s', (_, text) => {
    it('in a JSON title of publish/init is a 400 VALIDATION_FAILED, and nothing is stored', async () => {
      const before = await posts();
      const res = await json('/tiktok/publish/init', initBody(alice.accountId, { title: text }));
      const answer = await body(res);
      expectError(res, answer, 400, 'VALIDATION_FAILED');
      expect(answer.message).toEqual([expect.stringMatching(/^title must not contain a NUL/)]);
      expect(await posts()).toBe(before);
    });

    it('in a media title, or a key of the body, is a 400 VALIDATION_FAILED', async () => {
      const url = `${MEDIA_PREFIX}cat.mp4`;
      const res = await json('/media', { title: text, url });
      expectError(res, await body(res), 400, 'VALIDATION_FAILED');
      const key = await json('/media', { title: 'ok', url, [text]: 1 });
      expectError(key, await body(key), 400, 'VALIDATION_FAILED');
      expect(await queryDb(stack, 'select id from media')).toEqual([]);
    });
  });

  // Bytes on the wire cannot carry a lone surrogate (UTF-8 has no form for one: a decoder makes
  // it U+FFFD); only a JSON escape can. A NUL byte arrives as it is.
  describe('text with a NUL byte', () => {
    const text = 'cat\u0000video';

    it('in a multipart title is refused before the file is sent', async () => {
      const mp = rawMultipart(
        { title: text, privacy_level: 'SELF_ONLY' },
        { name: 'cat.mp4', type: 'video/mp4' },
      );
      const exchange = rawPost(`${stack.apiUrl}/tiktok/publish/upload/${alice.accountId}`, {
        authorization: `Bearer ${alice.token}`,
        'content-type': mp.contentType,
        'content-length': String(mp.head.length + 1024 ** 3 + mp.tail.length),
      });
      exchange.req.write(mp.head);
      exchange.req.write(mp4Bytes({ size: 4096 }));
      const answer = await Promise.race([
        exchange.response,
        sleep(10_000).then(() => {
          throw new Error('no answer until the whole video is sent');
        }),
      ]);
      exchange.req.destroy();
      expectError(answer, JSON.parse(answer.body), 400, 'VALIDATION_FAILED');
      expect(JSON.parse(answer.body).message).toEqual([
        expect.stringMatching(/^title must not contain a NUL/),
      ]);
      expect(await sandboxPublishesOf(stack, alice.openId)).toEqual([]);
    });

    it('in a resumable upload’s metadata is a 400 VALIDATION_FAILED', async () => {
      const res = await tusCreate(stack.apiUrl, alice, 4096, { title: text });
      expectError(res, await body(res), 400, 'VALIDATION_FAILED');
      expect(await sandboxPublishesOf(stack, alice.openId)).toEqual([]);
    });
  });

  it('keeps a title whose emoji are whole surrogate pairs exactly as sent', async () => {
    const title = 'Sunset 🌅 with 👨‍👩‍👧';
    const res = await json('/media', { title, url: `${MEDIA_PREFIX}sunset.mp4` });
    expect(res.status).toBe(201);
    expect((await body(res)).data.title).toBe(title);
  });

  it('answers JSON nested 3,000 levels deep (18 KB) with a 400, as it does JSON nested 33 levels', async () => {
    for (const depth of [3000, 33]) {
      const nested = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      for (const [path, field] of [
        ['/media', 'title'],
        ['/tiktok/publish/init', 'title'],
      ] as const) {
        const res = await stack.call(path, {
          method: 'POST',
          token: alice.token,
          headers: { 'content-type': 'application/json' },
          body: `{"${field}":${nested}}`,
        });
        const answer = await body(res);
        expectError(res, answer, 400, 'VALIDATION_FAILED');
        expect(answer.message).toEqual(['body is nested more than 32 levels deep']);
      }
      const arrays = await stack.call('/media', {
        method: 'POST',
        token: alice.token,
        headers: { 'content-type': 'application/json' },
        body: `${'['.repeat(depth)}${']'.repeat(depth)}`,
      });
      expectError(arrays, await body(arrays), 400, 'VALIDATION_FAILED');
    }
    // The API still serves.
    expect((await stack.call('/media', { token: alice.token })).status).toBe(200);
  });
});

describe('hostile multipart uploads', () => {
  let stack: Stack;
  let alice: { token: string; accountId: string; openId: string };
  const video = mp4Bytes({ size: 64 * 1024 });

  beforeAll(async () => {
    stack = await startStack();
    alice = await connectedAccount(stack, 'dev|alice');
  });
  afterAll(() => stack?.close());

  /** Sends `payload` as the whole body and reads the answer. */
  async function send(
    payload: Buffer,
    contentType: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: any }> {
    const exchange = rawPost(`${stack.apiUrl}/tiktok/publish/upload/${alice.accountId}`, {
      authorization: `Bearer ${alice.token}`,
      'content-type': contentType,
      'content-length': String(payload.length),
      ...headers,
    });
    exchange.req.end(payload);
    const answer = await exchange.response;
    return { status: answer.status, body: JSON.parse(answer.body) };
  }

  /** A multipart body from parts given raw: [headers, content]. */
  function multipart(parts: [string, Buffer | string][], opts: { end?: boolean } = {}) {
    const boundary = 'hostile-boundary-1234';
    const chunks = parts.flatMap(([head, content]) => [
      Buffer.from(`--${boundary}\r\n${head}\r\n\r\n`, 'latin1'),
      typeof content === 'string' ? Buffer.from(content, 'utf8') : content,
      Buffer.from('\r\n', 'latin1'),
    ]);
    if (opts.end !== false) chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
    return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
  }
  const field = (name: string, value: Buffer | string): [string, Buffer | string] => [
    `Content-Disposition: form-data; name="${name}"`,
    value,
  ];
  const file = (bytes: Buffer, type = 'video/mp4', name = 'file'): [string, Buffer] => [
    `Content-Disposition: form-data; name="${name}"; filename="cat.mp4"\r\nContent-Type: ${type}`,
    bytes,
  ];
  const privacy = field('privacy_level', 'SELF_ONLY');

  const cases: [string, () => { payload: Buffer; contentType: string }, number, string][] = [
    [
      'a body cut off in the middle of the file',
      () => {
        const whole = multipart([privacy, file(video)]);
        return { ...whole, payload: whole.payload.subarray(0, 20_000) };
      },
      400,
      'UNSUPPORTED_MEDIA',
    ],
    [
      // It ends while the fields are checked (before the file is read): once an uncaught error.
      'a body that ends right after the file part’s headers',
      () => {
        const whole = multipart([privacy, file(video)]);
        const end = whole.payload.indexOf('\r\n\r\n', whole.payload.indexOf('filename=')) + 4;
        return { ...whole, payload: whole.payload.subarray(0, end) };
      },
      400,
      'UNSUPPORTED_MEDIA',
    ],
    [
      'a body without its closing boundary',
      () => multipart([privacy, file(video)], { end: false }),
      400,
      'UNSUPPORTED_MEDIA',
    ],
    ['two files', () => multipart([privacy, file(video), file(video)]), 400, 'VALIDATION_FAILED'],
    ['no file', () => multipart([privacy, field('title', 'no video')]), 400, 'VALIDATION_FAILED'],
    [
      'a file under another name',
      () => multipart([privacy, file(video, 'video/mp4', 'video')]),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a 1 MiB title',
      () => multipart([field('title', 'x'.repeat(1024 * 1024)), privacy, file(video)]),
      400,
      'VALIDATION_FAILED',
    ],
    [
      '5,000 fields',
      () => multipart([privacy, ...Array.from({ length: 5000 }, (_, i) => field(`f${i}`, 'x')), file(video)]),
      400,
      'VALIDATION_FAILED',
    ],
    ['a field sent twice', () => multipart([privacy, privacy, file(video)]), 400, 'VALIDATION_FAILED'],
    [
      'a title that is not UTF-8',
      () =>
        multipart([field('title', Buffer.from([0x63, 0xff, 0xfe, 0xc3, 0x28, 0x00])), privacy, file(video)]),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a declared video/mp4 whose bytes are not a video',
      () => multipart([privacy, file(Buffer.from('<?php system($_GET["c"]); ?>'.repeat(100)))]),
      400,
      'UNSUPPORTED_MEDIA',
    ],
    [
      'a file declared as text/html',
      () => multipart([privacy, file(video, 'text/html')]),
      400,
      'UNSUPPORTED_MEDIA',
    ],
    [
      'a multipart Content-Type without a boundary',
      () => ({ payload: multipart([privacy, file(video)]).payload, contentType: 'multipart/form-data' }),
      400,
      'UNSUPPORTED_MEDIA',
    ],
    [
      'a JSON body instead of a form',
      () => ({ payload: Buffer.from('{"privacy_level":"SELF_ONLY"}'), contentType: 'application/json' }),
      400,
      'UNSUPPORTED_MEDIA',
    ],
    [
      'an empty body',
      () => ({ payload: Buffer.alloc(0), contentType: multipart([]).contentType }),
      400,
      'UNSUPPORTED_MEDIA',
    ],
  ];

  it.each(cases)(
    'answers %s with a structured 4xx, stores nothing, leaves no temp file',
    async (_, make, status, code) => {
      const { payload, contentType } = make();
      const answer = await send(payload, contentType);
      expectError(answer, answer.body, status, code);
      expect(await tempFiles(stack.uploadTmpDir)).toEqual([]);
      expect(await sandboxPublishesOf(stack, alice.openId)).toEqual([]);
    },
  );
});
