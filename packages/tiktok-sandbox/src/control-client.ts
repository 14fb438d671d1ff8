/**
 * A typed client of the control API under /_sandbox/ (control.ts, the README's "Control API"):
 * what tests and the dev stack use to do what only TikTok can — create a creator, change its
 * settings, approve consent, queue a failure, move the clock — and to read what TikTok received.
 * Its types come from the sandbox's own code, so a change to a route shows in every caller.
 *
 * It has no dependency of its own (fetch only): import it from `@cliprelay/tiktok-sandbox/control`
 * to load nothing else of the sandbox.
 */
import type { z } from 'zod';
import type {
  clockSchema,
  consentSchema,
  deauthorizeSchema,
  faultSchema,
  tokenIssueSchema,
} from './control.ts';
import type { TokenResponse } from './oauth.ts';
import type { creatorInputSchema } from './options.ts';
import type { Fault, FaultEndpoint } from './state.ts';
import type { creatorView, deliveryView, publishView, tokenView } from './views.ts';

/** A creator as the control API shows it (`GET /_sandbox/creators`, and the answer to changes). */
export type SandboxCreator = ReturnType<typeof creatorView>;
/** What TikTok received for one publish (`GET /_sandbox/publishes/:publish_id`). */
export type SandboxPublish = ReturnType<typeof publishView>;
/** One issued access or refresh token and its state now (`GET /_sandbox/creators/:open_id/tokens`). */
export type SandboxToken = ReturnType<typeof tokenView>;
/** A queued failure (`GET /_sandbox/faults`). */
export type SandboxFault = Fault;
export type SandboxFaultInput = z.input<typeof faultSchema>;
export type SandboxConsentInput = z.input<typeof consentSchema>;
export interface SandboxConsentResult {
  /** The redirect URI with `code`, `scopes`, `state`, or `error`, `error_description`, `state`. */
  redirect_to: string;
}
export type SandboxTokenIssueInput = z.input<typeof tokenIssueSchema>;
export type SandboxClockInput = z.input<typeof clockSchema>;
/** The body of `POST /_sandbox/creators`: every field optional. */
export type SandboxCreatorInput = z.input<typeof creatorInputSchema>;
/** The body of `PATCH /_sandbox/creators/:open_id`: `open_id` and `posts_today` do not change. */
export type SandboxCreatorUpdate = Omit<SandboxCreatorInput, 'open_id' | 'posts_today'>;
export type SandboxTokenResponse = TokenResponse;
/** One webhook delivery and its attempts (`GET /_sandbox/webhooks`). */
export type SandboxWebhookDelivery = ReturnType<typeof deliveryView>;
export type SandboxDeauthorizeInput = z.input<typeof deauthorizeSchema>;
/** Requests per content endpoint since the start or the last reset (`GET /_sandbox/calls`). */
export type SandboxCalls = Partial<Record<FaultEndpoint, number>>;

/** A control call the sandbox refused: its HTTP status and its `error` message. */
export class SandboxControlError extends Error {
  override name = 'SandboxControlError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly detail: string,
  ) {
    super(`sandbox ${method} ${path}: HTTP ${status} ${detail}`);
  }
}

export class SandboxControl {
  /** `baseUrl`: the sandbox's URL, e.g. http://127.0.0.1:4010 (no trailing slash needed). */
  constructor(readonly baseUrl: string) {}

  /** Forgets creators, tokens, publishes and faults; resets the clock. */
  async reset(): Promise<void> {
    await this.call('POST', 'reset');
  }

  async creators(): Promise<SandboxCreator[]> {
    return (await this.call<{ data: SandboxCreator[] }>('GET', 'creators')).data;
  }

  createCreator(input: SandboxCreatorInput = {}): Promise<SandboxCreator> {
    return this.call('POST', 'creators', input);
  }

  updateCreator(openId: string, changes: SandboxCreatorUpdate): Promise<SandboxCreator> {
    return this.call('PATCH', `creators/${encodeURIComponent(openId)}`, changes);
  }

  /** Every access and refresh token issued to the creator, with its state now. */
  async tokens(openId: string): Promise<SandboxToken[]> {
    const path = `creators/${encodeURIComponent(openId)}/tokens`;
    return (await this.call<{ data: SandboxToken[] }>('GET', path)).data;
  }

