/**
 * The publish screen's state: every slice of seed §5 in one typed reducer, plus what TikTok's
 * Direct Post rules add (tiktok-api.md §11: commercial content disclosure, AI-generated label).
 *
 * Phases (`publishStatus`): idle → uploading (FILE_UPLOAD: bytes to our API) → publishing (our API
 * hands the video to TikTok) → success | error. Cancel goes back to idle; an error keeps every
 * field, so Try again re-submits the same state without re-picking the file.
 *
 * The reducer also keeps the form within TikTok's creator rules (the contract's creator-rules.ts,
 * which the API enforces too): only the creator's privacy options, interactions the creator
 * disabled stay off, branded content is never private.
 */
import {
  DISCLOSURE_CHOICE_REQUIRED,
  TITLE_MAX_LENGTH,
  isBrandedContentPrivate,
  isDisclosureChoiceMissing,
  isInteractionDisabledByCreator,
  isPrivacyOffered,
  titleLength,
  type CreatorInfoData,
  type CreatorInteraction,
  type MediaItem,
  type PrivacyLevel,
  type SourceType,
} from '@cliprelay/contract';
import type { PublishDraft } from '../../../lib/publish-draft.ts';
import type { PublishFailure, PublishField } from './describe-publish-error.ts';
import type { VideoCheck } from './video-checks.ts';

export type PublishStatus = 'idle' | 'uploading' | 'publishing' | 'success' | 'error';
export type Interaction = CreatorInteraction;

export interface VideoInfo {
  /** Seconds, once read; null when the browser could not read it. */
  durationSec: number | null;
  /** True while the duration is being read. */
  checking: boolean;
  check: VideoCheck;
}

export interface PublishState {
  // Seed §5
  creatorInfo: CreatorInfoData | null;
  creatorInfoLoading: boolean;
  selectedFile: File | null;
  title: string;
  /** No default: the user must choose (tiktok-api.md §11 point 2b). */
  privacyLevel: PrivacyLevel | null;
  /** Seed names; true means the interaction is OFF. All off by default (§11 point 2c). */
  disableComment: boolean;
  disableDuet: boolean;
  disableStitch: boolean;
  /** 0–100: bytes sent to our API (FILE_UPLOAD). */
  uploadProgress: number;
  publishStatus: PublishStatus;
  publishId: string | null;
  errorMessage: string | null;

  // Beyond the seed's table
  /** Why creator info could not be fetched (e.g. the creator cannot post right now). */
  creatorInfoError: PublishFailure | null;
  source: SourceType;
  selectedMedia: MediaItem | null;
  /** The checks of the chosen video, per source (each source keeps its own choice). */
  videos: Record<SourceType, VideoInfo | null>;
  /** "Content Disclosure Setting" (§11 point 3), off by default. */
  disclosure: boolean;
  /** "Your brand" → brand_organic_toggle. */
  yourBrand: boolean;
  /** "Branded content" → brand_content_toggle. */
  brandedContent: boolean;
  /** AI-generated content label. */
  isAigc: boolean;
  /** The last failure in full (message, action, field errors). */
  failure: PublishFailure | null;
  /** Field errors: the server's 400 messages mapped onto the form; cleared as the user edits. */
  fieldErrors: Partial<Record<PublishField, string>>;
  /** The upload's connection dropped at this share of the bytes sent: Resume sends the rest. */
  connectionLostAt: number | null;
  /** 0–100: the share of the video TikTok has accepted, as our API reports it (FILE_UPLOAD). */
  tiktokProgress: number;
  /**
   * The last publish was cancelled: while its video was still on its way to us (`uploading`:
   * nothing can be posted), or later (`publishing`: TikTok may already have it). Cleared by the
   * next publish or when dismissed.
   */
  cancelledDuring: 'uploading' | 'publishing' | null;
  /** The form was filled in from an earlier post ("Try again with the same settings"). */
  prefilledFrom: { fileName: string | null; videoUrl: string | null } | null;
}

