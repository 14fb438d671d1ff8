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
  creatorView,
  faultSchema,
  publishView,
  tokenIssueSchema,
} from './control.ts';
import type { TokenResponse } from './oauth.ts';
import type { CreatorInput } from './options.ts';
import type { Fault, TokenState } from './state.ts';

export type SandboxCreator = ReturnType<typeof creatorView>;
export type SandboxPublish = ReturnType<typeof publishView>;
export type SandboxFault = Fault;
export type SandboxFaultInput = z.input<typeof faultSchema>;
export type SandboxConsentInput = z.input<typeof consentSchema>;
export type SandboxTokenIssueInput = z.input<typeof tokenIssueSchema>;
export type SandboxClockInput = z.input<typeof clockSchema>;
export type SandboxCreatorInput = Partial<CreatorInput>;
export type SandboxCreatorUpdate = Omit<SandboxCreatorInput, 'open_id' | 'posts_today'>;
export type SandboxTokenResponse = TokenResponse;

export interface SandboxToken {
  token: string;
  type: 'access' | 'refresh';
  state: TokenState;
  scope: string;
  issued_at: string;
  expires_at: string;
}

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

  /** Empties creators, tokens, publishes and faults; resets the clock offset. */
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
    return (await this.call<{ data: SandboxToken[] }>('GET', `creators/${encodeURIComponent(openId)}/tokens`))
      .data;
  }

  /** A token pair as TikTok's token endpoint gives it, without the consent page. */
  issueTokens(openId: string, input: SandboxTokenIssueInput = {}): Promise<SandboxTokenResponse> {
    return this.call('POST', `creators/${encodeURIComponent(openId)}/tokens`, input);
  }

  /** What the consent page would redirect to for `authorize_url` (approved or declined). */
  consent(input: SandboxConsentInput): Promise<{ redirect_to: string }> {
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

  async clock(): Promise<Date> {
    return new Date((await this.call<{ now: string }>('GET', 'clock')).now);
  }

  /** Moves the sandbox's clock (token expiry, upload URL expiry, rate windows, processing). */
  async advanceClock(seconds: SandboxClockInput['advance_seconds']): Promise<Date> {
    return new Date((await this.call<{ now: string }>('POST', 'clock', { advance_seconds: seconds })).now);
  }

  private async call<T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const res = await fetch(`${this.baseUrl.replace(/\/$/, '')}/_sandbox/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) {
      let detail = text;
      try {
        detail = (JSON.parse(text) as { error?: string }).error ?? text;
      } catch {
        // not JSON: the text as it is
      }
      throw new SandboxControlError(method, `/_sandbox/${path}`, res.status, detail);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
