/**
 * The two ways to publish (seed §4): POST /tiktok/publish/upload/:socialAccountId with the file
 * (FILE_UPLOAD: our API uploads it to TikTok in chunks) and POST /tiktok/publish/init with a media
 * library URL (PULL_FROM_URL: TikTok downloads it). Each carries the submit's Idempotency-Key: a
 * Try again of the same submit under the same key can never make a second TikTok post.
 */
import type { PublishInitData, PublishInitRequest, UploadPublishData } from '@cliprelay/contract';
import type { ApiClient, UploadOptions } from '../../../lib/api-client.ts';
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
    'Idempotency-Key': idempotencyKey,
  });
}
