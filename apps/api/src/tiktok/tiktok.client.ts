import { Injectable } from '@nestjs/common';
import { describeTikTokError, messageFor } from '@cliprelay/contract';
import { isSafeNumber, parse as parseLossless } from 'lossless-json';
import type { AppConfig } from '../config/config.ts';
import { InjectConfig } from '../config/config.module.ts';
import { AppError } from '../common/app-error.ts';
import type {
  TikTokCreatorInfo,
  TikTokInitResult,
  TikTokPostInfo,
  TikTokPublishStatus,
  TikTokSourceInfo,
  TikTokTokenSet,
  TikTokUser,
} from './tiktok.types.ts';

const TIMEOUT_MS = 30_000;

interface Envelope<T> {
  data?: T;
  error?: { code?: string; message?: string; log_id?: string };
}

/**
 * Every HTTP call to TikTok's API and OAuth hosts. Turns TikTok's answers into typed results or
 * AppErrors carrying TikTok's code and log id; it decides on `error.code`, never on the HTTP
 * status alone (TikTok reports some failures with 200), and tolerates error bodies with or
 * without `data`. It holds no policy: refresh and retries live in the services. Tokens pass
 * through as arguments and never reach an error message.
 */
@Injectable()
export class TikTokClient {
  constructor(@InjectConfig() private readonly config: AppConfig) {}

  /** The URL of TikTok's consent page for this state (tiktok-api.md §7.1). */
  authorizeUrl(state: string, scopes: readonly string[]): string {
    const url = new URL('/v2/auth/authorize/', this.config.tiktok.authBaseUrl);
    url.searchParams.set('client_key', this.config.tiktok.clientKey);
    url.searchParams.set('scope', scopes.join(','));
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('redirect_uri', this.config.tiktok.redirectUri);
    url.searchParams.set('state', state);
    return url.toString();
  }

