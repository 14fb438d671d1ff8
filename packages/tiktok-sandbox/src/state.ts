import type { CreatorInput } from './options.ts';
import type { WebhookDelivery } from './webhooks.ts';
import * as ids from './ids.ts';

export type PrivacyLevel =
  'PUBLIC_TO_EVERYONE' | 'MUTUAL_FOLLOW_FRIENDS' | 'FOLLOWER_OF_CREATOR' | 'SELF_ONLY';
export const PRIVACY_LEVELS: readonly PrivacyLevel[] = [
  'PUBLIC_TO_EVERYONE',
  'MUTUAL_FOLLOW_FRIENDS',
  'FOLLOWER_OF_CREATOR',
  'SELF_ONLY',
];

export interface Creator {
  open_id: string;
  union_id: string;
  username: string;
  nickname: string;
  private_account: boolean;
  comment_disabled: boolean;
  duet_disabled: boolean;
  stitch_disabled: boolean;
  max_video_post_duration_sec: number;
  banned: boolean;
  created_at: number;
}

export interface AuthCode {
  code: string;
  client_key: string;
  redirect_uri: string;
  open_id: string;
  scopes: string[];
  code_challenge?: string;
  expires_at: number;
  used: boolean;
}

export type TokenState = 'active' | 'expired' | 'rotated' | 'revoked';

/** One authorization of the app by a creator; its tokens rotate, the grant stays. */
export interface Grant {
  id: number;
  open_id: string;
  client_key: string;
  scopes: string[];
  /** Fixed at first issuance (§7.4: "valid for … after the initial issuance"). */
  refresh_expires_at: number;
  revoked: boolean;
}

export interface TokenRecord {
  token: string;
  type: 'access' | 'refresh';
  grant: Grant;
  issued_at: number;
  expires_at: number;
  /** Set when a refresh token has been used (rotation) or the grant revoked. */
  ended?: 'rotated' | 'revoked';
}

export type PublishStatus = 'PROCESSING_UPLOAD' | 'PROCESSING_DOWNLOAD' | 'PUBLISH_COMPLETE' | 'FAILED';

export interface UploadSession {
  upload_id: string;
  upload_token: string;
  expires_at: number;
  video_size: number;
  chunk_size: number;
  total_chunk_count: number;
  received_bytes: number;
  /** A PUT is being received; the next waits (chunks are sequential, §2.3). */
  busy: boolean;
}

export interface Publish {
  publish_id: string;
  open_id: string;
  client_key: string;
  source: 'FILE_UPLOAD' | 'PULL_FROM_URL';
  post_info: Record<string, unknown>;
  source_info: Record<string, unknown>;
  privacy_level: PrivacyLevel;
  created_at: number;
  /** Where the bytes are assembled. */
  file_path: string;
  received_bytes: number;
  sha256: string | null;
  upload?: UploadSession;
  pull?: { url: string; abort: AbortController };
  /** When the last byte arrived (sandbox clock). */
  completed_at?: number;
  /** The media check's verdict, once it ran: undefined = pending, null = passed. */
  check_result?: string | null;
  /** A final failure decided outside processing (pull failure, cancel). */
  failed?: string;
  /** Post ids, once moderation is over (public posts on audited apps only). */
  post_ids: string[];
  /** Set when the post becomes eligible for a post id. */
  post_id_candidate?: string;
  /** Webhook events already sent for this publish (webhooks.ts). */
  webhooks_sent?: string[];
  /** How many times the app asked this publish's status (status/fetch). */
  status_fetches?: number;
}

export interface Fault {
  id: number;
  endpoint: FaultEndpoint;
  http_status?: number;
  error_code?: string;
  remaining: number;
  chunk_index?: number;
  delay_ms?: number;
  reset?: boolean;
  open_id?: string;
  /** Upload only: the chunk is received and kept first, then the fault plays on its answer. */
  after_receive?: boolean;
}

export const FAULT_ENDPOINTS = [
  'token',
  'revoke',
  'user_info',
  'creator_info',
  'video_init',
  'upload',
  'status_fetch',
  'cancel',
  'processing',
] as const;
export type FaultEndpoint = (typeof FAULT_ENDPOINTS)[number];

/** The JSON written to a state file: plain data, tokens pointing at grants by id. */
export interface StateSnapshot {
  version: 1;
  clockOffsetMs: number;
  creators: Creator[];
  grants: Grant[];
  tokens: (Omit<TokenRecord, 'grant'> & { grant_id: number })[];
  publishes: (Omit<Publish, 'pull'> & { pull_url?: string })[];
  postLog: SandboxState['postLog'];
  nextId: number;
}

