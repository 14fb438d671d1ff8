/**
 * What the publish screen tells the user when publishing fails (seed §6): one message per HTTP
 * status and TikTok error, what the user can do about it, and the 400 `message` array mapped onto
 * the form's fields.
 */
import {
  TIKTOK_ERRORS,
  describeTikTokError,
  userMessageForStatus,
  type RetryClass,
} from '@cliprelay/contract';
import { ApiError } from '../../../lib/api-error.ts';
import { withPrivacyLabels } from './privacy.ts';

/** The form's fields that a server message can point at. */
export type PublishField = 'title' | 'privacy' | 'interactions' | 'disclosure' | 'video';

/**
 * What the user can do next:
 * - `retry`: try again now (the same state is re-submitted);
 * - `retry_later`: the same, after a wait;
 * - `fix`: change something in the form first;
 * - `accounts`: the account is gone: connect it on the Accounts screen;
 * - `reconnect`: the account needs a new consent on TikTok;
 * - `none`: nothing the user can do (our side; contact support).
 */
export type PublishErrorAction = 'retry' | 'retry_later' | 'fix' | 'accounts' | 'reconnect' | 'none';

export interface PublishFailure {
  title: string;
  message: string;
  action: PublishErrorAction;
  fieldErrors: Partial<Record<PublishField, string>>;
  retryAfterSec: number | null;
  /** For support: our request id, when the API answered. */
  requestId: string | null;
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

const ACTION_OF_RETRY_CLASS: Record<RetryClass, PublishErrorAction> = {
  fix_input: 'fix',
  retry: 'retry',
  retry_later: 'retry_later',
  reconnect: 'reconnect',
  contact_support: 'none',
  never: 'none',
};

const GENERIC = 'Something went wrong. Please try again.';
const PUBLISH_FAILED = 'TikTok could not process this video. Please check the format and try again.';

export function describePublishError(error: unknown): PublishFailure {
  if (!(error instanceof ApiError)) {
    return failure('Publishing failed', GENERIC, 'retry');
  }
  const base = { retryAfterSec: error.retryAfterSec, requestId: error.requestId };

  if (error.status === 0) {
    return { ...failure('No connection', userMessageForStatus(0), 'retry'), ...base };
  }

  // TikTok's own code (or, as the seed's SPA does, a known code found in the message).
  const tiktokCode = error.tiktokCode ?? knownTikTokCodeIn(error.message);
  // The seed's `publish_failed` pattern: a name of ours for a failed publish, not TikTok's code.
  if (!tiktokCode && /\bpublish_failed\b/.test(error.message)) {
    return { ...failure('TikTok could not publish this video', PUBLISH_FAILED, 'retry'), ...base };
  }
  if (tiktokCode && error.code !== 'ACCOUNT_NOT_FOUND') {
    const entry = describeTikTokError(tiktokCode);
    const action = ACTION_OF_RETRY_CLASS[entry.retry];
    return {
      ...failure(
        titleFor(action),
        entry.userMessage,
        action,
        fieldForTikTokCode(tiktokCode, entry.userMessage),
      ),
      ...base,
    };
  }

  switch (error.code) {
    case 'VALIDATION_FAILED': {
      const fieldErrors = fieldErrorsFrom(error.fieldMessages);
      const unplaced = error.fieldMessages.filter((m) => !fieldOf(m));
      const message =
        unplaced.length > 0 ? `Some details need fixing: ${unplaced.join('; ')}.` : userMessageForStatus(400);
      return { ...failure('Check the form', message, 'fix', fieldErrors), ...base };
    }
    case 'PRIVACY_LEVEL_NOT_ALLOWED': {
      const message = withPrivacyLabels(error.message);
      return { ...failure('Check the form', message, 'fix', { privacy: message }), ...base };
    }
    case 'INTERACTION_DISABLED':
      return { ...failure('Check the form', error.message, 'fix', { interactions: error.message }), ...base };
    case 'UNSUPPORTED_MEDIA':
    case 'URL_NOT_VERIFIED':
      return { ...failure('Choose another video', error.message, 'fix', { video: error.message }), ...base };
    case 'ACCOUNT_NOT_FOUND':
    case 'NOT_FOUND':
      return {
        ...failure('TikTok account not connected', userMessageForStatus(404), 'accounts'),
        ...base,
      };
    case 'ACCOUNT_RECONNECT_REQUIRED':
      return {
        ...failure(
          'Reconnect your TikTok account',
          'Your TikTok connection has expired. Please reconnect your account.',
          'reconnect',
        ),
        ...base,
      };
    case 'FILE_TOO_LARGE':
      return {
        ...failure('Video too large', userMessageForStatus(413), 'fix', { video: userMessageForStatus(413) }),
        ...base,
      };
    case 'TIKTOK_RATE_LIMITED':
      return { ...failure('Too many requests', userMessageForStatus(429), 'retry_later'), ...base };
    // Our own limit (requests a minute, uploads going at once): the server says which, and when.
    case 'RATE_LIMITED':
      return {
        ...failure('Too many requests', error.message || userMessageForStatus(429), 'retry_later'),
        ...base,
      };
    // The upload stopped (TikTok's upload service refused the chunks, the relay ended): our API
    // records why, in words for the user; it is a new upload that can help.
    case 'UPLOAD_FAILED':
    case 'UPLOAD_ENDED':
      return {
        ...failure('The video did not reach TikTok', error.message || GENERIC, 'retry'),
        ...base,
      };
    case 'UNAUTHENTICATED':
      return { ...failure('Signed out', userMessageForStatus(401), 'none'), ...base };
    default:
      if (error.status >= 500) return { ...failure('Publishing failed', GENERIC, 'retry'), ...base };
      return {
        ...failure('Publishing failed', error.message || userMessageForStatus(error.status), 'fix'),
        ...base,
      };
  }
}

function failure(
  title: string,
  message: string,
  action: PublishErrorAction,
  fieldErrors: Partial<Record<PublishField, string>> = {},
): PublishFailure {
  return { title, message, action, fieldErrors, retryAfterSec: null, requestId: null };
}

function titleFor(action: PublishErrorAction): string {
  if (action === 'retry_later') return 'Please wait a moment';
  if (action === 'reconnect') return 'Reconnect your TikTok account';
  if (action === 'fix') return 'TikTok could not accept this post';
  return 'TikTok could not publish this video';
}

/** TikTok codes that point at one field of the form. */
function fieldForTikTokCode(code: string, message: string): Partial<Record<PublishField, string>> {
  if (code === 'privacy_level_option_mismatch') return { privacy: message };
  if (code === 'url_ownership_unverified' || code === 'invalid_file_upload') return { video: message };
  return {};
}

/** The seed's patterns: a TikTok code inside the message, for bodies without `tiktok`. */
function knownTikTokCodeIn(message: string): string | null {
  const words = message.match(/[a-z][a-z0-9_]+/g) ?? [];
  return words.find((w) => w.includes('_') && Object.hasOwn(TIKTOK_ERRORS, w)) ?? null;
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
