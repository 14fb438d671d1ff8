/**
 * POST /media — adds a video that is already on our media CDN to the user's library. The API
 * checks the URL against its verified prefixes; its refusals (400 `message` array from validation,
 * URL_NOT_VERIFIED with its own sentence) are mapped onto the form's fields by `mediaFormErrors`.
 */
import type { MediaCreateRequest, MediaItem } from '@cliprelay/contract';
import { mutationOptions, useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { ApiClient } from '../../../lib/api-client.ts';
import { useApiClient } from '../../../lib/api-context.tsx';
import { ApiError } from '../../../lib/api-error.ts';
import { describeApiError, unplacedFieldsMessage } from '../../../lib/describe-api-error.ts';
import { mediaLibraryKey } from './get-media.ts';

export function addMedia(api: ApiClient, body: MediaCreateRequest): Promise<MediaItem> {
  return api.post<MediaItem>('/media', body);
}

export function addMediaMutation(api: ApiClient, queryClient: QueryClient) {
  return mutationOptions({
    mutationKey: ['media', 'add'],
    mutationFn: (body: MediaCreateRequest) => addMedia(api, body),
    // Returned, so the mutation stays pending until the library shows the new video.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: mediaLibraryKey }),
  });
}

export function useAddMedia() {
  return useMutation(addMediaMutation(useApiClient(), useQueryClient()));
}

export type MediaFormField = 'title' | 'url';

export interface MediaFormErrors {
  fields: Partial<Record<MediaFormField, string>>;
  /** What belongs to no field (a lost connection, a server error, a rate limit). */
  form: string | null;
}

/** The first word of a class-validator message is the property it is about. */
const FIELD_OF_PROPERTY: Record<string, MediaFormField> = { title: 'title', url: 'url' };

/** The API's refusal of POST /media, in the server's words, at the field it is about. */
export function mediaFormErrors(error: unknown): MediaFormErrors {
  if (error instanceof ApiError && error.code === 'URL_NOT_VERIFIED') {
    return { fields: { url: describeApiError(error).message }, form: null };
  }
  if (error instanceof ApiError && error.fieldMessages.length > 0) {
    const fields: MediaFormErrors['fields'] = {};
    const unplaced: string[] = [];
    for (const message of error.fieldMessages) {
      const field = FIELD_OF_PROPERTY[message.split(' ')[0] ?? ''];
      if (!field) unplaced.push(message);
      // The first message about a field is the one to fix first.
      else fields[field] ??= capitalise(message);
    }
    return { fields, form: unplaced.length > 0 ? unplacedFieldsMessage(unplaced) : null };
  }
  return { fields: {}, form: describeApiError(error).message };
}

function capitalise(message: string): string {
  const text = message.replace(/^url\b/, 'The link').replace(/^title\b/, 'The title');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
