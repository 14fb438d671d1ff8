import { z } from 'zod';

/**
 * The sandbox app's settings. Flag names (kebab-case) and config-file keys (camelCase) are the
 * same words; see README.md. Every default follows tiktok-api.md, and where the sources
 * disagree, the stricter reading.
 */

export const CHUNK_RULES = ['strict', 'binary', 'decimal'] as const;
export type ChunkRulesName = (typeof CHUNK_RULES)[number];

export const ALL_SCOPES = [
  'user.info.basic',
  'user.info.profile',
  'user.info.stats',
  'video.publish',
  'video.upload',
  'video.list',
] as const;

const stringList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]))
  .pipe(z.array(z.string().min(1)));

const seconds = z.number().int().positive();
const millis = z.number().int().nonnegative();

export const creatorInputSchema = z
  .object({
    open_id: z.string().min(1).max(128).optional(),
    username: z
      .string()
      .regex(/^[a-zA-Z0-9._]{2,24}$/, 'username: 2-24 letters, digits, dots or underscores')
      .optional(),
    nickname: z.string().min(1).max(30).optional(),
    private_account: z.boolean().optional(),
    comment_disabled: z.boolean().optional(),
    duet_disabled: z.boolean().optional(),
    stitch_disabled: z.boolean().optional(),
    max_video_post_duration_sec: z.number().int().min(1).max(3600).optional(),
    banned: z.boolean().optional(),
    posts_today: z.number().int().min(0).max(1000).optional(),
  })
  .strict();
export type CreatorInput = z.infer<typeof creatorInputSchema>;

export const sandboxOptionsSchema = z
  .object({
    /** TCP port; 0 picks a free one. */
    port: z.number().int().min(0).max(65535).default(4010),
    host: z.string().default('127.0.0.1'),
    /** Base URL written into upload_url and avatar URLs; defaults to http://<host>:<port>. */
    publicUrl: z.url().optional(),
    clientKey: z.string().min(1).default('sbawcliprelaydev0'),
    clientSecret: z.string().min(1).default('sandbox-dev-client-secret-change-me'),
    /** Registered redirect URIs (exact match, no query, no fragment). */
    redirectUri: stringList.default(['http://localhost:3000/tiktok/oauth/callback']),
    /** Scopes the app is approved for. */
    scopes: stringList.default([...ALL_SCOPES]),
    /** Audited apps may post publicly; unaudited ones only SELF_ONLY to private accounts (§6.2). */
    audited: z.boolean().default(false),
    /** Verified URL prefixes for PULL_FROM_URL (§5). */
    verifiedPrefix: stringList.default([]),
    /** Allow http:// verified prefixes and downloads (a local dev media host). */
    allowHttpPull: z.boolean().default(false),
    /** Access token lifetime in seconds (§7.4, newer doc: 2 h). */
    accessTtl: seconds.default(7200),
    /** Refresh token lifetime in seconds, fixed from the first issuance (§7.4, newer doc: 180 d). */
    refreshTtl: seconds.default(15_552_000),
    /** Authorization code lifetime in seconds. */
    codeTtl: seconds.default(600),
    /** upload_url lifetime in seconds (§4.3: one hour). */
    uploadUrlTtl: seconds.default(3600),
    /** Delay between the last byte and the processing outcome. */
    processingDelayMs: millis.default(2000),
    /** Extra delay before a public post on an audited app gets its post id (§2.4). */
    moderationDelayMs: millis.default(5000),
    /** Which reading of "MB" the chunk rules use (§4.6). strict = the safe bounds of both. */
    chunkRules: z.enum(CHUNK_RULES).default('strict'),
    /** Posts per creator per 24 h (§10: typically around 15). */
    dailyPostCap: z.number().int().min(1).default(15),
    /** Distinct posting creators per 24 h for this app; unaudited apps get 5 (§10). */
    activeUserCap: z.number().int().min(1).optional(),
    /** PULL_FROM_URL: biggest file downloaded (bytes) and the download window (ms, §5: 1 h). */
    pullMaxBytes: z.number().int().positive().optional(),
    pullTimeoutMs: z.number().int().positive().default(3_600_000),
    /** HTTP status of OAuth error bodies (§7.6: undocumented; 400 is the common choice). */
    oauthErrorStatus: z.number().int().min(400).max(599).default(400),
    /** Whether error envelopes carry an empty "data": {} (§2.0: both are seen). */
    errorData: z.boolean().default(false),
    /** Where uploaded and pulled videos are assembled; a fresh temp dir when unset. */
    dataDir: z.string().optional(),
    /**
     * A JSON file that keeps creators, tokens, publishes and the clock across restarts; the videos
     * go to dataDir, by default a "videos" folder beside it. Unset: everything lives in memory.
     */
    stateFile: z.string().optional(),
    /** Creators that exist from the start (the control API can add more). */
    creators: z.array(creatorInputSchema).default([]),
    /**
     * The app's webhook callback URL (§9): publish and authorization events are posted there,
     * signed, and retried until it answers 200. Unset: no webhooks.
     */
    webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** The first retry's wait; each next one doubles. */
    webhookRetryBaseMs: z.number().int().positive().default(1000),
    /** How long a delivery is retried (§9: 72 h). */
    webhookRetryForMs: z
      .number()
      .int()
      .positive()
      .default(72 * 3600 * 1000),
    /** A receiver that has not answered in this long has failed the attempt (§9: answer at once). */
    webhookTimeoutMs: z.number().int().positive().default(5000),
    /** How often publishes are looked at for events that became due. */
    webhookWatchMs: z.number().int().positive().default(200),
    /** Log one line per request to stderr. */
    logRequests: z.boolean().default(false),
  })
  .strict();