export type PublishAction =
  | { type: 'creatorInfoRequested' }
  | { type: 'creatorInfoLoaded'; creatorInfo: CreatorInfoData }
  | { type: 'creatorInfoFailed'; failure: PublishFailure }
  | { type: 'sourceChanged'; source: SourceType }
  | { type: 'fileSelected'; file: File | null; check: VideoCheck }
  | { type: 'mediaSelected'; media: MediaItem | null }
  | { type: 'durationRead'; video: File | MediaItem; durationSec: number | null; check: VideoCheck }
  | { type: 'titleChanged'; title: string }
  | { type: 'privacyChanged'; privacyLevel: PrivacyLevel | null }
  | { type: 'interactionChanged'; interaction: Interaction; allowed: boolean }
  | { type: 'disclosureChanged'; on: boolean }
  | { type: 'yourBrandChanged'; on: boolean }
  | { type: 'brandedContentChanged'; on: boolean }
  | { type: 'aigcChanged'; on: boolean }
  | { type: 'publishStarted' }
  | { type: 'uploadProgressed'; percent: number }
  | { type: 'uploadFinished' }
  | { type: 'connectionLost'; percent: number }
  | { type: 'tiktokProgressed'; percent: number }
  | { type: 'resumed' }
  | { type: 'publishSucceeded'; publishId: string }
  | { type: 'publishFailed'; failure: PublishFailure }
  | { type: 'publishCancelled' }
  | { type: 'cancelNoticeDismissed' }
  | { type: 'draftApplied'; draft: PublishDraft }
  | { type: 'startedOver' };

export const initialPublishState: PublishState = {
  creatorInfo: null,
  creatorInfoLoading: false,
  selectedFile: null,
  title: '',
  privacyLevel: null,
  disableComment: true,
  disableDuet: true,
  disableStitch: true,
  uploadProgress: 0,
  publishStatus: 'idle',
  publishId: null,
  errorMessage: null,
  creatorInfoError: null,
  source: 'FILE_UPLOAD',
  selectedMedia: null,
  videos: { FILE_UPLOAD: null, PULL_FROM_URL: null },
  disclosure: false,
  yourBrand: false,
  brandedContent: false,
  isAigc: false,
  failure: null,
  fieldErrors: {},
  connectionLostAt: null,
  tiktokProgress: 0,
  cancelledDuring: null,
  prefilledFrom: null,
};

const DISABLE_KEY = { comment: 'disableComment', duet: 'disableDuet', stitch: 'disableStitch' } as const;

/** True while a request is in flight: the form is locked. */
export function isBusy(state: PublishState): boolean {
  return state.publishStatus === 'uploading' || state.publishStatus === 'publishing';
}

/** Whether the creator disabled an interaction on their TikTok account. */
export function creatorDisabled(info: CreatorInfoData | null, interaction: Interaction): boolean {
  return info !== null && isInteractionDisabledByCreator(info, interaction);
}

