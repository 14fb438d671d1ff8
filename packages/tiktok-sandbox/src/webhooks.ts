/**
 * TikTok's webhooks (tiktok-api.md §9). With `webhookUrl` set, the sandbox posts the events of
 * every publish, and `authorization.removed` when a creator removes the app, to that URL:
 *
 * - the body is `{client_key, event, create_time, user_openid, content}`, `content` being a
 *   JSON-encoded string of the event's keys;
 * - `TikTok-Signature: t=<unix seconds>,s=<hex>`, `s` the HMAC-SHA256 of `"<t>.<raw body>"` keyed
 *   with the app's client secret;
 * - anything but a 200 (or no answer within `webhookTimeoutMs`) is retried with exponential
 *   backoff (`webhookRetryBaseMs`, doubling) for `webhookRetryForMs` (TikTok: 72 h);
 * - delivery is at least once: a retry, or `POST /_sandbox/webhooks/:id/redeliver`, sends the same
 *   body again, freshly signed.
 *
 * Publish events follow the status the sandbox reports (processing.ts): a watcher looks at every
 * publish still in flight a few times a second and sends each event once, when its status moves.
 * `create_time` is on the sandbox clock; `t` is the wall clock, as the receiver checks its age
 * against its own.
 */
import { createHmac } from 'node:crypto';
import type { SandboxContext } from './context.ts';
import { statusOf } from './processing.ts';
import type { Publish } from './state.ts';

export const PUBLISH_EVENTS = [
  'post.publish.failed',
  'post.publish.complete',
  'post.publish.publicly_available',
] as const;
export type PublishEvent = (typeof PUBLISH_EVENTS)[number];

/** §9: the `reason` of `authorization.removed`. */
export const REMOVAL_REASONS = {
  unknown: 0,
  user_disconnected: 1,
  account_deleted: 2,
  age_changed: 3,
  account_banned: 4,
  developer_revoked: 5,
} as const;

/** §9 documents only INBOX_SHARE; what Direct Post sends is UNCONFIRMED. */
const DIRECT_POST_PUBLISH_TYPE = 'DIRECT_PUBLISH';

export interface DeliveryAttempt {
  at: string;
  /** The receiver's HTTP status, or null when it did not answer. */
  status: number | null;
  error?: string;
}

export interface WebhookDelivery {
  id: number;
  event: string;
  user_openid: string;
  /** The event's content, parsed (the body carries it as a JSON string). */
  content: Record<string, unknown>;
  /** The exact body sent, so a receiver's signature check can be reproduced. */
  body: string;
  attempts: DeliveryAttempt[];
  /** pending: a retry is due; delivered: answered 200; gave_up: retried for webhookRetryForMs. */
  state: 'pending' | 'sending' | 'delivered' | 'gave_up';
  next_attempt_at: string | null;
  created_at: string;
}

/** `t=<seconds>,s=<hex>` for a body, as TikTok signs it (§9). */
export function signWebhook(clientSecret: string, body: string, timestampSec: number): string {
  const s = createHmac('sha256', clientSecret).update(`${timestampSec}.${body}`).digest('hex');
  return `t=${timestampSec},s=${s}`;
}

/** The events a publish's status implies now, in the order TikTok would send them. */
function eventsDue(ctx: SandboxContext, p: Publish): { event: PublishEvent; content: object }[] {
  const status = statusOf(ctx, p);
  const base = { publish_id: p.publish_id, publish_type: DIRECT_POST_PUBLISH_TYPE };
  if (status.status === 'FAILED')
    return [{ event: 'post.publish.failed', content: { ...base, reason: status.fail_reason } }];
  if (status.status !== 'PUBLISH_COMPLETE') return [];
  const due: { event: PublishEvent; content: object }[] = [{ event: 'post.publish.complete', content: base }];
  const postId = p.post_ids[0];
  if (postId !== undefined) {
    // post_id is a 19-digit number in TikTok's JSON; inside the content string it stays exact.
    due.push({ event: 'post.publish.publicly_available', content: { ...base, post_id: postId } });
  }
  return due;
}

