/**
 * Whose publishes are whose, and TikTok's post ids: status and history only ever show the
 * caller's own publishes, and on an audited app a public post's 19-digit id arrives as the exact
 * string TikTok sent (JSON.parse would round it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  body,
  init,
  initBody,
  listPosts,
  sandboxPublish,
  status,
  upload,
  uploadForm,
  waitForStatus,
} from './support/publish.ts';
import { type Stack, startStack } from './support/stack.ts';
import { connectedAccount } from './support/tiktok.ts';
import { MiB, type TestFile, testFilesDir, writeMp4 } from '@cliprelay/test-kit/videos';

describe('publish ownership and post ids', () => {
  let stack: Stack;
  let files: Awaited<ReturnType<typeof testFilesDir>>;
  let video: TestFile;

  beforeAll(async () => {
    files = await testFilesDir();
    video = await writeMp4(files.dir, 'sunset.mp4', { size: MiB });
    // Audited: public accounts may post PUBLIC_TO_EVERYONE, and such posts get post ids (§6.1, §6.2).
    stack = await startStack({ sandbox: { audited: true } });
  });
  afterAll(async () => {
    await stack?.close();
    await files?.remove();
  });

  it("answers 404 for another user's publish_id, and still shows the owner its status", async () => {
    const alice = await connectedAccount(stack, 'dev|alice');
    const started = await body(await init(stack, alice.token, initBody(alice.accountId)));
    const publishId: string = started.data.publish_id;
    const bob = await stack.tokenFor('dev|bob');

    const res = await status(stack, bob, publishId);
    const json = await body(res);
    expect(res.status, JSON.stringify(json)).toBe(404);
    expect(json.code).toBe('NOT_FOUND');
    expect(JSON.stringify(json)).not.toContain(alice.accountId);

    const own = await body(await status(stack, alice.token, publishId));
    expect(own.data).toMatchObject({
      publish_id: publishId,
      status: 'PROCESSING_UPLOAD',
      local_status: 'uploading',
    });
  });

  it('keeps answering the last known status after the account is disconnected', async () => {
    const alice = await connectedAccount(stack, 'dev|alice');
    const started = await body(await init(stack, alice.token, initBody(alice.accountId)));
    const publishId: string = started.data.publish_id;
    const removed = await stack.call(`/social-accounts/${alice.accountId}`, {
      method: 'DELETE',
      token: alice.token,
    });
    expect(removed.status).toBe(200);
    const res = await status(stack, alice.token, publishId);
    const json = await body(res);
    expect(res.status, JSON.stringify(json)).toBe(200);
    expect(json.data).toMatchObject({ publish_id: publishId, status: 'PROCESSING_UPLOAD' });
  });

  it("lists only the caller's posts, newest first", async () => {
    const alice = await connectedAccount(stack, 'dev|alice');
    const bob = await connectedAccount(stack, 'dev|bob');
    const aliceIds: string[] = [];
    for (const title of ['first', 'second', 'third']) {
      const json = await body(await init(stack, alice.token, initBody(alice.accountId, { title })));
      aliceIds.push(json.data.post_id);
    }
    const bobPost = (await body(await init(stack, bob.token, initBody(bob.accountId, { title: 'bob' })))).data
      .post_id;

    const alicePosts = await listPosts(stack, alice.token);
    const bobPosts = await listPosts(stack, bob.token);
    expect(alicePosts.map((p) => p.id)).not.toContain(bobPost);
    expect(bobPosts.map((p) => p.id)).toContain(bobPost);
    for (const id of aliceIds) expect(bobPosts.map((p) => p.id)).not.toContain(id);

    const mine = alicePosts.filter((p) => aliceIds.includes(p.id));
    expect(mine.map((p) => p.title)).toEqual(['third', 'second', 'first']);
    const created = alicePosts.map((p) => Date.parse(p.created_at));
    expect(created).toEqual([...created].sort((a, b) => b - a));
    expect(mine[0]).toMatchObject({
      social_account_id: alice.accountId,
      account_display_name: expect.any(String),
      account_username: expect.any(String),
    });
  });

  it('gives a public post on an audited app its 19-digit post id as an exact string', async () => {
    const { token, accountId } = await connectedAccount(stack, 'dev|alice', { private_account: false });
    const res = await upload(
      stack,
      token,
      accountId,
      await uploadForm({ title: 'For everyone', privacy_level: 'PUBLIC_TO_EVERYONE' }, video),
    );
    const sent = await body(res);
    expect(res.status, JSON.stringify(sent)).toBe(200);
    const publishId: string = sent.data.publish_id;

    // PUBLISH_COMPLETE comes first; the id only after moderation.
    const done = await waitForStatus(stack, token, publishId, (d) => d.post_ids.length > 0);
    const recorded = await sandboxPublish(stack, publishId);
    expect(recorded.post_ids).toHaveLength(1);
    expect(done).toMatchObject({ status: 'PUBLISH_COMPLETE', local_status: 'published' });
    expect(done.post_ids).toEqual(recorded.post_ids);
    expect(done.post_ids[0]).toEqual(expect.any(String));
    expect(done.post_ids[0]).toMatch(/^\d{19}$/);
    // Beyond 2^53: a Number could not hold it, so any rounding would have shown above.
    expect(BigInt(done.post_ids[0]) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);

    // The raw bytes of our answer carry the id as a JSON string.
    const raw = await (await status(stack, token, publishId)).text();
    expect(raw).toContain(`"post_ids":["${recorded.post_ids[0]}"]`);
    expect((await listPosts(stack, token)).find((p) => p.publish_id === publishId).post_ids).toEqual(
      recorded.post_ids,
    );
  });

  it('gives a followers-only post no post id, even when it is complete', async () => {
    const { token, accountId } = await connectedAccount(stack, 'dev|alice', { private_account: true });
    const res = await upload(
      stack,
      token,
      accountId,
      await uploadForm({ privacy_level: 'FOLLOWER_OF_CREATOR' }, video),
    );
    const sent = await body(res);
    expect(res.status, JSON.stringify(sent)).toBe(200);
    const done = await waitForStatus(stack, token, sent.data.publish_id);
    expect(done).toMatchObject({ status: 'PUBLISH_COMPLETE', local_status: 'published', post_ids: [] });
  });
});
