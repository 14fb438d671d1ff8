/**
 * Content Posting API: creator info, direct post init, status fetch, cancel (§2.1, §2.2, §2.4,
 * §2.5), and user info (§3.1).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import { CHUNK_BOUNDS, chunkPlanProblem } from './chunk-plan.ts';
import {
  type SandboxContext,
  authorize,
  lookupToken,
  overRateLimit,
  playFault,
  sendError,
  sendOk,
  takeFault,
} from './context.ts';
import * as ids from './ids.ts';
import { startPull } from './pull.ts';
import { statusOf } from './processing.ts';
import type { Creator, Grant, PrivacyLevel, Publish } from './state.ts';

interface EndpointSpec {
  fault: 'user_info' | 'creator_info' | 'video_init' | 'status_fetch' | 'cancel';
  /** Any one of these scopes lets the token in. */
  scopes: string[];
  perMinute: number;
}

interface Call {
  req: Request;
  res: Response;
  grant: Grant;
  creator: Creator;
  body: Record<string, unknown>;
}

/** Auth → scope → rate limit → JSON body, in that order (§13), then the handler. */
function endpoint(ctx: SandboxContext, spec: EndpointSpec, handler: (call: Call) => void) {
  return async (req: Request, res: Response): Promise<void> => {
    ctx.state.countCall(spec.fault);
    const record = lookupToken(ctx, req);
    const fault = takeFault(ctx, spec.fault, { open_id: record?.grant.open_id });
    if (fault && (await playFault(ctx, fault, req, res, 'envelope'))) return;
    const auth = authorize(ctx, record, spec.scopes);
    if (!auth.ok) return sendError(ctx, res, auth.code);
    const creator = ctx.state.creators.get(auth.grant.open_id);
    if (!creator) return sendError(ctx, res, 'access_token_invalid');
    if (overRateLimit(ctx, spec.fault, auth.record.token, spec.perMinute)) {
      return sendError(ctx, res, 'rate_limit_exceeded');
    }
    const body = parseJsonBody(req);
    if (typeof body === 'string') return sendError(ctx, res, 'invalid_params', body);
    handler({ req, res, grant: auth.grant, creator, body });
  };
}

function parseJsonBody(req: Request): Record<string, unknown> | string {
  const raw = typeof req.body === 'string' ? req.body.trim() : '';
  if (raw === '') return {};
  if (!req.is('application/json')) return 'Content-Type must be application/json; charset=UTF-8.';
  try {
    const value: unknown = JSON.parse(raw);
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return 'The request body must be a JSON object.';
    return value as Record<string, unknown>;
  } catch {
    return 'The request body is not valid JSON.';
  }
}