  /** A token pair as TikTok's token endpoint gives it, without the consent page. */
  issueTokens(openId: string, input: SandboxTokenIssueInput = {}): Promise<SandboxTokenResponse> {
    return this.call('POST', `creators/${encodeURIComponent(openId)}/tokens`, input);
  }

  /** What the consent page would redirect to for `authorize_url` (approved or declined). */
  consent(input: SandboxConsentInput): Promise<SandboxConsentResult> {
    return this.call('POST', 'consent', input);
  }

  /** Every publish, newest first. */
  async publishes(): Promise<SandboxPublish[]> {
    return (await this.call<{ data: SandboxPublish[] }>('GET', 'publishes')).data;
  }

  /** What TikTok received for one publish. */
  publish(publishId: string): Promise<SandboxPublish> {
    return this.call('GET', `publishes/${encodeURIComponent(publishId)}`);
  }

  /** The assembled video's bytes, once every byte arrived (404 before). */
  async publishVideo(publishId: string): Promise<Uint8Array> {
    const res = await this.request('GET', `publishes/${encodeURIComponent(publishId)}/video`);
    return new Uint8Array(await res.arrayBuffer());
  }

  async faults(): Promise<SandboxFault[]> {
    return (await this.call<{ data: SandboxFault[] }>('GET', 'faults')).data;
  }

  /** Queues a failure (architecture §6): the next `count` matching requests fail this way. */
  addFault(fault: SandboxFaultInput): Promise<SandboxFault> {
    return this.call('POST', 'faults', fault);
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', 'faults');
  }

  /** The webhook deliveries so far, oldest first, and whether webhooks are on. */
  webhooks(): Promise<{ enabled: boolean; data: SandboxWebhookDelivery[] }> {
    return this.call('GET', 'webhooks');
  }

  /** Sends a delivery again now (TikTok delivers at least once). */
  redeliverWebhook(id: number): Promise<SandboxWebhookDelivery> {
    return this.call('POST', `webhooks/${id}/redeliver`);
  }

  /**
   * The creator removes the app in TikTok (or is banned, …: `reason` as §9 numbers it): its grants
   * are revoked and, with webhooks on, `authorization.removed` is sent.
   */
  deauthorize(openId: string, input: SandboxDeauthorizeInput = {}): Promise<{ revoked_grants: number }> {
    return this.call('POST', `creators/${encodeURIComponent(openId)}/deauthorize`, input);
  }

  /** How many requests each content endpoint (creator_info, video_init, status_fetch, …) received. */
  calls(): Promise<SandboxCalls> {
    return this.call('GET', 'calls');
  }

  /** The sandbox clock's time now. */
  async clock(): Promise<Date> {
    return new Date((await this.call<{ now: string }>('GET', 'clock')).now);
  }

  /** Moves the sandbox's clock (token expiry, upload URL expiry, rate windows, processing). */
  async advanceClock(seconds: SandboxClockInput['advance_seconds']): Promise<Date> {
    const body: SandboxClockInput = { advance_seconds: seconds };
    return new Date((await this.call<{ now: string }>('POST', 'clock', body)).now);
  }

  /** A JSON route's answer; each public method names the type its route answers. */
  private async call<T>(method: Method, path: string, body?: object): Promise<T> {
    const text = await (await this.request(method, path, body)).text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The route's response when it is a 2xx; otherwise a SandboxControlError. */
  private async request(method: Method, path: string, body?: object): Promise<Response> {
    const res = await fetch(`${this.baseUrl.replace(/\/$/, '')}/_sandbox/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.ok) return res;
    const text = await res.text();
    let detail = text;
    try {
      const parsed: unknown = JSON.parse(text);
      if (
        typeof parsed === 'object' &&
        parsed !== null &&
        'error' in parsed &&
        typeof parsed.error === 'string'
      ) {
        detail = parsed.error;
      }
    } catch {
      // not JSON (a gateway page, say): the text as it is
    }
    throw new SandboxControlError(method, `/_sandbox/${path}`, res.status, detail);
  }
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