export function publishReducer(state: PublishState, action: PublishAction): PublishState {
  switch (action.type) {
    case 'creatorInfoRequested':
      return { ...state, creatorInfoLoading: true, creatorInfoError: null };
    case 'creatorInfoLoaded': {
      const info = action.creatorInfo;
      const keepPrivacy = state.privacyLevel && isPrivacyOffered(info, state.privacyLevel);
      return {
        ...state,
        creatorInfo: info,
        creatorInfoLoading: false,
        creatorInfoError: null,
        privacyLevel: keepPrivacy ? state.privacyLevel : null,
        disableComment: creatorDisabled(info, 'comment') || state.disableComment,
        disableDuet: creatorDisabled(info, 'duet') || state.disableDuet,
        disableStitch: creatorDisabled(info, 'stitch') || state.disableStitch,
      };
    }
    case 'creatorInfoFailed':
      return { ...state, creatorInfo: null, creatorInfoLoading: false, creatorInfoError: action.failure };
    case 'publishStarted':
      if (isBusy(state)) return state;
      return {
        ...state,
        publishStatus: state.source === 'FILE_UPLOAD' ? 'uploading' : 'publishing',
        uploadProgress: 0,
        tiktokProgress: 0,
        connectionLostAt: null,
        publishId: null,
        errorMessage: null,
        failure: null,
        fieldErrors: {},
        cancelledDuring: null,
      };
    case 'uploadProgressed':
      if (state.publishStatus !== 'uploading') return state;
      return {
        ...state,
        uploadProgress: Math.max(state.uploadProgress, Math.min(100, Math.round(action.percent))),
      };
    case 'uploadFinished':
      if (state.publishStatus !== 'uploading') return state;
      return { ...state, publishStatus: 'publishing', uploadProgress: 100, connectionLostAt: null };
    case 'connectionLost':
      if (state.publishStatus !== 'uploading') return state;
      return { ...state, connectionLostAt: Math.floor(Math.min(100, Math.max(0, action.percent))) };
    case 'tiktokProgressed':
      if (state.publishStatus !== 'uploading') return state;
      return {
        ...state,
        tiktokProgress: Math.max(state.tiktokProgress, Math.min(100, Math.floor(action.percent))),
      };
    case 'resumed':
      if (state.publishStatus !== 'uploading') return state;
      return { ...state, connectionLostAt: null };
    case 'publishSucceeded':
      if (!isBusy(state)) return state;
      return { ...state, publishStatus: 'success', publishId: action.publishId };
    case 'publishFailed':
      if (!isBusy(state)) return state;
      return {
        ...state,
        publishStatus: 'error',
        connectionLostAt: null,
        errorMessage: action.failure.message,
        failure: action.failure,
        fieldErrors: action.failure.fieldErrors,
      };
    case 'publishCancelled':
      if (!isBusy(state)) return state;
      return {
        ...state,
        publishStatus: 'idle',
        uploadProgress: 0,
        connectionLostAt: null,
        cancelledDuring: state.publishStatus === 'uploading' ? 'uploading' : 'publishing',
      };
    case 'cancelNoticeDismissed':
      return { ...state, cancelledDuring: null };
    case 'draftApplied':
      if (isBusy(state) || state.publishStatus === 'success' || !state.creatorInfo) return state;
      return applyDraft(state, action.draft);
    case 'startedOver':
      return { ...initialPublishState, creatorInfo: state.creatorInfo, source: state.source };
    default:
      // Edits: ignored while publishing (the form is locked) and after success (start over first).
      if (isBusy(state) || state.publishStatus === 'success') return state;
      return edit(state, action);
  }
}

type EditAction = Exclude<
  PublishAction,
  {
    type:
      | 'creatorInfoRequested'
      | 'creatorInfoLoaded'
      | 'creatorInfoFailed'
      | 'publishStarted'
      | 'uploadProgressed'
      | 'uploadFinished'
      | 'connectionLost'
      | 'tiktokProgressed'
      | 'resumed'
      | 'publishSucceeded'
      | 'publishFailed'
      | 'publishCancelled'
      | 'cancelNoticeDismissed'
      | 'draftApplied'
      | 'startedOver';
  }
>;

function edit(state: PublishState, action: EditAction): PublishState {
  const clear = (field: PublishField): Partial<PublishState> => {
    if (!state.fieldErrors[field]) return {};
    const { [field]: _removed, ...rest } = state.fieldErrors;
    return { fieldErrors: rest };
  };
  switch (action.type) {
    case 'sourceChanged':
      return { ...state, source: action.source, ...clear('video') };
    case 'fileSelected':
      return {
        ...state,
        selectedFile: action.file,
        ...clear('video'),
        videos: {
          ...state.videos,
          FILE_UPLOAD: action.file
            ? { durationSec: null, checking: action.check.problem === null, check: action.check }
            : null,
        },
      };
    case 'mediaSelected':
      return {
        ...state,
        selectedMedia: action.media,
        ...clear('video'),
        videos: {
          ...state.videos,
          PULL_FROM_URL: action.media
            ? { durationSec: null, checking: true, check: { problem: null, warning: null } }
            : null,
        },
      };
    case 'durationRead': {
      const source: SourceType = action.video instanceof File ? 'FILE_UPLOAD' : 'PULL_FROM_URL';
      const current = source === 'FILE_UPLOAD' ? state.selectedFile : state.selectedMedia;
      const info = state.videos[source];
      if (current !== action.video || !info) return state;
      // A problem found earlier (not a video, too large) stands; otherwise the duration decides.
      const check = info.check.problem ? info.check : mergeChecks(info.check, action.check);
      return {
        ...state,
        videos: { ...state.videos, [source]: { durationSec: action.durationSec, checking: false, check } },
      };
    }
    case 'titleChanged':
      return { ...state, title: action.title, ...clear('title') };
    case 'privacyChanged': {
      const info = state.creatorInfo;
      if (action.privacyLevel !== null && info && !isPrivacyOffered(info, action.privacyLevel)) {
        return state;
      }
      // Branded content cannot be private (§11 point 3b): "Only me" is refused while it is checked.
      const branded = state.disclosure && state.brandedContent;
      if (isBrandedContentPrivate(branded, action.privacyLevel)) return state;
      return { ...state, privacyLevel: action.privacyLevel, ...clear('privacy') };
    }
    case 'interactionChanged':
      if (action.allowed && creatorDisabled(state.creatorInfo, action.interaction)) return state;
      return { ...state, [DISABLE_KEY[action.interaction]]: !action.allowed, ...clear('interactions') };
    case 'disclosureChanged':
      return action.on
        ? { ...state, disclosure: true, ...clear('disclosure') }
        : { ...state, disclosure: false, yourBrand: false, brandedContent: false, ...clear('disclosure') };
    case 'yourBrandChanged':
      if (!state.disclosure) return state;
      return { ...state, yourBrand: action.on, ...clear('disclosure') };
    case 'brandedContentChanged':
      if (!state.disclosure) return state;
      if (isBrandedContentPrivate(action.on, state.privacyLevel)) return state;
      return { ...state, brandedContent: action.on, ...clear('disclosure') };
    case 'aigcChanged':
      return { ...state, isAigc: action.on };
  }
}

