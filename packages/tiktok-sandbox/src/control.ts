/**
 * The control API under /_sandbox/ (architecture §6): how tests and people set the scene and
 * look at what TikTok received. Not part of TikTok; its shapes are ours and stable.
 */
import { createReadStream } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { SandboxContext } from './context.ts';
import { dashboardPage } from './dashboard.ts';
import { decideConsent, checkAuthorize, issueTokens, newGrant } from './oauth.ts';
import { creatorInputSchema } from './options.ts';
import { FAULT_ENDPOINTS } from './state.ts';
import { creatorView, deliveryView, publishView, tokenView } from './views.ts';
import { REMOVAL_REASONS } from './webhooks.ts';

function fail(res: Response, status: number, message: string): void {
  res.status(status).json({ error: message });
}

function zodMessage(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}

export const tokenIssueSchema = z.object({ scope: z.string().optional() }).strict();
export const consentSchema = z
  .object({
    authorize_url: z.string().min(1),
    open_id: z.string().optional(),
    approve: z.boolean(),
    scopes: z.array(z.string()).optional(),
  })
  .strict();
export const faultSchema = z
  .object({
    endpoint: z.enum(FAULT_ENDPOINTS),
    http_status: z.number().int().min(100).max(599).optional(),
    error_code: z.string().min(1).optional(),
    count: z.number().int().min(1).default(1),
    chunk_index: z.number().int().min(0).optional(),
    delay_ms: z.number().int().min(0).max(600_000).optional(),
    reset: z.boolean().optional(),
    open_id: z.string().optional(),
    after_receive: z.boolean().optional(),
  })
  .strict();
export const deauthorizeSchema = z
  .object({ reason: z.number().int().min(0).max(5).default(REMOVAL_REASONS.user_disconnected) })
  .strict();
export const clockSchema = z.object({ advance_seconds: z.number().finite() }).strict();

/** Dashboard forms post urlencoded; turn their strings into the JSON types. */
function creatorFromForm(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (value === '' || value === undefined) continue;
    if (['private_account', 'comment_disabled', 'duet_disabled', 'stitch_disabled', 'banned'].includes(key)) {
      out[key] = value === 'on' || value === 'true';
    } else if (['max_video_post_duration_sec', 'posts_today'].includes(key)) {
      out[key] = Number(value);
    } else out[key] = value;
  }
  return out;
}