export function privacyOptions(ctx: SandboxContext, creator: Creator): PrivacyLevel[] {
  // Unaudited clients may only post SELF_ONLY (§6.2); the sandbox offers exactly that.
  if (!ctx.options.audited) return ['SELF_ONLY'];
  return creator.private_account
    ? ['FOLLOWER_OF_CREATOR', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY']
    : ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'];
}

function activeUserCap(ctx: SandboxContext): number {
  return ctx.options.activeUserCap ?? (ctx.options.audited ? Number.POSITIVE_INFINITY : 5);
}

/** Why this creator cannot post now (§2.1's 200-with-error codes, §10 caps), if so. */
function cannotPost(ctx: SandboxContext, creator: Creator): string | undefined {
  const now = ctx.clock.now();
  if (creator.banned) return 'spam_risk_user_banned_from_posting';
  if (ctx.state.postsInLastDay(creator.open_id, now) >= ctx.options.dailyPostCap)
    return 'spam_risk_too_many_posts';
  const posters = ctx.state.activePostersInLastDay(ctx.options.clientKey, now);
  if (!posters.has(creator.open_id) && posters.size >= activeUserCap(ctx)) return 'reached_active_user_cap';
  return undefined;
}

export function avatarUrl(ctx: SandboxContext, creator: Creator): string {
  return `${ctx.baseUrl}/_sandbox/avatars/${encodeURIComponent(creator.open_id)}.svg`;
}

const USER_FIELDS: Record<string, { scope: string; value: (ctx: SandboxContext, c: Creator) => unknown }> = {
  open_id: { scope: 'user.info.basic', value: (_, c) => c.open_id },
  union_id: { scope: 'user.info.basic', value: (_, c) => c.union_id },
  avatar_url: { scope: 'user.info.basic', value: avatarUrl },
  avatar_url_100: { scope: 'user.info.basic', value: avatarUrl },
  avatar_large_url: { scope: 'user.info.basic', value: avatarUrl },
  display_name: { scope: 'user.info.basic', value: (_, c) => c.nickname },
  bio_description: { scope: 'user.info.profile', value: () => '' },
  profile_deep_link: { scope: 'user.info.profile', value: (_, c) => `https://www.tiktok.com/@${c.username}` },
  is_verified: { scope: 'user.info.profile', value: () => false },
  username: { scope: 'user.info.profile', value: (_, c) => c.username },
  follower_count: { scope: 'user.info.stats', value: () => 0 },
  following_count: { scope: 'user.info.stats', value: () => 0 },
  likes_count: { scope: 'user.info.stats', value: () => 0 },
  video_count: {
    scope: 'user.info.stats',
    value: (ctx, c) => [...ctx.state.publishes.values()].filter((p) => p.open_id === c.open_id).length,
  },
};

const FIELDS_REQUIRED = 'Fields is required, please provide fields in the request';

export function postRoutes(ctx: SandboxContext): Router {
  const router = express.Router();
  const text = express.text({ type: () => true, limit: '1mb' });

  router.get(
    '/v2/user/info/',
    endpoint(ctx, { fault: 'user_info', scopes: [], perMinute: 600 }, ({ req, res, grant, creator }) => {
      // §3.1 [obs]: commas must be literal; "%2C" is rejected as if fields were missing.
      const rawQuery = req.originalUrl.split('?')[1] ?? '';
      const fieldsParam = typeof req.query.fields === 'string' ? req.query.fields : '';
      if (!fieldsParam || /fields=[^&]*%2C/i.test(rawQuery))
        return sendError(ctx, res, 'invalid_params', FIELDS_REQUIRED);
      const fields = fieldsParam
        .split(',')
        .map((f) => f.trim())
        .filter((f) => f in USER_FIELDS);
      if (fields.length === 0) return sendError(ctx, res, 'invalid_params', FIELDS_REQUIRED);
      const missing = fields.filter((f) => !grant.scopes.includes(USER_FIELDS[f]!.scope));
      if (missing.length > 0) {
        return sendError(
          ctx,
          res,
          'scope_permission_missed',
          `The fields ${missing.join(', ')} need additional scopes.`,
        );
      }
      const user = Object.fromEntries(fields.map((f) => [f, USER_FIELDS[f]!.value(ctx, creator)]));
      sendOk(ctx, res, { user });
    }),
  );

  router.post(
    '/v2/post/publish/creator_info/query/',
    text,
    endpoint(ctx, { fault: 'creator_info', scopes: ['video.publish'], perMinute: 20 }, ({ res, creator }) => {
      const blocked = cannotPost(ctx, creator);
      // §2.1: "cannot post now" comes with HTTP 200 on purpose.
      if (blocked) return sendError(ctx, res, blocked, undefined, 200);
      sendOk(ctx, res, {
        creator_avatar_url: avatarUrl(ctx, creator),
        creator_username: creator.username,
        creator_nickname: creator.nickname,
        privacy_level_options: privacyOptions(ctx, creator),
        comment_disabled: creator.comment_disabled,
        duet_disabled: creator.duet_disabled || creator.private_account,
        stitch_disabled: creator.stitch_disabled || creator.private_account,
        max_video_post_duration_sec: creator.max_video_post_duration_sec,
      });
    }),
  );

  router.post(
    '/v2/post/publish/video/init/',
    text,
    endpoint(
      ctx,
      { fault: 'video_init', scopes: ['video.publish'], perMinute: 6 },
      ({ res, creator, body }) => {
        const parsed = parseInit(ctx, body);
        if (typeof parsed === 'string') return sendError(ctx, res, 'invalid_params', parsed);
        const { postInfo, sourceInfo } = parsed;
        const blocked = cannotPost(ctx, creator);
        if (blocked) return sendError(ctx, res, blocked);
        if (!ctx.options.audited && !creator.private_account) {
          return sendError(ctx, res, 'unaudited_client_can_only_post_to_private_accounts');
        }
        const privacy = postInfo.privacy_level;
        if (typeof privacy !== 'string' || !privacyOptions(ctx, creator).includes(privacy as PrivacyLevel)) {
          return sendError(ctx, res, 'privacy_level_option_mismatch');
        }
        if (sourceInfo.source === 'PULL_FROM_URL' && !isVerifiedUrl(ctx, String(sourceInfo.video_url))) {
          return sendError(ctx, res, 'url_ownership_unverified');
        }
        const now = ctx.clock.now();
        const p: Publish = {
          publish_id: ids.publishId(sourceInfo.source),
          open_id: creator.open_id,
          client_key: ctx.options.clientKey,
          source: sourceInfo.source,
          post_info: postInfo,
          source_info: sourceInfo,
          privacy_level: privacy as PrivacyLevel,
          created_at: now,
          file_path: join(ctx.dataDir, `${randomBytes(12).toString('hex')}.video`),
          received_bytes: 0,
          sha256: null,
          post_ids: [],
        };
        ctx.state.publishes.set(p.publish_id, p);
        ctx.state.recordPost(creator.open_id, ctx.options.clientKey, now);
        if (sourceInfo.source === 'PULL_FROM_URL') {
          startPull(ctx, p, String(sourceInfo.video_url));
          return sendOk(ctx, res, { publish_id: p.publish_id });
        }
        const upload_id = ids.id19();
        p.upload = {
          upload_id,
          upload_token: ids.uploadToken(),
          expires_at: now + ctx.options.uploadUrlTtl * 1000,
          video_size: Number(sourceInfo.video_size),
          chunk_size: Number(sourceInfo.chunk_size),
          total_chunk_count: Number(sourceInfo.total_chunk_count),
          received_bytes: 0,
          busy: false,
        };
        ctx.state.uploads.set(upload_id, p);
        const upload_url = `${ctx.baseUrl}/upload/?upload_id=${upload_id}&upload_token=${p.upload.upload_token}`;
        sendOk(ctx, res, { publish_id: p.publish_id, upload_url });
      },
    ),
  );

  router.post(
    '/v2/post/publish/status/fetch/',
    text,
    endpoint(
      ctx,
      { fault: 'status_fetch', scopes: ['video.publish', 'video.upload'], perMinute: 30 },
      ({ res, grant, body }) => {
        const p = ownPublish(ctx, res, grant, body);
        if (!p) return;
        p.status_fetches = (p.status_fetches ?? 0) + 1;
        sendOk(ctx, res, statusOf(ctx, p));
      },
    ),
  );

  router.post(
    '/v2/post/publish/cancel/',
    text,
    endpoint(
      ctx,
      { fault: 'cancel', scopes: ['video.publish', 'video.upload'], perMinute: 30 },
      ({ res, grant, body }) => {
        const p = ownPublish(ctx, res, grant, body);
        if (!p) return;
        // §2.5: best effort, only an ongoing URL pull can be cancelled.
        if (
          p.source !== 'PULL_FROM_URL' ||
          statusOf(ctx, p).status !== 'PROCESSING_DOWNLOAD' ||
          p.completed_at !== undefined
        ) {
          return sendError(ctx, res, 'publish_not_cancellable');
        }
        p.failed = 'publish_cancelled';
        p.pull?.abort.abort();
        sendOk(ctx, res);
      },
    ),
  );

  return router;
}

function ownPublish(
  ctx: SandboxContext,
  res: Response,
  grant: Grant,
  body: Record<string, unknown>,
): Publish | undefined {
  const publishId = body.publish_id;
  if (typeof publishId !== 'string' || publishId === '') {
    sendError(ctx, res, 'invalid_params', 'publish_id is required.');
    return undefined;
  }
  const p = ctx.state.publishes.get(publishId);
  if (!p) {
    sendError(ctx, res, 'invalid_publish_id');
    return undefined;
  }
  if (p.open_id !== grant.open_id || p.client_key !== grant.client_key) {
    sendError(ctx, res, 'token_not_authorized_for_specified_publish_id');
    return undefined;
  }
  return p;
}

function isVerifiedUrl(ctx: SandboxContext, videoUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(videoUrl);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && ctx.options.allowHttpPull)) return false;
  return ctx.options.verifiedPrefix.some((prefix) => videoUrl.startsWith(prefix));
}