/**
 * An earlier post's settings, applied as the user would make them, one edit after another, so
 * every rule of the form holds: a privacy level the creator no longer offers stays unchosen, an
 * interaction the creator turned off stays off, branded content never goes private. The video
 * itself is chosen again (a device file cannot be carried; a library video is matched by URL).
 */
function applyDraft(state: PublishState, draft: PublishDraft): PublishState {
  const s = draft.settings;
  const edits: EditAction[] = [
    { type: 'sourceChanged', source: draft.source },
    { type: 'titleChanged', title: s.title },
    { type: 'disclosureChanged', on: s.brand_organic_toggle || s.brand_content_toggle },
    { type: 'yourBrandChanged', on: s.brand_organic_toggle },
    { type: 'brandedContentChanged', on: s.brand_content_toggle },
    { type: 'privacyChanged', privacyLevel: s.privacy_level },
    { type: 'interactionChanged', interaction: 'comment', allowed: !s.disable_comment },
    { type: 'interactionChanged', interaction: 'duet', allowed: !s.disable_duet },
    { type: 'interactionChanged', interaction: 'stitch', allowed: !s.disable_stitch },
    { type: 'aigcChanged', on: s.is_aigc },
  ];
  const filled = edits.reduce(edit, state);
  return { ...filled, prefilledFrom: { fileName: draft.fileName, videoUrl: draft.videoUrl } };
}

/** The chosen video of the current source and its checks. */
export function currentVideo(state: PublishState): {
  chosen: File | MediaItem | null;
  info: VideoInfo | null;
} {
  return {
    chosen: state.source === 'FILE_UPLOAD' ? state.selectedFile : state.selectedMedia,
    info: state.videos[state.source],
  };
}

function mergeChecks(a: VideoCheck, b: VideoCheck): VideoCheck {
  const first = a.problem ? a : b;
  return {
    problem: first.problem,
    // A video that is refused needs no further warnings (one message, not two).
    warning: first.problem ? null : [a.warning, b.warning].filter(Boolean).join(' ') || null,
    ...(first.fix ? { fix: first.fix } : {}),
  };
}

/** Why Publish cannot be pressed now, in the order a user would fix them; empty when it can. */
export function publishBlockers(state: PublishState): string[] {
  const blockers: string[] = [];
  if (!state.creatorInfo) return ['Wait for the account details to load.'];
  const { chosen, info } = currentVideo(state);
  if (!chosen || !info) blockers.push('Choose a video to publish.');
  else if (info.checking) blockers.push('Checking the video…');
  else if (info.check.problem) blockers.push(info.check.fix ?? info.check.problem);
  if (titleLength(state.title) > TITLE_MAX_LENGTH) {
    blockers.push(`Shorten the caption to ${TITLE_MAX_LENGTH} characters or fewer.`);
  }
  if (!state.privacyLevel) blockers.push('Choose who can view this video.');
  if (isDisclosureChoiceMissing(state.disclosure, state.yourBrand, state.brandedContent)) {
    blockers.push(DISCLOSURE_CHOICE_REQUIRED);
  }
  return blockers;
}
