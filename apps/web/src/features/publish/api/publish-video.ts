/**
 * The two ways to publish (seed §4): POST /tiktok/publish/upload/:socialAccountId with the file
 * (FILE_UPLOAD: our API uploads it to TikTok in chunks) and POST /tiktok/publish/init with a media
 * library URL (PULL_FROM_URL: TikTok downloads it). Each carries the submit's Idempotency-Key: a
 * Try again of the same submit under the same key can never make a second TikTok post.
 */
import {
  type PublishInitData,
  type PublishInitRequest,
  type PublishStatusData,
  SUBMITTED_MESSAGE,
  type UploadPublishData,
} from '@cliprelay/contract';
import type { ApiClient, UploadOptions } from '../../../lib/api-client.ts';
import { ApiError } from '../../../lib/api-error.ts';
import { ConnectionLostError } from '../../../lib/resumable-upload.ts';
import type { PublishState } from '../utils/publish-state.ts';

/** The post settings of the form, as the API's fields (the seed's names). */
export function postFields(state: PublishState) {
  if (!state.privacyLevel) throw new Error('postFields: no privacy level chosen');
  return {
    title: state.title,
    privacy_level: state.privacyLevel,
    disable_comment: state.disableComment,
    disable_duet: state.disableDuet,
    disable_stitch: state.disableStitch,
    brand_organic_toggle: state.disclosure && state.yourBrand,
    brand_content_toggle: state.disclosure && state.brandedContent,
    is_aigc: state.isAigc,
  };
}

/**
 * FILE_UPLOAD: the metadata fields first (the API checks them before storing a byte), with the
 * file's size, then the file: knowing the size, the API starts TikTok's upload at once and
 * forwards each chunk while the next is still on its way.
 */
export function publishFromDevice(
  api: ApiClient,
  socialAccountId: string,
  state: PublishState,
  file: File,
  options: UploadOptions & { idempotencyKey: string },
): Promise<UploadPublishData> {
  const form = new FormData();
  for (const [name, value] of Object.entries(postFields(state))) form.append(name, String(value));
  form.append('video_size', String(file.size));
  form.append('file', file, file.name);
  return api.upload<UploadPublishData>(
    `/tiktok/publish/upload/${encodeURIComponent(socialAccountId)}`,
    form,
    { ...options, headers: { 'Idempotency-Key': options.idempotencyKey } },
  );
}

/** PULL_FROM_URL: TikTok downloads the video from our media CDN. */
export function publishFromUrl(
  api: ApiClient,
  socialAccountId: string,
  state: PublishState,
  videoUrl: string,
  signal: AbortSignal,
  idempotencyKey: string,
): Promise<PublishInitData> {
  const body: PublishInitRequest = {
    socialAccountId,
    ...postFields(state),
    source_type: 'PULL_FROM_URL',
    video_url: videoUrl,
  };
  return api.post<PublishInitData>('/tiktok/publish/init', body, signal, {
    headers: { 'Idempotency-Key': idempotencyKey },
  });
}

export interface ResumableCallbacks {
  /** The share (0–100) of the video sent to our API. */
  onSent: (percent: number) => void;
  /** The share (0–100) of the video TikTok has accepted, as our API counts it. */
  onAccepted: (percent: number) => void;
  /** Every byte left the browser; TikTok is taking the last chunks. */
  onAllSent: () => void;
  /** The connection dropped at `percent` of the bytes sent: `resume()` sends the rest. */
  onConnectionLost: (percent: number) => void;
}

/** How often the screen asks the API how many bytes TikTok has accepted. */
const PROGRESS_POLL_MS = 1000;

/**
 * FILE_UPLOAD, resumable: the form goes as the upload's metadata (the API checks it and starts
 * TikTok's upload before a byte is sent), the video over tus, and the API forwards each chunk to
 * TikTok as it arrives. The bar shows what reached our API and, within it, what TikTok has
 * accepted (the API's count). A lost
 * connection waits for the user's `resume()`; `cancel()` stops it and drops the upload.
 */
export class ResumablePublish {
  readonly done: Promise<UploadPublishData>;
  private resumeWaiter: (() => void) | undefined;
  private cancelled = false;
  private readonly upload;

  constructor(
    private readonly api: ApiClient,
    socialAccountId: string,
    state: PublishState,
    file: File,
    idempotencyKey: string,
    private readonly callbacks: ResumableCallbacks,
  ) {
    const metadata: Record<string, string> = { social_account_id: socialAccountId, filename: file.name };
    for (const [name, value] of Object.entries(postFields(state))) metadata[name] = String(value);
    let uploadId: ((id: string) => void) | undefined;
    const created = new Promise<string>((resolve) => (uploadId = resolve));
    this.upload = api.resumable('/tiktok/uploads', file, {
      metadata,
      headers: { 'Idempotency-Key': idempotencyKey },
      onCreated: (url) => uploadId?.(url.split('/').pop() ?? ''),
      onProgress: (sent, total) => callbacks.onSent(total > 0 ? (sent / total) * 100 : 0),
    });
    const sending = this.sendAll();
    const following = created.then((id) => this.follow(id, file.size));
    this.done = Promise.race([sending.then(() => following), following]);
    sending.catch(() => undefined);
  }

  resume(): void {
    this.resumeWaiter?.();
  }

  async cancel(): Promise<void> {
    this.cancelled = true;
    this.resumeWaiter?.();
    await this.upload.abort();
  }

  private async sendAll(): Promise<void> {
    for (;;) {
      try {
        await this.upload.send();
        this.callbacks.onAllSent();
        return;
      } catch (error) {
        if (this.cancelled) throw abortError();
        if (!(error instanceof ConnectionLostError)) throw error;
        this.callbacks.onConnectionLost(error.total > 0 ? (error.sent / error.total) * 100 : 0);
        await new Promise<void>((resolve) => (this.resumeWaiter = resolve));
        if (this.cancelled) throw abortError();
      }
    }
  }

  /** Asks the API how far TikTok is, until TikTok has every byte (or the post failed). */
  private async follow(uploadId: string, size: number): Promise<UploadPublishData> {
    for (;;) {
      if (this.cancelled) throw abortError();
      const status = await this.api
        .get<PublishStatusData & { post_id: string }>(
          `/tiktok/uploads/${encodeURIComponent(uploadId)}/status`,
        )
        .catch((error: unknown) => {
          // A lost connection shows on the upload itself; keep asking.
          if (error instanceof ApiError && error.status === 0) return null;
          throw error;
        });
      if (status) {
        if (status.uploaded_bytes !== null && size > 0) {
          this.callbacks.onAccepted((status.uploaded_bytes / size) * 100);
        }
        // Failed before TikTok had every byte: the upload failed. (A video TikTok then refused
        // was submitted: the result screen's live status tells why.)
        if (status.local_status === 'failed' && status.uploaded_bytes !== size) {
          // Without a recorded reason, the words are UPLOAD_FAILED's (lib/describe-api-error.ts).
          throw new ApiError(500, 'UPLOAD_FAILED', status.user_message ?? '', null);
        }
        if (status.local_status !== 'uploading') {
          return { publish_id: status.publish_id, post_id: status.post_id, message: SUBMITTED_MESSAGE };
        }
      }
      await new Promise((resolve) => setTimeout(resolve, PROGRESS_POLL_MS));
    }
  }
}

function abortError(): Error {
  return new DOMException('The upload was cancelled.', 'AbortError');
}