  exchangeCode(code: string): Promise<TikTokTokenSet> {
    return this.oauth('/v2/oauth/token/', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.config.tiktok.redirectUri,
    });
  }

  refresh(refreshToken: string): Promise<TikTokTokenSet> {
    return this.oauth('/v2/oauth/token/', {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
  }

  async revoke(accessToken: string): Promise<void> {
    await this.oauth<Record<string, never>>('/v2/oauth/revoke/', { token: accessToken }, false);
  }

  async userInfo(accessToken: string, fields: readonly string[]): Promise<TikTokUser> {
    // Literal commas: TikTok rejects %2C in `fields` (tiktok-api.md §3.1).
    const path = `/v2/user/info/?fields=${fields.join(',')}`;
    const { data } = await this.api<{ user: TikTokUser }>('GET', path, accessToken);
    return data.user;
  }

  async creatorInfo(accessToken: string): Promise<TikTokCreatorInfo> {
    const { data } = await this.api<TikTokCreatorInfo>(
      'POST',
      '/v2/post/publish/creator_info/query/',
      accessToken,
      {},
    );
    return data;
  }

  async initVideo(
    accessToken: string,
    postInfo: TikTokPostInfo,
    sourceInfo: TikTokSourceInfo,
  ): Promise<TikTokInitResult> {
    const { data, logId } = await this.api<{ publish_id: string; upload_url?: string }>(
      'POST',
      '/v2/post/publish/video/init/',
      accessToken,
      { post_info: postInfo, source_info: sourceInfo },
    );
    if (typeof data.publish_id !== 'string') throw this.malformed('video/init', logId);
    return { publish_id: data.publish_id, upload_url: data.upload_url, logId };
  }

  async fetchStatus(accessToken: string, publishId: string): Promise<TikTokPublishStatus> {
    const { data, logId } = await this.api<{
      status: string;
      fail_reason?: string;
      publicaly_available_post_id?: unknown[];
      uploaded_bytes?: unknown;
      downloaded_bytes?: unknown;
    }>('POST', '/v2/post/publish/status/fetch/', accessToken, { publish_id: publishId });
    return {
      status: data.status,
      fail_reason: data.fail_reason ? data.fail_reason : null,
      post_ids: (data.publicaly_available_post_id ?? []).map(String),
      uploaded_bytes: toNumber(data.uploaded_bytes),
      downloaded_bytes: toNumber(data.downloaded_bytes),
      logId,
    };
  }

  async cancel(accessToken: string, publishId: string): Promise<void> {
    await this.api('POST', '/v2/post/publish/cancel/', accessToken, { publish_id: publishId });
  }

  private async oauth<T = TikTokTokenSet>(
    path: string,
    params: Record<string, string>,
    expectToken = true,
  ): Promise<T> {
    const body = new URLSearchParams({
      client_key: this.config.tiktok.clientKey,
      client_secret: this.config.tiktok.clientSecret,
      ...params,
    });
    const res = await this.send(new URL(path, this.config.tiktok.apiBaseUrl), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Cache-Control': 'no-cache' },
      body,
    });
    const text = await res.text();
    const json = parseJson(text) as Record<string, unknown> | undefined;
    // OAuth errors are flat `{error, error_description, log_id}` whatever the status (§7.6).
    const error = json?.error;
    if (typeof error === 'string' && error.length > 0) {
      throw this.tiktokError(error, typeof json?.log_id === 'string' ? json.log_id : null, res.status);
    }
    if (!res.ok || json === undefined || (expectToken && typeof json.access_token !== 'string')) {
      throw this.tiktokError(res.status >= 500 ? `http_${res.status}` : 'server_error', null, res.status);
    }
    return json as T;
  }

  private async api<T>(
    method: 'GET' | 'POST',
    path: string,
    accessToken: string,
    body?: unknown,
  ): Promise<{ data: T; logId: string | null }> {
    const res = await this.send(new URL(path, this.config.tiktok.apiBaseUrl), {
      method,
      headers: {
        Authorization: `Bearer ${accessToken}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json; charset=UTF-8' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = parseJson(text) as Envelope<T> | undefined;
    const logId = json?.error?.log_id ?? res.headers.get('x-tt-logid');
    const code = json?.error?.code;
    if (code !== undefined && code !== 'ok') throw this.tiktokError(code, logId, res.status);
    if (!res.ok || json?.data === undefined) {
      throw this.tiktokError(
        res.status >= 500 ? `http_${res.status}` : 'malformed_response',
        logId,
        res.status,
      );
    }
    return { data: json.data, logId };
  }

  private async send(url: URL, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (cause) {
      throw new AppError('TIKTOK_UNAVAILABLE', messageFor('TIKTOK_UNAVAILABLE'), {
        retryable: true,
        cause: new Error(`${init.method ?? 'GET'} ${url.origin}${url.pathname} failed`, { cause }),
      });
    }
  }

  private tiktokError(code: string, logId: string | null, httpStatus: number): AppError {
    const entry = describeTikTokError(code);
    return new AppError(entry.errorCode, entry.userMessage, {
      tiktok: { code, logId },
      retryable: entry.retryable,
      ...(entry.errorCode === 'TIKTOK_RATE_LIMITED' ? { retryAfterSec: 60 } : {}),
      cause: new Error(`TikTok answered HTTP ${httpStatus} with ${code}`),
    });
  }

  private malformed(endpoint: string, logId: string | null): AppError {
    return new AppError('TIKTOK_UNAVAILABLE', 'TikTok sent an answer we could not read. Please try again.', {
      tiktok: { code: 'malformed_response', logId },
      retryable: true,
      cause: new Error(`malformed ${endpoint} response`),
    });
  }
}

/** JSON.parse that keeps integers beyond 2^53 exact, as strings (TikTok's post ids). */
function parseJson(text: string): unknown {
  if (text.trim().length === 0) return undefined;
  try {
    return parseLossless(text, null, (value: string) =>
      isSafeNumber(value) ? Number(value) : /^-?\d+$/.test(value) ? value : Number(value),
    );
  } catch {
    return undefined;
  }
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return null;
}
