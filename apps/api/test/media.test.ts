/**
 * The media library (GET/POST /media): videos already on our CDN, under a verified prefix, that
 * the user can publish with PULL_FROM_URL. Each user sees only their own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body } from './support/publish.ts';
import { MEDIA_PREFIX, type Stack, startStack } from './support/stack.ts';

describe('media library', () => {
  let stack: Stack;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    stack = await startStack();
    alice = await stack.tokenFor('dev|alice');
    bob = await stack.tokenFor('dev|bob');
  });
  afterAll(() => stack?.close());

  const add = (token: string | undefined, json: unknown) =>
    stack.call('/media', { method: 'POST', token, json });
  const list = async (token: string): Promise<any[]> => {
    const res = await stack.call('/media', { token });
    expect(res.status).toBe(200);
    return ((await res.json()) as { data: any[] }).data;
  };

  it('adds a video under the verified prefix and returns the item', async () => {
    const url = `${MEDIA_PREFIX}beach/sunset.mp4`;
    const res = await add(alice, {
      title: 'Sunset at the beach',
      url,
      size_bytes: 52_428_800,
      mime_type: 'video/mp4',
      duration_sec: 42.5,
    });
    const json = await body(res);
    expect([200, 201], JSON.stringify(json)).toContain(res.status);
    expect(json).toEqual({
      success: true,
      data: {
        id: expect.any(String),
        title: 'Sunset at the beach',
        url,
        size_bytes: 52_428_800,
        mime_type: 'video/mp4',
        duration_sec: 42.5,
        created_at: expect.any(String),
      },
    });
    expect(Number.isNaN(Date.parse(json.data.created_at))).toBe(false);
    expect((await list(alice)).find((m) => m.id === json.data.id)).toEqual(json.data);
  });

  it('keeps the optional details optional', async () => {
    const res = await add(alice, { title: 'Bare', url: `${MEDIA_PREFIX}bare.mp4` });
    const json = await body(res);
    expect([200, 201], JSON.stringify(json)).toContain(res.status);
    expect(json.data).toMatchObject({ size_bytes: null, mime_type: null, duration_sec: null });
  });

  it("lists only the caller's items, newest first", async () => {
    const mine: string[] = [];
    for (const name of ['one', 'two', 'three']) {
      mine.push((await body(await add(alice, { title: name, url: `${MEDIA_PREFIX}${name}.mp4` }))).data.id);
    }
    const bobs = (await body(await add(bob, { title: 'bob', url: `${MEDIA_PREFIX}bob.mp4` }))).data.id;

    const aliceItems = await list(alice);
    const bobItems = await list(bob);
    expect(aliceItems.map((m) => m.id)).not.toContain(bobs);
    expect(bobItems.map((m) => m.id)).toEqual([bobs]);
    expect(aliceItems.filter((m) => mine.includes(m.id)).map((m) => m.title)).toEqual([
      'three',
      'two',
      'one',
    ]);
    const created = aliceItems.map((m) => Date.parse(m.created_at));
    expect(created).toEqual([...created].sort((a, b) => b - a));
  });

  it.each([
    ['a host that is not verified', 'https://elsewhere.example.com/videos/a.mp4'],
    ['plain http', MEDIA_PREFIX.replace('https://', 'http://') + 'a.mp4'],
    ['a path outside the prefix', 'https://media.cliprelay.test/private/a.mp4'],
    ['a path that climbs out of the prefix', `${MEDIA_PREFIX}../private/a.mp4`],
    ['something that is not a URL', 'sunset.mp4'],
  ])('refuses %s with 400 URL_NOT_VERIFIED and stores nothing', async (_what, url) => {
    const before = (await list(alice)).length;
    const res = await add(alice, { title: 'Nope', url });
    const json = await body(res);
    expect(res.status, JSON.stringify(json)).toBe(400);
    expect(json.code).toBe('URL_NOT_VERIFIED');
    expect(typeof json.message).toBe('string');
    expect(await list(alice)).toHaveLength(before);
  });

  it.each([
    ['a missing title', { url: `${MEDIA_PREFIX}a.mp4` }, 'title'],
    ['an empty title', { title: '', url: `${MEDIA_PREFIX}a.mp4` }, 'title'],
    ['a title over 150 characters', { title: 'a'.repeat(151), url: `${MEDIA_PREFIX}a.mp4` }, 'title'],
    ['a missing url', { title: 'x' }, 'url'],
    [
      'a size over 4 GiB',
      { title: 'x', url: `${MEDIA_PREFIX}a.mp4`, size_bytes: 4 * 1024 ** 3 + 1 },
      'size_bytes',
    ],
    ['a fractional size', { title: 'x', url: `${MEDIA_PREFIX}a.mp4`, size_bytes: 10.5 }, 'size_bytes'],
    [
      'a type that is not a video',
      { title: 'x', url: `${MEDIA_PREFIX}a.mp4`, mime_type: 'image/png' },
      'mime_type',
    ],
    ['a negative duration', { title: 'x', url: `${MEDIA_PREFIX}a.mp4`, duration_sec: -1 }, 'duration_sec'],
    ['an unknown field', { title: 'x', url: `${MEDIA_PREFIX}a.mp4`, owner: 'someone' }, 'owner'],
  ])('refuses %s with 400 and field messages', async (_what, json, field) => {
    const before = (await list(alice)).length;
    const res = await add(alice, json);
    const err = await body(res);
    expect(res.status, JSON.stringify(err)).toBe(400);
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(Array.isArray(err.message)).toBe(true);
    expect(err.message).toEqual(expect.arrayContaining([expect.stringContaining(field)]));
    expect(await list(alice)).toHaveLength(before);
  });

  it('answers 401 without a bearer token', async () => {
    expect((await stack.call('/media')).status).toBe(401);
    const res = await add(undefined, { title: 'x', url: `${MEDIA_PREFIX}a.mp4` });
    expect(res.status).toBe(401);
    expect((await body(res)).code).toBe('UNAUTHENTICATED');
  });
});
