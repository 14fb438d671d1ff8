import { sql } from 'drizzle-orm';
import type { TikTokCreatorInfo } from '../tiktok/tiktok.types.ts';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

/** Our users, created on first sight of an Auth0 (or dev identity) `sub`. */
export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  sub: text('sub').notNull().unique(),
  email: text('email'),
  name: text('name'),
  ...timestamps,
});

/**
 * A TikTok account a user connected. Tokens are AES-256-GCM ciphertexts (see token-cipher.ts)
 * and are read only by the token service. `tokenVersion` grows with every stored pair, so a
 * refresh can tell whether another process already rotated the tokens it was about to rotate.
 * A disconnected account keeps its row (posts point at it) but loses its tokens.
 */
export const socialAccounts = pgTable(
  'social_accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    provider: text('provider').notNull().default('tiktok'),
    openId: text('open_id').notNull(),
    username: text('username'),
    displayName: text('display_name'),
    avatarUrl: text('avatar_url'),
    scopes: text('scopes').notNull().default(''),
    /** active | reconnect_required | disconnected */
    status: text('status').notNull().default('active'),
    accessTokenEnc: text('access_token_enc'),
    accessExpiresAt: timestamp('access_expires_at', { withTimezone: true }),
    refreshTokenEnc: text('refresh_token_enc'),
    refreshExpiresAt: timestamp('refresh_expires_at', { withTimezone: true }),
    tokenVersion: integer('token_version').notNull().default(0),
    /**
     * TikTok's creator_info as last asked, and when: the form and the upload share it for a short
     * window (tiktok/creator-info.ts), so reloads do not spend TikTok's 20 calls a minute.
     */
    creatorInfo: jsonb('creator_info').$type<TikTokCreatorInfo>(),
    creatorInfoAt: timestamp('creator_info_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [uniqueIndex('social_accounts_user_provider_open_id').on(t.userId, t.provider, t.openId)],
);

/** OAuth `state` values of POST /tiktok/connect: stored as a hash, single use, short-lived. */
export const oauthStates = pgTable('oauth_states', {
  stateHash: text('state_hash').primaryKey(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  /**
   * SHA-256 of the nonce in the HttpOnly cookie POST /tiktok/connect gave the browser that began
   * the flow: the callback links only in that browser (tiktok/oauth-browser-cookie.ts). Null for
   * a state made before the column existed, which the callback refuses.
   */
  browserHash: text('browser_hash'),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Every publish attempt. `publishId` is stored as soon as TikTok's init answers. */
export const posts = pgTable(
  'posts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    socialAccountId: uuid('social_account_id')
      .notNull()
      .references(() => socialAccounts.id, { onDelete: 'cascade' }),
    sourceType: text('source_type').notNull(),
    title: text('title').notNull().default(''),
    privacyLevel: text('privacy_level').notNull(),
    disableComment: boolean('disable_comment').notNull().default(false),
    disableDuet: boolean('disable_duet').notNull().default(false),
    disableStitch: boolean('disable_stitch').notNull().default(false),
    brandOrganicToggle: boolean('brand_organic_toggle').notNull().default(false),
    brandContentToggle: boolean('brand_content_toggle').notNull().default(false),
    isAigc: boolean('is_aigc').notNull().default(false),
    videoCoverTimestampMs: integer('video_cover_timestamp_ms'),
    videoUrl: text('video_url'),
    fileName: text('file_name'),
    videoSize: bigint('video_size', { mode: 'number' }),
    publishId: text('publish_id').unique(),
    /** initializing | uploading | processing | published | failed */
    localStatus: text('local_status').notNull().default('initializing'),
    tiktokStatus: text('tiktok_status'),
    failReason: text('fail_reason'),
    errorCode: text('error_code'),
    userMessage: text('user_message'),
    postIds: jsonb('post_ids')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    tiktokLogId: text('tiktok_log_id'),
    /**
     * While this API relays the file to TikTok (POST /tiktok/publish/upload), the relaying
     * process touches it every few seconds: a post still `uploading` whose heartbeat stopped was
     * cut short by a process that died, and recovery marks it failed.
     */
    relayHeartbeatAt: timestamp('relay_heartbeat_at', { withTimezone: true }),
    /**
     * Bytes of the video TikTok has accepted from our relay (its answered chunks), updated as they
     * go: what the status's `uploaded_bytes` and the progress bar report. Null for a post whose
     * bytes we do not send (PULL_FROM_URL, or a browser uploading to TikTok itself).
     */
    uploadedBytes: bigint('uploaded_bytes', { mode: 'number' }),
    /**
     * The resumable (tus) upload whose bytes this post relays: its file in UPLOAD_TMP_DIR/tus is
     * kept until the relay ends. Null for the one-request multipart upload.
     */
    uploadId: text('upload_id').unique(),
    /**
     * Set when the job that follows the post stopped (TikTok's moderation window passed) with the
     * post still open: the post then says TikTok has not confirmed it. A later webhook clears it.
     */
    followEndedAt: timestamp('follow_ended_at', { withTimezone: true }),
    /**
     * The API process (db/presence.ts) running this post's init and relay: once it is gone, an
     * init with no answer or a relay it left are taken over by recovery at once.
     */
    ownerInstance: text('owner_instance'),
    /**
     * The submit this attempt belongs to: attempts under one Idempotency-Key share it, so the
     * history shows one row per submit with its attempts. Null for a request without a key.
     */
    submissionId: uuid('submission_id'),
    ...timestamps,
  },
  (t) => [
    index('posts_user_created').on(t.userId, t.createdAt),
    index('posts_submission')
      .on(t.submissionId)
      .where(sql`submission_id is not null`),
    index('posts_unsettled')
      .on(t.localStatus)
      .where(sql`local_status in ('initializing', 'uploading', 'processing')`),
  ],
);

/**
 * TikTok's per-token budgets (e.g. 30 status fetches a minute, tiktok-api.md §10), counted per
 * account and endpoint in one-minute windows shared by every API process.
 */
export const tiktokCallBudget = pgTable(
  'tiktok_call_budget',
  {
    socialAccountId: uuid('social_account_id')
      .notNull()
      .references(() => socialAccounts.id, { onDelete: 'cascade' }),
    endpoint: text('endpoint').notNull(),
    windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
    calls: integer('calls').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.socialAccountId, t.endpoint, t.windowStart] })],
);