/** Whether a publish can still give rise to an event (the watcher skips it otherwise). */
function finished(ctx: SandboxContext, p: Publish): boolean {
  const sent = p.webhooks_sent ?? [];
  if (sent.includes('post.publish.failed') || sent.includes('post.publish.publicly_available')) return true;
  if (!sent.includes('post.publish.complete')) return false;
  return !(ctx.options.audited && p.privacy_level === 'PUBLIC_TO_EVERYONE');
}

export class WebhookSender {
  /** The retry timer of each pending delivery, by delivery id. */
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private watcher: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly ctx: SandboxContext) {}

  get enabled(): boolean {
    return this.ctx.options.webhookUrl !== undefined;
  }

  /** Starts watching publishes (no-op without webhookUrl). */
  start(): void {
    if (!this.enabled || this.watcher) return;
    this.watcher = setInterval(() => this.watch(), this.ctx.options.webhookWatchMs);
    this.watcher.unref();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.watcher);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const c of this.inFlight) c.abort();
  }

  /** Sends the publish events that became due since the last look. */
  watch(): void {
    const horizon = this.ctx.clock.now() - this.ctx.options.webhookRetryForMs;
    for (const p of this.ctx.state.publishes.values()) {
      if (p.created_at < horizon || finished(this.ctx, p)) continue;
      const sent = (p.webhooks_sent ??= []);
      for (const { event, content } of eventsDue(this.ctx, p)) {
        if (sent.includes(event)) continue;
        sent.push(event);
        this.enqueue(event, p.open_id, content);
      }
    }
  }

  /** A creator removed the app (or was banned, …): its tokens are already revoked (§9). */
  authorizationRemoved(openId: string, reason: number): void {
    if (this.enabled) this.enqueue('authorization.removed', openId, { reason });
  }

  enqueue(event: string, openId: string, content: object): WebhookDelivery {
    const contentText = JSON.stringify(content);
    const body = JSON.stringify({
      client_key: this.ctx.options.clientKey,
      event,
      create_time: Math.floor(this.ctx.clock.now() / 1000),
      user_openid: openId,
      content: contentText,
    });
    const delivery: WebhookDelivery = {
      id: this.ctx.state.newId(),
      event,
      user_openid: openId,
      content: JSON.parse(contentText) as Record<string, unknown>,
      body,
      attempts: [],
      state: 'pending',
      next_attempt_at: new Date().toISOString(),
      created_at: new Date().toISOString(),
    };
    this.ctx.state.deliveries.push(delivery);
    void this.attempt(delivery);
    return delivery;
  }

  /** Sends a delivery again now, as TikTok's at-least-once delivery may. */
  redeliver(delivery: WebhookDelivery): void {
    clearTimeout(this.timers.get(delivery.id));
    this.timers.delete(delivery.id);
    void this.attempt(delivery);
  }

  private async attempt(delivery: WebhookDelivery): Promise<void> {
    const url = this.ctx.options.webhookUrl;
    if (!url || this.closed) return;
    delivery.state = 'sending';
    delivery.next_attempt_at = null;
    const abort = new AbortController();
    this.inFlight.add(abort);
    const timeout = setTimeout(() => abort.abort(), this.ctx.options.webhookTimeoutMs);
    const record: DeliveryAttempt = { at: new Date().toISOString(), status: null };
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'tiktok-signature': signWebhook(
            this.ctx.options.clientSecret,
            delivery.body,
            Math.floor(Date.now() / 1000),
          ),
        },
        body: delivery.body,
        signal: abort.signal,
      });
      record.status = res.status;
      await res.body?.cancel();
    } catch (error) {
      record.error = abort.signal.aborted ? 'no answer in time' : String((error as Error).cause ?? error);
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(abort);
    }
    delivery.attempts.push(record);
    if (this.closed) return;
    if (record.status === 200) {
      delivery.state = 'delivered';
      return;
    }
    const first = Date.parse(delivery.attempts[0]!.at);
    const wait = this.ctx.options.webhookRetryBaseMs * 2 ** (delivery.attempts.length - 1);
    if (Date.now() + wait - first > this.ctx.options.webhookRetryForMs) {
      delivery.state = 'gave_up';
      return;
    }
    delivery.state = 'pending';
    delivery.next_attempt_at = new Date(Date.now() + wait).toISOString();
    const timer = setTimeout(() => {
      this.timers.delete(delivery.id);
      void this.attempt(delivery);
    }, wait);
    timer.unref();
    this.timers.set(delivery.id, timer);
  }
}