export function controlRoutes(ctx: SandboxContext): Router {
  const router = express.Router();
  router.use(express.json({ limit: '256kb' }));
  router.use(express.urlencoded({ extended: false, limit: '64kb' }));

  router.get('/_sandbox/', (_req, res) => {
    res.type('html').send(dashboardPage(ctx));
  });

  router.post('/_sandbox/reset', async (_req, res) => {
    ctx.state.clear();
    ctx.clock.reset();
    for (const name of await readdir(ctx.dataDir).catch(() => [] as string[])) {
      await rm(join(ctx.dataDir, name), { force: true });
    }
    res.json({ ok: true });
  });

  router.get('/_sandbox/creators', (_req, res) => {
    res.json({ data: [...ctx.state.creators.values()].map((c) => creatorView(ctx, c)) });
  });

  router.post('/_sandbox/creators', (req: Request, res) => {
    const fromForm = req.is('application/x-www-form-urlencoded') === 'application/x-www-form-urlencoded';
    const raw = (req.body ?? {}) as Record<string, unknown>;
    const parsed = creatorInputSchema.safeParse(fromForm ? creatorFromForm(raw) : raw);
    if (!parsed.success) return fail(res, 400, zodMessage(parsed.error));
    if (parsed.data.open_id && ctx.state.creators.has(parsed.data.open_id)) {
      return fail(res, 409, `a creator with open_id ${parsed.data.open_id} exists`);
    }
    const creator = ctx.state.addCreator(parsed.data, ctx.clock.now());
    if (fromForm) return res.redirect(303, '/_sandbox/');
    res.status(201).json(creatorView(ctx, creator));
  });

  router.patch('/_sandbox/creators/:openId', (req, res) => {
    const creator = ctx.state.creators.get(req.params.openId);
    if (!creator) return fail(res, 404, 'no such creator');
    const parsed = creatorInputSchema.omit({ open_id: true, posts_today: true }).safeParse(req.body ?? {});
    if (!parsed.success) return fail(res, 400, zodMessage(parsed.error));
    Object.assign(
      creator,
      Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)),
    );
    res.json(creatorView(ctx, creator));
  });

  router.get('/_sandbox/creators/:openId/tokens', (req, res) => {
    if (!ctx.state.creators.has(req.params.openId)) return fail(res, 404, 'no such creator');
    const now = ctx.clock.now();
    const data = [...ctx.state.tokens.values()]
      .filter((t) => t.grant.open_id === req.params.openId)
      .map((t) => tokenView(ctx, t, now));
    res.json({ data });
  });

  router.post('/_sandbox/creators/:openId/tokens', (req, res) => {
    if (!ctx.state.creators.has(req.params.openId)) return fail(res, 404, 'no such creator');
    const parsed = tokenIssueSchema.safeParse(req.body ?? {});
    if (!parsed.success) return fail(res, 400, zodMessage(parsed.error));
    const scopes = (parsed.data.scope ?? ctx.options.scopes.join(','))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = scopes.filter((s) => !ctx.options.scopes.includes(s));
    if (scopes.length === 0 || unknown.length > 0) {
      return fail(
        res,
        400,
        `scope must list scopes the app is approved for (${ctx.options.scopes.join(',')})`,
      );
    }
    res.status(201).json(issueTokens(ctx, newGrant(ctx, req.params.openId, [...new Set(scopes)])));
  });

  router.post('/_sandbox/consent', (req, res) => {
    const parsed = consentSchema.safeParse(req.body ?? {});
    if (!parsed.success) return fail(res, 400, zodMessage(parsed.error));
    let query: Record<string, string>;
    try {
      query = Object.fromEntries(new URL(parsed.data.authorize_url).searchParams);
    } catch {
      return fail(res, 400, 'authorize_url must be an absolute URL');
    }
    const check = checkAuthorize(ctx, query);
    if (check.kind === 'error-page') return fail(res, 400, check.message);
    if (check.kind === 'redirect') return res.json({ redirect_to: check.to });
    if (parsed.data.approve && !parsed.data.open_id) return fail(res, 400, 'open_id is required to approve');
    const outcome = decideConsent(
      ctx,
      check,
      parsed.data.open_id ?? '',
      parsed.data.approve,
      parsed.data.scopes,
    );
    if (!outcome.ok) return fail(res, outcome.status, outcome.message);
    res.json({ redirect_to: outcome.redirectTo });
  });

  router.get('/_sandbox/publishes', (_req, res) => {
    const data = [...ctx.state.publishes.values()].reverse().map((p) => publishView(ctx, p));
    res.json({ data });
  });

  router.get('/_sandbox/publishes/:publishId', (req, res) => {
    const p = ctx.state.publishes.get(req.params.publishId);
    if (!p) return fail(res, 404, 'no such publish');
    res.json(publishView(ctx, p));
  });

  router.get('/_sandbox/publishes/:publishId/video', (req, res) => {
    const p = ctx.state.publishes.get(req.params.publishId);
    if (!p || p.sha256 === null) return fail(res, 404, 'no complete video for this publish');
    res.type(p.source === 'FILE_UPLOAD' ? 'video/mp4' : 'application/octet-stream');
    createReadStream(p.file_path)
      .on('error', () => res.destroy())
      .pipe(res);
  });

  router.post('/_sandbox/creators/:openId/deauthorize', (req, res) => {
    const openId = req.params.openId;
    if (!ctx.state.creators.has(openId)) return fail(res, 404, 'no such creator');
    const parsed = deauthorizeSchema.safeParse(req.body ?? {});
    if (!parsed.success) return fail(res, 400, zodMessage(parsed.error));
    // §9: the tokens are already revoked when the event arrives.
    const grants = ctx.state.grants.filter((g) => g.open_id === openId && !g.revoked);
    for (const grant of grants) grant.revoked = true;
    if (grants.length > 0) ctx.webhooks.authorizationRemoved(openId, parsed.data.reason);
    res.json({ revoked_grants: grants.length });
  });

  router.get('/_sandbox/webhooks', (_req, res) => {
    res.json({ enabled: ctx.webhooks.enabled, data: ctx.state.deliveries.map(deliveryView) });
  });

  router.post('/_sandbox/webhooks/:id/redeliver', (req, res) => {
    const delivery = ctx.state.deliveries.find((d) => String(d.id) === req.params.id);
    if (!delivery) return fail(res, 404, 'no such delivery');
    if (!ctx.webhooks.enabled) return fail(res, 409, 'webhooks are off (no webhookUrl)');
    ctx.webhooks.redeliver(delivery);
    res.status(202).json(deliveryView(delivery));
  });

  router.get('/_sandbox/calls', (_req, res) => {
    res.json({ ...ctx.state.calls });
  });

  router.get('/_sandbox/faults', (_req, res) => {
    res.json({ data: ctx.state.faults });
  });

  router.post('/_sandbox/faults', (req, res) => {
    const parsed = faultSchema.safeParse(req.body ?? {});
    if (!parsed.success) return fail(res, 400, zodMessage(parsed.error));
    const { count, ...rest } = parsed.data;
    const fault = { id: ctx.state.newId(), ...rest, remaining: count };
    ctx.state.faults.push(fault);
    res.status(201).json(fault);
  });

  router.delete('/_sandbox/faults', (_req, res) => {
    ctx.state.faults = [];
    res.json({ ok: true });
  });

  router.get('/_sandbox/clock', (_req, res) => {
    res.json({ now: new Date(ctx.clock.now()).toISOString() });
  });

  router.post('/_sandbox/clock', (req, res) => {
    const parsed = clockSchema.safeParse(req.body ?? {});
    if (!parsed.success) return fail(res, 400, zodMessage(parsed.error));
    ctx.clock.advance(parsed.data.advance_seconds);
    res.json({ now: new Date(ctx.clock.now()).toISOString() });
  });

  router.get('/_sandbox/avatars/:file', (req, res) => {
    const openId = req.params.file.replace(/\.svg$/, '');
    const creator = ctx.state.creators.get(openId);
    const initials = (creator?.nickname ?? '?')
      .split(/\s+/)
      .map((w) => w[0] ?? '')
      .join('')
      .slice(0, 2)
      .toUpperCase();
    let hue = 0;
    for (const ch of openId) hue = (hue * 31 + ch.charCodeAt(0)) % 360;
    res.type('image/svg+xml').setHeader('cache-control', 'public, max-age=7200');
    res.send(
      `<svg xmlns="http://www.w3.org/2000/svg" width="168" height="168" viewBox="0 0 168 168">` +
        `<rect width="168" height="168" fill="hsl(${hue} 65% 45%)"/>` +
        `<text x="84" y="84" dy=".35em" text-anchor="middle" font-family="system-ui,sans-serif" font-size="64" fill="#fff">${initials.replace(/[<&>]/g, '')}</text></svg>`,
    );
  });

  return router;
}