export type SandboxOptionsInput = z.input<typeof sandboxOptionsSchema>;
export type SandboxOptions = z.output<typeof sandboxOptionsSchema>;

export class SandboxConfigError extends Error {
  override name = 'SandboxConfigError';
}

/** Validates options and the cross-field rules zod cannot express; throws SandboxConfigError. */
export function parseSandboxOptions(input: unknown): SandboxOptions {
  const result = sandboxOptionsSchema.safeParse(input ?? {});
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`);
    throw new SandboxConfigError(`invalid sandbox options:\n  ${lines.join('\n  ')}`);
  }
  const options = result.data;
  const problems: string[] = [];
  for (const uri of options.redirectUri) {
    const reason = redirectUriProblem(uri);
    if (reason) problems.push(`redirectUri ${uri}: ${reason}`);
  }
  for (const prefix of options.verifiedPrefix) {
    const reason = verifiedPrefixProblem(prefix, options.allowHttpPull);
    if (reason) problems.push(`verifiedPrefix ${prefix}: ${reason}`);
  }
  for (const scope of options.scopes) {
    if (!(ALL_SCOPES as readonly string[]).includes(scope)) problems.push(`scopes: unknown scope ${scope}`);
  }
  if (problems.length > 0)
    throw new SandboxConfigError(`invalid sandbox options:\n  ${problems.join('\n  ')}`);
  return options;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}

/** §7.1: absolute, static, no query or fragment; https, or http on a loopback host (desktop rules). */
function redirectUriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'not an absolute URL';
  }
  if (url.search || url.hash || uri.includes('?') || uri.includes('#'))
    return 'must have no query or fragment';
  if (uri.length >= 512) return 'must be shorter than 512 characters';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return undefined;
  return 'must be https (http only on localhost / 127.0.0.1)';
}

/** §5: a URL prefix is scheme + host + path ending in "/". */
function verifiedPrefixProblem(prefix: string, allowHttp: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(prefix);
  } catch {
    return 'not an absolute URL';
  }
  if (!prefix.endsWith('/')) return 'must end with "/"';
  if (url.protocol === 'http:' && !allowHttp) return 'http prefixes need allowHttpPull (--allow-http-pull)';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be https';
  return undefined;
}
