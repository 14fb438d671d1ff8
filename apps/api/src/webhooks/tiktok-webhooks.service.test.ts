/**
 * TikTok's webhook deliveries applied with the repositories faked (src/testing/fakes.ts): what a
 * failed-post event records for the status and history to show, and that repeats and late
 * deliveries change nothing. Signatures and the HTTP route: test/webhooks.test.ts.
 */
import { describeFailReason } from '@cliprelay/contract';
import { describe, expect, it } from 'vitest';
import { FakeAccounts, FakePosts, accountRow, asReal, postRow, silentLogger } from '../testing/fakes.ts';
import { TikTokWebhooks, type WebhookDelivery } from './tiktok-webhooks.service.ts';

const CLIENT_KEY = 'sbawcliprelaytest';

function setup() {
  const posts = new FakePosts();
  const accounts = new FakeAccounts();
  const webhooks = new TikTokWebhooks(asReal(posts), asReal(accounts), silentLogger());
  const post = posts.add(
    postRow({ publishId: 'v_pub_file~v2.1', localStatus: 'processing', tiktokStatus: 'PROCESSING_UPLOAD' }),
  );
  /** A delivery as TikTok signs and sends it, read as the controller reads it. */
  const deliver = (event: string, content: Record<string, unknown>, userOpenId = 'open-1') => {
    const body: WebhookDelivery = {
      client_key: CLIENT_KEY,
      event,
      create_time: 1_767_225_600,
      user_openid: userOpenId,
      content: JSON.stringify(content),
    };
    const parsed = webhooks.parse(body, CLIENT_KEY);
    return webhooks.apply(parsed.delivery, parsed.content);
  };
  return { posts, accounts, webhooks, post, deliver };
}

describe('TikTokWebhooks.apply', () => {
  it('post.publish.failed: the post fails with the reason and the catalogue’s message', async () => {
    const s = setup();
    await expect(
      s.deliver('post.publish.failed', { publish_id: 'v_pub_file~v2.1', reason: 'duration_check_failed' }),
    ).resolves.toBe('applied');
    const entry = describeFailReason('duration_check_failed');
    expect(s.posts.row(s.post.id)).toMatchObject({
      localStatus: 'failed',
      tiktokStatus: 'FAILED',
      failReason: 'duration_check_failed',
      errorCode: entry.errorCode,
      userMessage: entry.userMessage,
    });
  });

  it('post.publish.failed without a reason still fails the post, as "unknown"', async () => {
    const s = setup();
    await s.deliver('post.publish.failed', { publish_id: 'v_pub_file~v2.1' });
    expect(s.posts.row(s.post.id)).toMatchObject({ localStatus: 'failed', failReason: 'unknown' });
  });

  it('a repeated delivery, or a late one after the post settled, changes nothing', async () => {
    const s = setup();
    await s.deliver('post.publish.failed', { publish_id: 'v_pub_file~v2.1', reason: 'spam_risk_text' });
    const failed = s.posts.row(s.post.id);
    await expect(
      s.deliver('post.publish.failed', { publish_id: 'v_pub_file~v2.1', reason: 'spam_risk_text' }),
    ).resolves.toBe('unchanged');
    await expect(s.deliver('post.publish.complete', { publish_id: 'v_pub_file~v2.1' })).resolves.toBe(
      'unchanged',
    );
    expect(s.posts.row(s.post.id)).toEqual(failed);
  });

  it('post.publish.publicly_available: published with TikTok’s 19-digit post id kept exactly', async () => {
    const s = setup();
    const body = `{"publish_id":"v_pub_file~v2.1","post_id":7234567890123456789}`;
    const parsed = s.webhooks.parse(
      {
        client_key: CLIENT_KEY,
        event: 'post.publish.publicly_available',
        create_time: 1_767_225_600,
        user_openid: 'open-1',
        content: body,
      },
      CLIENT_KEY,
    );
    await expect(s.webhooks.apply(parsed.delivery, parsed.content)).resolves.toBe('applied');
    expect(s.posts.row(s.post.id)).toMatchObject({
      localStatus: 'published',
      postIds: ['7234567890123456789'],
    });
  });

  it('an event for a publish we do not know is left alone', async () => {
    const s = setup();
    await expect(s.deliver('post.publish.failed', { publish_id: 'v_pub_file~v2.999' })).resolves.toBe(
      'unknown_publish',
    );
    expect(s.posts.row(s.post.id).localStatus).toBe('processing');
  });

  it('authorization.removed: the creator’s active accounts need reconnecting', async () => {
    const s = setup();
    const account = s.accounts.add(accountRow({ openId: 'open-7' }));
    const other = s.accounts.add(accountRow({ openId: 'open-8' }));
    await expect(s.deliver('authorization.removed', { reason: 1 }, 'open-7')).resolves.toBe('applied');
    expect(s.accounts.row(account.id).status).toBe('reconnect_required');
    expect(s.accounts.row(other.id).status).toBe('active');
    await expect(s.deliver('authorization.removed', { reason: 1 }, 'open-7')).resolves.toBe('unchanged');
  });
});

describe('TikTokWebhooks.parse', () => {
  it('refuses a delivery for another app’s client key, or whose content is not a JSON object', () => {
    const { webhooks } = setup();
    const base = { client_key: CLIENT_KEY, event: 'post.publish.failed', create_time: 1, user_openid: 'o' };
    expect(() => webhooks.parse({ ...base, client_key: 'someone-else', content: '{}' }, CLIENT_KEY)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => webhooks.parse({ ...base, content: 'not json' }, CLIENT_KEY)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });
});
