/**
 * The one way the web app talks to our API: JSON calls with fetch, uploads with XMLHttpRequest
 * (fetch has no upload progress) or, resumable, with tus-js-client. Every call carries the user's bearer token; a 401 triggers one
 * silent renewal and one retry, and if that fails a sign-in that returns to the same screen.
 * Errors come out as typed ApiErrors; the client never shows or redirects anything itself beyond
 * the sign-in.
 */
import type { ApiSuccess } from '@cliprelay/contract';
import { ApiError } from './api-error.ts';
import { resumableUpload, type ResumableOptions, type ResumableUpload } from './resumable-upload.ts';

export interface AuthBridge {
  /** The current access token, or null when signed out. */
  accessToken(): Promise<string | null>;
  /** Silent renewal (refresh token); resolves the new access token, or null when it failed. */
  renew(): Promise<string | null>;
  /** Starts an interactive sign-in that comes back to the current screen. */
  signIn(): Promise<void>;
}

export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface UploadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: UploadProgress) => void;
  /** Called once the last byte left the browser (the server is now working on it). */
  onUploaded?: () => void;
  /** More request headers (e.g. `Idempotency-Key`). */
  headers?: Record<string, string>;
}

/** More of a JSON POST. */
export interface PostOptions {
  /** More request headers (e.g. `Idempotency-Key`). */
  headers?: Record<string, string>;
  /**
   * `include` lets the API set its cookies (CORS with credentials); only POST /tiktok/connect
   * needs it, for the cookie that binds the OAuth flow to this browser. Calls omit them otherwise.
   */
  credentials?: 'include';
}

export interface ApiClient {
  get<T>(path: string, signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body?: unknown, signal?: AbortSignal, options?: PostOptions): Promise<T>;
  delete<T>(path: string, signal?: AbortSignal): Promise<T>;
  /** POSTs multipart form data with upload progress and an abort handle. */
  upload<T>(path: string, form: FormData, options?: UploadOptions): Promise<T>;
  /** A resumable (tus) upload of `file` to the endpoint at `path` (lib/resumable-upload.ts). */
  resumable(path: string, file: File, options: ResumableOptions): ResumableUpload;
}

interface RawResponse {
  status: number;
  text: string;
}

type Send = (token: string | null) => Promise<RawResponse>;

export function createApiClient(baseUrl: string, auth: AuthBridge): ApiClient {
  const url = (path: string) => `${baseUrl}${path}`;

  /**
   * Sends with the token; on 401 resends once with a fresh token, then parses the envelope. The
   * fresh token is the one another call's renewal already brought, if the token changed while this
   * call was out; otherwise this call renews (one refresh however many calls were refused).
   */
  async function call<T>(send: Send): Promise<T> {
    const used = await auth.accessToken();
    let res = await send(used);
    if (res.status === 401) {
      const current = await auth.accessToken();
      const renewed = current && current !== used ? current : await auth.renew();
      if (renewed) res = await send(renewed);
      if (res.status === 401) {
        await auth.signIn();
        throw ApiError.fromResponse(res.status, res.text);
      }
    }
    if (res.status < 200 || res.status >= 300) throw ApiError.fromResponse(res.status, res.text);
    try {
      return (JSON.parse(res.text) as ApiSuccess<T>).data;
    } catch (cause) {
      const error = new ApiError(
        res.status,
        'INTERNAL',
        'The server sent an answer we could not read.',
        null,
      );
      error.cause = cause;
      throw error;
    }
  }

  const json =
    (
      method: string,
      path: string,
      body: unknown,
      signal: AbortSignal | undefined,
      { headers: extraHeaders = {}, credentials }: PostOptions = {},
    ): Send =>
    async (token) => {
      const headers: Record<string, string> = { ...extraHeaders, accept: 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      try {
        res = await fetch(url(path), {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: signal ?? null,
          ...(credentials ? { credentials } : {}),
        });
      } catch (error) {
        if (signal?.aborted) throw abortReason(signal);
        throw ApiError.network(error);
      }
      return { status: res.status, text: await res.text() };
    };

  return {
    get: (path, signal) => call(json('GET', path, undefined, signal)),
    post: (path, body, signal, options) => call(json('POST', path, body, signal, options)),
    delete: (path, signal) => call(json('DELETE', path, undefined, signal)),
    upload: (path, form, options = {}) => call((token) => xhrUpload(url(path), form, token, options)),
    resumable: (path, file, options) => resumableUpload(url(path), file, auth, options),
  };
}

/** One multipart POST with XMLHttpRequest: progress events, abort, and the answer as text. */
function xhrUpload(
  target: string,
  form: FormData,
  token: string | null,
  { signal, onProgress, onUploaded, headers = {} }: UploadOptions,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open('POST', target);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.setRequestHeader('accept', 'application/json');
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress?.({ loaded: e.loaded, total: e.total });
    };
    xhr.upload.onload = () => onUploaded?.();
    const onAbort = () => xhr.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    xhr.onload = () => {
      done();
      resolve({ status: xhr.status, text: xhr.responseText });
    };
    xhr.onerror = () => {
      done();
      reject(ApiError.network(new Error('XMLHttpRequest failed')));
    };
    xhr.onabort = () => {
      done();
      reject(abortReason(signal));
    };
    xhr.send(form);
  });
}

/** Why a request stopped: the signal's reason when it is an error, else a standard AbortError. */
function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('The request was cancelled.', 'AbortError');
}