type SourceInfo =
  | { source: 'FILE_UPLOAD'; video_size: number; chunk_size: number; total_chunk_count: number }
  | { source: 'PULL_FROM_URL'; video_url: string };

const BOOLEAN_FIELDS = [
  'disable_duet',
  'disable_stitch',
  'disable_comment',
  'brand_content_toggle',
  'brand_organic_toggle',
  'is_aigc',
];

/** §2.2 field validation; returns the invalid_params message on failure. */
function parseInit(
  ctx: SandboxContext,
  body: Record<string, unknown>,
): { postInfo: Record<string, unknown>; sourceInfo: SourceInfo } | string {
  const postInfo = body.post_info;
  const sourceInfo = body.source_info;
  if (postInfo === null || typeof postInfo !== 'object' || Array.isArray(postInfo))
    return 'post_info is required.';
  if (sourceInfo === null || typeof sourceInfo !== 'object' || Array.isArray(sourceInfo))
    return 'source_info is required.';
  const post = postInfo as Record<string, unknown>;
  const source = sourceInfo as Record<string, unknown>;
  if (post.title !== undefined) {
    if (typeof post.title !== 'string') return 'title must be a string.';
    // §2.2: max 2200 UTF-16 code units, which is what String.length counts.
    if (post.title.length > 2200) return 'The title is too long: at most 2200 UTF-16 code units.';
  }
  if (post.privacy_level !== undefined && typeof post.privacy_level !== 'string')
    return 'privacy_level must be a string.';
  for (const field of BOOLEAN_FIELDS) {
    if (post[field] !== undefined && typeof post[field] !== 'boolean') return `${field} must be a boolean.`;
  }
  const cover = post.video_cover_timestamp_ms;
  if (
    cover !== undefined &&
    (!Number.isInteger(cover) || (cover as number) < 0 || (cover as number) > 2 ** 31 - 1)
  ) {
    return 'video_cover_timestamp_ms must be a non-negative int32.';
  }
  if (source.source === 'PULL_FROM_URL') {
    if (typeof source.video_url !== 'string' || source.video_url === '')
      return 'video_url is required for PULL_FROM_URL.';
    if (!URL.canParse(source.video_url)) return 'video_url is not a valid URL.';
    return { postInfo: post, sourceInfo: { source: 'PULL_FROM_URL', video_url: source.video_url } };
  }
  if (source.source !== 'FILE_UPLOAD') return 'source must be FILE_UPLOAD or PULL_FROM_URL.';
  const plan = {
    video_size: source.video_size,
    chunk_size: source.chunk_size,
    total_chunk_count: source.total_chunk_count,
  };
  for (const [field, value] of Object.entries(plan)) {
    if (!Number.isSafeInteger(value)) return `${field} is required and must be an integer.`;
  }
  const numeric = plan as { video_size: number; chunk_size: number; total_chunk_count: number };
  const problem = chunkPlanProblem(numeric, CHUNK_BOUNDS[ctx.options.chunkRules]);
  if (problem) return problem;
  return { postInfo: post, sourceInfo: { source: 'FILE_UPLOAD', ...numeric } };
}
