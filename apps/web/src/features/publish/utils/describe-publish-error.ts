/**
 * What the publish screen shows when publishing fails: the words of lib/describe-api-error.ts
 * (one wording for every screen), and the 400 `message` array and the codes about one setting
 * mapped onto the form's fields.
 */
import { ApiError } from '../../../lib/api-error.ts';
import {
  describeApiError,
  unplacedFieldsMessage,
  type ErrorAction,
  type ErrorDescription,
} from '../../../lib/describe-api-error.ts';
import { withPrivacyLabels } from './privacy.ts';

/** The form's fields that a server message can point at. */
export type PublishField = 'title' | 'privacy' | 'interactions' | 'disclosure' | 'video';

/** What the user can do next (see ErrorAction). */
export type PublishErrorAction = ErrorAction;

export interface PublishFailure extends ErrorDescription {
  fieldErrors: Partial<Record<PublishField, string>>;
}

/** The first word of a class-validator message is the property it is about. */
const FIELD_OF_PROPERTY: Record<string, PublishField> = {
  title: 'title',
  privacy_level: 'privacy',
  disable_comment: 'interactions',
  disable_duet: 'interactions',
  disable_stitch: 'interactions',
  brand_organic_toggle: 'disclosure',
  brand_content_toggle: 'disclosure',
  file: 'video',
  video_url: 'video',
  video_size: 'video',
  source_type: 'video',
};

/** Our codes about one field of the form. */
const FIELD_OF_CODE: Partial<Record<string, PublishField>> = {
  PRIVACY_LEVEL_NOT_ALLOWED: 'privacy',
  INTERACTION_DISABLED: 'interactions',
  UNSUPPORTED_MEDIA: 'video',
  URL_NOT_VERIFIED: 'video',
  FILE_TOO_LARGE: 'video',
};

/** TikTok's codes about one field of the form. */
const FIELD_OF_TIKTOK_CODE: Partial<Record<string, PublishField>> = {
  privacy_level_option_mismatch: 'privacy',
  url_ownership_unverified: 'video',
  invalid_file_upload: 'video',
};

export function describePublishError(error: unknown): PublishFailure {
  const described = describeApiError(error);
  if (!(error instanceof ApiError)) return { ...described, fieldErrors: {} };
  if (described.tiktokCode) {
    const field = FIELD_OF_TIKTOK_CODE[described.tiktokCode];
    return { ...described, fieldErrors: field ? { [field]: described.message } : {} };
  }
  if (error.code === 'VALIDATION_FAILED') {
    const unplaced = error.fieldMessages.filter((m) => !fieldOf(m));
    return {
      ...described,
      message: unplacedFieldsMessage(unplaced),
      fieldErrors: fieldErrorsFrom(error.fieldMessages),
    };
  }
  const field = FIELD_OF_CODE[error.code];
  if (!field) return { ...described, fieldErrors: {} };
  // The server names privacy levels by their API names; the form by its labels.
  const message = field === 'privacy' ? withPrivacyLabels(described.message) : described.message;
  return { ...described, message, fieldErrors: { [field]: message } };
}

function fieldOf(message: string): PublishField | undefined {
  const property = /^[a-z_]+/.exec(message.trim())?.[0] ?? '';
  return FIELD_OF_PROPERTY[property];
}

/** Maps each message of a 400's `message` array onto its field; the first message per field wins. */
export function fieldErrorsFrom(messages: string[]): Partial<Record<PublishField, string>> {
  const errors: Partial<Record<PublishField, string>> = {};
  for (const message of messages) {
    const field = fieldOf(message);
    if (field && !errors[field]) errors[field] = sentence(message);
  }
  return errors;
}

/** How a message names a property, in the form's words. */
const NAME_OF_PROPERTY: Record<string, string> = {
  title: 'The caption',
  privacy_level: 'Who can view',
  disable_comment: 'Allow comments',
  disable_duet: 'Allow Duet',
  disable_stitch: 'Allow Stitch',
  brand_organic_toggle: 'Your brand',
  brand_content_toggle: 'Branded content',
  file: 'The video',
  video_url: 'The video',
  video_size: 'The video',
  source_type: 'The video source',
};

/** "privacy_level must be one of SELF_ONLY" → "Who can view must be one of “Only me”." */
function sentence(message: string): string {
  const trimmed = withPrivacyLabels(message.trim());
  const property = /^[a-z_]+/.exec(trimmed)?.[0] ?? '';
  const named = NAME_OF_PROPERTY[property]
    ? `${NAME_OF_PROPERTY[property]}${trimmed.slice(property.length)}`
    : trimmed;
  const upper = named.charAt(0).toUpperCase() + named.slice(1);
  return /[.!?]$/.test(upper) ? upper : `${upper}.`;
}