/**
 * Idempotency-Key of the publishing writes (Stripe's model): per user, kept 24 h. `postId` links
 * the attempt's post as soon as it exists; `response` is the first success, replayed as it was.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    /** Shared by every attempt (post) made under this key: see `posts.submissionId`. */
    submissionId: uuid('submission_id').notNull().defaultRandom(),
    postId: uuid('post_id').references(() => posts.id, { onDelete: 'set null' }),
    response: jsonb('response'),
    /** When the running attempt started: a stale one (its process died before init) is taken over. */
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    /** The API process running the attempt (db/presence.ts): once it is gone, a retry runs anew. */
    ownerInstance: text('owner_instance'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] })],
);

/** The user's media library: videos already on our CDN, publishable with PULL_FROM_URL. */
export const media = pgTable(
  'media',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    url: text('url').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }),
    mimeType: text('mime_type'),
    durationSec: real('duration_sec'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('media_user_created').on(t.userId, t.createdAt)],
);

export type UserRow = typeof users.$inferSelect;
export type SocialAccountRow = typeof socialAccounts.$inferSelect;
export type PostRow = typeof posts.$inferSelect;
export type MediaRow = typeof media.$inferSelect;

/**
 * Per-user request budgets (common/rate-limit.ts), shared by every API process. The shape is
 * rate-limiter-flexible's RateLimiterPostgres table (`key`, `points`, `expire` in epoch ms),
 * created here by our migrations rather than by the library at run time.
 */
export const rateLimits = pgTable('rate_limits', {
  key: varchar('key', { length: 255 }).primaryKey(),
  points: integer('points').notNull().default(0),
  expire: bigint('expire', { mode: 'number' }),
});
