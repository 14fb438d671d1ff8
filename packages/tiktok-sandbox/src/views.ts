/**
 * What the control API (control.ts) and the dashboard (dashboard.ts) show of the sandbox's state:
 * one shape per thing, so the page a person reads and the JSON a test reads never disagree. The
 * typed client (control-client.ts) takes its types from these.
 */
import type { SandboxContext } from './context.ts';
import { avatarUrl, privacyOptions } from './post.ts';
import { statusOf } from './processing.ts';
import type { Creator, Publish, TokenRecord } from './state.ts';
import type { WebhookDelivery } from './webhooks.ts';

export function creatorView(ctx: SandboxContext, c: Creator) {
  const now = ctx.clock.now();
  return {
    open_id: c.open_id,
    union_id: c.union_id,
    username: c.username,
    nickname: c.nickname,
    avatar_url: avatarUrl(ctx, c),
    private_account: c.private_account,
    comment_disabled: c.comment_disabled,
    duet_disabled: c.duet_disabled,
    stitch_disabled: c.stitch_disabled,
    max_video_post_duration_sec: c.max_video_post_duration_sec,
    banned: c.banned,
    posts_today: ctx.state.postsInLastDay(c.open_id, now),
    privacy_level_options: privacyOptions(ctx, c),
  };
}

export function publishView(ctx: SandboxContext, p: Publish) {
  const status = statusOf(ctx, p);
  return {
    publish_id: p.publish_id,
    open_id: p.open_id,
    source: p.source,
    post_info: p.post_info,
    source_info: p.source_info,
    status: status.status,
    fail_reason: status.fail_reason ?? null,
    received_bytes: p.received_bytes,
    sha256: p.sha256,
    post_ids: [...p.post_ids],
    /** status/fetch calls the app made for this publish. */
    status_fetches: p.status_fetches ?? 0,
    created_at: new Date(p.created_at).toISOString(),
    upload_expires_at: p.upload ? new Date(p.upload.expires_at).toISOString() : null,
  };
}

export function deliveryView(d: WebhookDelivery) {
  return { ...d, attempts: [...d.attempts] };
}

export function tokenView(ctx: SandboxContext, t: TokenRecord, now: number) {
  return {
    token: t.token,
    type: t.type,
    state: ctx.state.tokenState(t, now),
    scope: t.grant.scopes.join(','),
    issued_at: new Date(t.issued_at).toISOString(),
    expires_at: new Date(t.expires_at).toISOString(),
  };
}
