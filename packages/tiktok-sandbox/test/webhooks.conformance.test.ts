/**
 * Conformance: webhooks as TikTok sends them (tiktok-api.md §9) — body shape, TikTok-Signature,
 * at-least-once delivery with retries while the receiver does not answer 200, the publish events
 * and authorization.removed — and the control routes that list deliveries and count calls.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { freePort } from '@cliprelay/test-kit/ports';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CLIENT_KEY,
  CLIENT_SECRET,
  control,
  creatorWithToken,
  fetchStatus,
  initFileUpload,
  mp4Bytes,
  uploadAll,
  useSandbox,
} from './helpers.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver that answers each delivery with the next queued status (200 when none). */
const received: Received[] = [];
let answers: number[] = [];
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.statusCode = answers.shift() ?? 200;
    res.end();
  });
});
const receiverPort = await freePort();

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(receiverPort, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});
beforeEach(() => {
  received.length = 0;
  answers = [];
});

const env = useSandbox({
  webhookUrl: `http://127.0.0.1:${receiverPort}/tiktok/webhooks`,
  webhookRetryBaseMs: 100,
  webhookWatchMs: 20,
  audited: true,
});

interface Body {
  client_key: string;
  event: string;
  create_time: number;
  user_openid: string;
  content: string;
}

