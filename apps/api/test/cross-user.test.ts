/**
 * Two users, and every endpoint that takes an id: Bob naming anything of Alice's — her TikTok
 * account, her publish, her resumable upload, her Idempotency-Key — gets the 404 an id that does
 * not exist gets, and changes nothing; nothing of Alice's appears in Bob's lists.
 * (publish-ownership.test.ts covers the status of a publish in more depth.)
 */
import { randomUUID } from 'node:crypto';
import { mp4Bytes } from '@cliprelay/test-kit/videos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body, initBody, listPosts, rawMultipart, sandboxPublishesOf } from './support/publish.ts';
import { outcomeOf, ReliabilityReport } from './support/reliability.ts';
import { MEDIA_PREFIX, type Stack, startStack } from './support/stack.ts';
import { connectedAccount } from './support/tiktok.ts';
import { tusCreate } from './support/tus.ts';

const report = new ReliabilityReport('cross-user');

interface Who {
  token: string;
  accountId: string;
  openId: string;
}

describe('cross-user matrix', () => {
  let stack: Stack;
  let alice: Who;
  let bob: Who;
  /** Alice's things, by id. */
  const hers = {
    publishId: '',
    postId: '',
    uploadPath: '',
    mediaId: '',
    idempotencyKey: `alice-${randomUUID()}`,
  };
  const video = mp4Bytes({ size: 8192 });

  beforeAll(async () => {
    stack = await startStack();
    alice = await connectedAccount(stack, 'dev|alice', { nickname: 'Alice' });
    bob = await connectedAccount(stack, 'dev|bob', { nickname: 'Bob' });
    const init = await stack.call('/tiktok/publish/init', {
      method: 'POST',
      token: alice.token,
      json: initBody(alice.accountId, { title: 'Alice only' }),
      headers: { 'idempotency-key': hers.idempotencyKey },
    });
    const started = await body(init);
    expect(init.status, JSON.stringify(started)).toBe(200);
    hers.publishId = started.data.publish_id;
    hers.postId = started.data.post_id;
    const tus = await tusCreate(stack.apiUrl, alice, video.length, { title: 'Alice resumable' });
    expect(tus.status, await tus.clone().text()).toBe(201);
    hers.uploadPath = tus.headers.get('location')!;
    const media = await stack.call('/media', {
      method: 'POST',
      token: alice.token,
      json: { title: 'Alice media', url: `${MEDIA_PREFIX}alice.mp4` },
    });
    hers.mediaId = (await body(media)).data.id;
  });
  afterAll(async () => {
    await stack?.close();
    await report.write();
  });

  /** What Bob sends to reach something of Alice's. */
  const attempts: [string, () => Promise<Response>][] = [
    ['DELETE /social-accounts/:id', () => asBob(`/social-accounts/${alice.accountId}`, { method: 'DELETE' })],
    ['GET /tiktok/creator-info/:id', () => asBob(`/tiktok/creator-info/${alice.accountId}`)],
    [
      'POST /tiktok/publish/init with her socialAccountId',
      () => asBob('/tiktok/publish/init', { method: 'POST', json: initBody(alice.accountId) }),
    ],
    [
      'POST /tiktok/publish/upload/:id',
      () => {
        const mp = rawMultipart({ privacy_level: 'SELF_ONLY' }, { name: 'bob.mp4', type: 'video/mp4' });
        return asBob(`/tiktok/publish/upload/${alice.accountId}`, {
          method: 'POST',
          headers: { 'content-type': mp.contentType },
          body: Buffer.concat([mp.head, video, mp.tail]),
        });
      },
    ],
    [
      'GET /tiktok/publish/status/:publishId',
      () => asBob(`/tiktok/publish/status/${encodeURIComponent(hers.publishId)}`),
    ],
    [
      'POST /tiktok/uploads with her social_account_id',
      () => tusCreate(stack.apiUrl, { token: bob.token, accountId: alice.accountId }, video.length),
    ],
    ['GET /tiktok/uploads/:id/status', () => asBob(`${hers.uploadPath}/status`)],
    [
      'PATCH /tiktok/uploads/:id',
      () =>
        asBob(hers.uploadPath, {
          method: 'PATCH',
          headers: {
            'tus-resumable': '1.0.0',
            'upload-offset': '0',
            'content-type': 'application/offset+octet-stream',
          },
          body: video,
        }),
    ],
    [
      'DELETE /tiktok/uploads/:id',
      () => asBob(hers.uploadPath, { method: 'DELETE', headers: { 'tus-resumable': '1.0.0' } }),
    ],
  ];

  function asBob(
    path: string,
    init: {
      method?: string;
      json?: unknown;
      body?: RequestInit['body'];
      headers?: Record<string, string>;
    } = {},
  ) {
    return stack.call(path, { ...init, token: bob.token });
  }

  it.each(attempts)("answers Bob's %s on Alice's id with a 404 in our error shape", async (what, attempt) => {
    const res = await attempt();
    const answer = await body(res);
    report.record(what, outcomeOf(res.status, answer));
    expect(res.status, `${what}: ${JSON.stringify(answer)}`).toBe(404);
    expect(answer).toMatchObject({
      statusCode: 404,
      error: 'Not Found',
      code: expect.stringMatching(/NOT_FOUND$/),
      message: expect.any(String),
      requestId: res.headers.get('x-request-id'),
    });
    // Nothing of hers is echoed back.
    for (const id of [alice.accountId, alice.openId, hers.postId, hers.mediaId]) {
      expect(JSON.stringify(answer)).not.toContain(id);
    }
  });

  it("answers Bob's HEAD on Alice's resumable upload with a 404 and no offset", async () => {
    const res = await asBob(hers.uploadPath, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0' } });
    report.record('HEAD /tiktok/uploads/:id', outcomeOf(res.status, undefined));
    expect(res.status).toBe(404);
    expect(res.headers.get('upload-offset')).toBeNull();
  });

  it('answers an id that exists for nobody exactly as one of Alice’s', async () => {
    const mine = await body(await asBob(`/tiktok/creator-info/${alice.accountId}`));
    const nobodys = await body(await asBob(`/tiktok/creator-info/${randomUUID()}`));
    expect({ code: mine.code, message: mine.message }).toEqual({
      code: nobodys.code,
      message: nobodys.message,
    });
    const status = await body(await asBob(`/tiktok/publish/status/${encodeURIComponent(hers.publishId)}`));
    const unknown = await body(await asBob('/tiktok/publish/status/v_pub_file~v2-1.000000000000000000'));
    expect({ code: status.code, message: status.message }).toEqual({
      code: unknown.code,
      message: unknown.message,
    });
    report.record('an id nobody has, compared', 'same 404', 2);
  });

  it("does not replay Alice's answer to Bob when he sends her Idempotency-Key", async () => {
    const res = await asBob('/tiktok/publish/init', {
      method: 'POST',
      json: initBody(bob.accountId, { title: 'Bob, same key' }),
      headers: { 'idempotency-key': hers.idempotencyKey },
    });
    const answer = await body(res);
    report.record('POST /tiktok/publish/init with her Idempotency-Key', outcomeOf(res.status, answer));
    expect(res.status, JSON.stringify(answer)).toBe(200);
    expect(answer.data.publish_id).not.toBe(hers.publishId);
    expect(answer.data.post_id).not.toBe(hers.postId);
  });

  it("shows nothing of Alice's in Bob's lists, and Bob's own things in them", async () => {
    const list = async (path: string, token: string) =>
      (await body(await stack.call(path, { token }))).data as any[];
    const bobAccounts = await list('/social-accounts', bob.token);
    const bobPosts = await listPosts(stack, bob.token);
    const bobMedia = await list('/media', bob.token);
    expect(bobAccounts.map((a) => a.id)).toEqual([bob.accountId]);
    expect(bobPosts.map((p) => p.id)).not.toContain(hers.postId);
    expect(bobPosts.every((p) => p.social_account_id === bob.accountId)).toBe(true);
    expect(bobMedia).toEqual([]);
    const everything = JSON.stringify([bobAccounts, bobPosts, bobMedia]);
    for (const id of [alice.accountId, alice.openId, hers.publishId, hers.postId, hers.mediaId]) {
      expect(everything).not.toContain(id);
    }
    expect(everything).not.toMatch(/Alice/);
    report.record('lists (social accounts, posts, media) holding nothing of hers', 'none', 3);
  });

  it("leaves all of Alice's things as they were", async () => {
    expect(
      (await body(await stack.call('/social-accounts', { token: alice.token }))).data.map((a: any) => a.id),
    ).toEqual([alice.accountId]);
    expect((await stack.call(`/tiktok/creator-info/${alice.accountId}`, { token: alice.token })).status).toBe(
      200,
    );
    const post = (await listPosts(stack, alice.token)).find((p) => p.id === hers.postId);
    expect(post).toMatchObject({ title: 'Alice only' });
    const upload = await stack.call(hers.uploadPath, {
      method: 'HEAD',
      token: alice.token,
      headers: { 'tus-resumable': '1.0.0' },
    });
    expect(upload.status).toBe(200);
    expect(upload.headers.get('upload-offset')).toBe('0');
    expect(
      (await body(await stack.call('/media', { token: alice.token }))).data.map((m: any) => m.id),
    ).toEqual([hers.mediaId]);
    // Bob's attempts made no TikTok publish on her account beyond her own two.
    expect(await sandboxPublishesOf(stack, alice.openId)).toHaveLength(2);
  });
});