/** Everything the sandbox remembers. POST /_sandbox/reset empties it. */
export class SandboxState {
  creators = new Map<string, Creator>();
  codes = new Map<string, AuthCode>();
  tokens = new Map<string, TokenRecord>();
  grants: Grant[] = [];
  publishes = new Map<string, Publish>();
  uploads = new Map<string, Publish>();
  faults: Fault[] = [];
  /** Successful inits, for the daily post cap and the active-user cap (§10). */
  postLog: { open_id: string; client_key: string | null; at: number }[] = [];
  /** Request times per `endpoint token`, for the sliding rate-limit windows. */
  rateWindows = new Map<string, number[]>();
  /** Webhook deliveries, oldest first (in memory only: a restart forgets them). */
  deliveries: WebhookDelivery[] = [];
  /** Requests per content endpoint since the start or the last reset, answered or refused. */
  calls: Partial<Record<FaultEndpoint, number>> = {};
  private nextId = 1;

  countCall(endpoint: FaultEndpoint): void {
    this.calls[endpoint] = (this.calls[endpoint] ?? 0) + 1;
  }

  newId(): number {
    return this.nextId++;
  }

  clear(): void {
    for (const p of this.publishes.values()) p.pull?.abort.abort();
    this.creators.clear();
    this.codes.clear();
    this.tokens.clear();
    this.grants = [];
    this.publishes.clear();
    this.uploads.clear();
    this.faults = [];
    this.postLog = [];
    this.rateWindows.clear();
    this.deliveries = [];
    this.calls = {};
  }

  addCreator(input: CreatorInput, now: number): Creator {
    const n = this.creators.size + 1;
    const open_id = input.open_id ?? ids.openId();
    const privateAccount = input.private_account ?? false;
    const creator: Creator = {
      open_id,
      union_id: ids.unionId(),
      username: input.username ?? `sandbox.creator${n}`,
      nickname: input.nickname ?? `Sandbox Creator ${n}`,
      private_account: privateAccount,
      comment_disabled: input.comment_disabled ?? false,
      // §2.1: duet/stitch are disabled for private accounts whatever the setting.
      duet_disabled: input.duet_disabled ?? false,
      stitch_disabled: input.stitch_disabled ?? false,
      max_video_post_duration_sec: input.max_video_post_duration_sec ?? 300,
      banned: input.banned ?? false,
      created_at: now,
    };
    this.creators.set(open_id, creator);
    // Posts made today through other apps count toward the creator's cap (§10: shared across clients).
    for (let i = 0; i < (input.posts_today ?? 0); i++)
      this.postLog.push({ open_id, client_key: null, at: now });
    return creator;
  }

  snapshot(clockOffsetMs: number): StateSnapshot {
    return {
      version: 1,
      clockOffsetMs,
      creators: [...this.creators.values()],
      grants: this.grants,
      tokens: [...this.tokens.values()].map(({ grant, ...t }) => ({ ...t, grant_id: grant.id })),
      publishes: [...this.publishes.values()].map(({ pull, ...p }) => ({
        ...p,
        ...(p.upload ? { upload: { ...p.upload, busy: false } } : {}),
        ...(pull ? { pull_url: pull.url } : {}),
      })),
      postLog: this.postLog,
      nextId: this.nextId,
    };
  }

  /** Loads a snapshot. A URL pull cut off by the restart has failed, as a dropped download would. */
  restore(snapshot: StateSnapshot): void {
    this.clear();
    for (const c of snapshot.creators) this.creators.set(c.open_id, c);
    this.grants = snapshot.grants;
    const grants = new Map(this.grants.map((g) => [g.id, g]));
    for (const { grant_id, ...t } of snapshot.tokens) {
      const grant = grants.get(grant_id);
      if (grant) this.tokens.set(t.token, { ...t, grant });
    }
    for (const { pull_url, ...p } of snapshot.publishes) {
      const publish: Publish = { ...p };
      if (pull_url !== undefined && publish.completed_at === undefined)
        publish.failed ??= 'video_pull_failed';
      this.publishes.set(publish.publish_id, publish);
      if (publish.upload) this.uploads.set(publish.upload.upload_id, publish);
    }
    this.postLog = snapshot.postLog;
    this.nextId = snapshot.nextId;
  }

  tokenState(record: TokenRecord, now: number): TokenState {
    if (record.ended) return record.ended;
    if (record.grant.revoked) return 'revoked';
    return now >= record.expires_at ? 'expired' : 'active';
  }

  /** Logs a successful init; entries older than the 24 h window of every cap are dropped. */
  recordPost(openId: string, clientKey: string, now: number): void {
    this.postLog = this.postLog.filter((p) => p.at > now - 86_400_000);
    this.postLog.push({ open_id: openId, client_key: clientKey, at: now });
  }

  postsInLastDay(openId: string, now: number): number {
    return this.postLog.filter((p) => p.open_id === openId && p.at > now - 86_400_000).length;
  }

  activePostersInLastDay(clientKey: string, now: number): Set<string> {
    return new Set(
      this.postLog.filter((p) => p.client_key === clientKey && p.at > now - 86_400_000).map((p) => p.open_id),
    );
  }
}