async function until<T>(what: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = what();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const bodies = (): Body[] => received.map((r) => JSON.parse(r.body) as Body);
const ofEvent = (event: string) => () => {
  const found = bodies().filter((b) => b.event === event);
  return found.length > 0 ? found : undefined;
};

async function uploadedPost(privacy: string, creator: Record<string, unknown> = {}) {
  const { creator: c, token } = await creatorWithToken(env.url, creator);
  const video = mp4Bytes({ durationSec: 2 });
  const plan = { video_size: video.length, chunk_size: video.length, total_chunk_count: 1 };
  const init = await initFileUpload(env.url, token, plan, { privacy_level: privacy, title: 'webhooks' });
  expect(init.status, init.text).toBe(200);
  const { publish_id, upload_url } = init.json.data!;
  await uploadAll(upload_url, video, video.length);
  return { openId: c.open_id, token, publishId: publish_id };
}

describe('webhooks (§9)', () => {
  it('signs every delivery with HMAC-SHA256 of "<t>.<raw body>" keyed with the client secret', async () => {
    const { openId, publishId } = await uploadedPost('SELF_ONLY', { private_account: true });
    const [complete] = await until(ofEvent('post.publish.complete'));
    const raw = received.find((r) => r.body.includes('post.publish.complete'))!;
    const header = String(raw.headers['tiktok-signature']);
    const match = /^t=(\d+),s=([0-9a-f]{64})$/.exec(header);
    expect(match, header).not.toBeNull();
    const [, t, s] = match!;
    expect(Math.abs(Number(t) - Date.now() / 1000)).toBeLessThan(10);
    const expected = createHmac('sha256', CLIENT_SECRET).update(`${t}.${raw.body}`).digest('hex');
    expect(s).toBe(expected);
    expect(raw.headers['content-type']).toMatch(/^application\/json/);
    expect(complete).toMatchObject({ client_key: CLIENT_KEY, user_openid: openId });
    expect(typeof complete!.create_time).toBe('number');
    // content is a JSON-encoded string, not an object.
    expect(typeof complete!.content).toBe('string');
    expect(JSON.parse(complete!.content)).toMatchObject({ publish_id: publishId });
  });

  it('sends failed with the fail_reason, and complete then publicly_available with the post id', async () => {
    const failed = await creatorWithToken(env.url, { private_account: true });
    const bad = Buffer.from('not a video at all, just text '.repeat(40));
    const plan = { video_size: bad.length, chunk_size: bad.length, total_chunk_count: 1 };
    const init = await initFileUpload(env.url, failed.token, plan, { privacy_level: 'SELF_ONLY' });
    await uploadAll(init.json.data!.upload_url, bad, bad.length);
    const [fail] = await until(ofEvent('post.publish.failed'));
    expect(JSON.parse(fail!.content)).toMatchObject({
      publish_id: init.json.data!.publish_id,
      reason: 'file_format_check_failed',
    });

    const { publishId } = await uploadedPost('PUBLIC_TO_EVERYONE');
    const [available] = await until(ofEvent('post.publish.publicly_available'));
    const content = JSON.parse(available!.content) as { publish_id: string; post_id: string };
    expect(content.publish_id).toBe(publishId);
    const record = await control<{ post_ids: string[] }>(env.url, 'GET', `/_sandbox/publishes/${publishId}`);
    expect(String(content.post_id)).toBe(record.json.post_ids[0]);
    const events = bodies().map((b) => b.event);
    expect(events.indexOf('post.publish.complete')).toBeLessThan(
      events.indexOf('post.publish.publicly_available'),
    );
    // Each event once, however often the watcher looked.
    await new Promise((r) => setTimeout(r, 200));
    expect(bodies().filter((b) => b.event === 'post.publish.complete')).toHaveLength(1);
  });

  it('retries with growing waits until the receiver answers 200, and lists the attempts', async () => {
    answers = [500, 503, 404];
    await uploadedPost('SELF_ONLY', { private_account: true });
    await until(() => (received.length >= 4 ? true : undefined));
    const list = await control<{
      enabled: boolean;
      data: { state: string; attempts: { at: string; status: number }[] }[];
    }>(env.url, 'GET', '/_sandbox/webhooks');
    expect(list.json.enabled).toBe(true);
    const delivery = await until(() => list.json.data.find((d) => d.attempts.length === 4));
    expect(delivery.attempts.map((a) => a.status)).toEqual([500, 503, 404, 200]);
    expect(delivery.state).toBe('delivered');
    const at = delivery.attempts.map((a) => Date.parse(a.at));
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // 100 ms, 200 ms, 400 ms (exponential backoff from webhookRetryBaseMs).
    expect(gaps[0]).toBeGreaterThanOrEqual(90);
    expect(gaps[2]).toBeGreaterThan(gaps[0]! * 2);
    // The same body every time (a receiver deduplicates on it).
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
  });

  it('redelivers a delivery on demand, with the same body and a fresh signature', async () => {
    await uploadedPost('SELF_ONLY', { private_account: true });
    await until(ofEvent('post.publish.complete'));
    const list = await control<{ data: { id: number; event: string }[] }>(
      env.url,
      'GET',
      '/_sandbox/webhooks',
    );
    const { id } = list.json.data.find((d) => d.event === 'post.publish.complete')!;
    const again = await control(env.url, 'POST', `/_sandbox/webhooks/${id}/redeliver`);
    expect(again.status).toBe(202);
    await until(() => (received.length >= 2 ? true : undefined));
    expect(received[1]!.body).toBe(received[0]!.body);
  });

  it('sends authorization.removed when a creator removes the app, after revoking its tokens', async () => {
    const { creator, token } = await creatorWithToken(env.url);
    const res = await control(env.url, 'POST', `/_sandbox/creators/${creator.open_id}/deauthorize`, {
      reason: 1,
    });
    expect(res.json).toEqual({ revoked_grants: 1 });
    const [removed] = await until(ofEvent('authorization.removed'));
    expect(removed!.user_openid).toBe(creator.open_id);
    expect(JSON.parse(removed!.content)).toEqual({ reason: 1 });
    const status = await fetchStatus(env.url, token, 'v_pub_file~v2-1.1');
    expect(status.status).toBe(401);
  });

  it('the dashboard lists the deliveries, and each post its status calls', async () => {
    const { publishId } = await uploadedPost('SELF_ONLY', { private_account: true });
    await until(ofEvent('post.publish.complete'));
    const page = await (await fetch(`${env.url}/_sandbox/`)).text();
    expect(page).toContain('Webhooks (');
    expect(page).toContain('post.publish.complete');
    expect(page).toContain(publishId);
    expect(page).toMatch(/0 status calls/);
  });

  it('counts the calls of each content endpoint, and status fetches per publish', async () => {
    const { token, publishId } = await uploadedPost('SELF_ONLY', { private_account: true });
    await fetchStatus(env.url, token, publishId);
    await fetchStatus(env.url, token, publishId);
    const calls = await control<Record<string, number>>(env.url, 'GET', '/_sandbox/calls');
    expect(calls.json).toMatchObject({ video_init: 1, status_fetch: 2 });
    const record = await control<{ status_fetches: number }>(
      env.url,
      'GET',
      `/_sandbox/publishes/${publishId}`,
    );
    expect(record.json.status_fetches).toBe(2);
  });
});

describe('webhooks off', () => {
  it('lists no deliveries without a webhookUrl', async () => {
    const { startSandbox } = await import('../src/index.ts');
    const plain = await startSandbox({ port: 0 });
    try {
      const res = await fetch(`${plain.url}/_sandbox/webhooks`);
      expect(await res.json()).toEqual({ enabled: false, data: [] });
    } finally {
      await plain.close();
    }
  });
});
