import { TITLE_MAX_LENGTH, type CreatorInfoData, type MediaItem } from '@cliprelay/contract';
import { describe, expect, it } from 'vitest';
import type { PublishFailure } from './describe-publish-error.ts';
import {
  initialPublishState,
  isBusy,
  publishBlockers,
  publishReducer,
  type PublishAction,
  type PublishState,
} from './publish-state.ts';
import type { VideoCheck } from './video-checks.ts';

const OK: VideoCheck = { problem: null, warning: null };
const DISCLOSURE_BLOCKER = 'You need to indicate if your content promotes yourself, a third party, or both.';

function creatorInfo(overrides: Partial<CreatorInfoData> = {}): CreatorInfoData {
  return {
    privacy_level_options: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
    comment_disabled: false,
    duet_disabled: false,
    stitch_disabled: false,
    max_video_post_duration_sec: 600,
    creator_nickname: 'Mia Moves',
    creator_username: 'mia.moves',
    creator_avatar_url: 'https://cdn.example/mia.jpg',
    ...overrides,
  };
}

function mediaItem(overrides: Partial<MediaItem> = {}): MediaItem {
  return {
    id: 'm1',
    title: 'City walk',
    url: 'https://media.example/city-walk.mp4',
    size_bytes: 1_000_000,
    mime_type: 'video/mp4',
    duration_sec: 12,
    created_at: '2025-06-03T12:00:00Z',
    ...overrides,
  };
}

const videoFile = (name = 'clip.mp4') => new File([new Uint8Array(1024)], name, { type: 'video/mp4' });

function failure(overrides: Partial<PublishFailure> = {}): PublishFailure {
  return {
    title: 'Could not publish',
    message: 'Please fix the highlighted fields.',
    action: 'fix',
    retryable: false,
    fieldErrors: {},
    retryAfterSec: null,
    requestId: 'req-1',
    tiktokCode: null,
    ...overrides,
  };
}

const apply = (state: PublishState, ...actions: PublishAction[]) => actions.reduce(publishReducer, state);

/** Creator info loaded, a checked device video, an audience: Publish can be pressed. */
function readyToPublish(file = videoFile(), info = creatorInfo()): PublishState {
  return apply(
    initialPublishState,
    { type: 'creatorInfoLoaded', creatorInfo: info },
    { type: 'fileSelected', file, check: OK },
    { type: 'durationRead', video: file, durationSec: 12, check: OK },
    { type: 'titleChanged', title: 'Sunset run' },
    { type: 'privacyChanged', privacyLevel: 'MUTUAL_FOLLOW_FRIENDS' },
  );
}

describe('initial state', () => {
  it('has no audience chosen, every interaction off, no disclosure and no AI label', () => {
    expect(initialPublishState).toMatchObject({
      publishStatus: 'idle',
      privacyLevel: null,
      disableComment: true,
      disableDuet: true,
      disableStitch: true,
      disclosure: false,
      yourBrand: false,
      brandedContent: false,
      isAigc: false,
      uploadProgress: 0,
      fieldErrors: {},
    });
    expect(isBusy(initialPublishState)).toBe(false);
  });
});

describe('creator info', () => {
  it('drops a chosen audience the creator does not offer, and keeps one it does', () => {
    const chosen = apply(
      initialPublishState,
      { type: 'creatorInfoLoaded', creatorInfo: creatorInfo() },
      { type: 'privacyChanged', privacyLevel: 'PUBLIC_TO_EVERYONE' },
    );
    const narrower = creatorInfo({ privacy_level_options: ['FOLLOWER_OF_CREATOR', 'SELF_ONLY'] });
    expect(
      publishReducer(chosen, { type: 'creatorInfoLoaded', creatorInfo: narrower }).privacyLevel,
    ).toBeNull();
    expect(
      publishReducer(chosen, { type: 'creatorInfoLoaded', creatorInfo: creatorInfo() }).privacyLevel,
    ).toBe('PUBLIC_TO_EVERYONE');
  });

  it('forces off the interactions the creator disabled and leaves the others as the user set them', () => {
    const allowed = apply(
      initialPublishState,
      { type: 'creatorInfoLoaded', creatorInfo: creatorInfo() },
      { type: 'interactionChanged', interaction: 'comment', allowed: true },
      { type: 'interactionChanged', interaction: 'duet', allowed: true },
      { type: 'interactionChanged', interaction: 'stitch', allowed: true },
    );
    expect(allowed).toMatchObject({ disableComment: false, disableDuet: false, disableStitch: false });

    const next = publishReducer(allowed, {
      type: 'creatorInfoLoaded',
      creatorInfo: creatorInfo({ comment_disabled: true, stitch_disabled: true }),
    });
    expect(next).toMatchObject({ disableComment: true, disableDuet: false, disableStitch: true });
  });

  it('a failure to load clears the creator and keeps the reason', () => {
    const reason = failure({ message: 'This account cannot post right now.', action: 'retry_later' });
    const state = apply(
      initialPublishState,
      { type: 'creatorInfoLoaded', creatorInfo: creatorInfo() },
      { type: 'creatorInfoRequested' },
      { type: 'creatorInfoFailed', failure: reason },
    );
    expect(state).toMatchObject({ creatorInfo: null, creatorInfoLoading: false, creatorInfoError: reason });
  });
});

describe('form rules', () => {
  const loaded = (info = creatorInfo()) =>
    publishReducer(initialPublishState, { type: 'creatorInfoLoaded', creatorInfo: info });

  it('refuses an audience the creator does not offer', () => {
    const state = loaded(creatorInfo({ privacy_level_options: ['SELF_ONLY'] }));
    expect(publishReducer(state, { type: 'privacyChanged', privacyLevel: 'PUBLIC_TO_EVERYONE' })).toBe(state);
    expect(publishReducer(state, { type: 'privacyChanged', privacyLevel: 'SELF_ONLY' }).privacyLevel).toBe(
      'SELF_ONLY',
    );
  });

  it('refuses "Only me" while branded content is on, and branded content while "Only me" is chosen', () => {
    const branded = apply(
      loaded(),
      { type: 'disclosureChanged', on: true },
      { type: 'brandedContentChanged', on: true },
    );
    expect(branded.brandedContent).toBe(true);
    expect(publishReducer(branded, { type: 'privacyChanged', privacyLevel: 'SELF_ONLY' })).toBe(branded);

    const private_ = apply(
      loaded(),
      { type: 'privacyChanged', privacyLevel: 'SELF_ONLY' },
      { type: 'disclosureChanged', on: true },
    );
    expect(publishReducer(private_, { type: 'brandedContentChanged', on: true })).toBe(private_);
    // "Your brand" alone is fine with "Only me".
    expect(publishReducer(private_, { type: 'yourBrandChanged', on: true }).yourBrand).toBe(true);
  });

  it('turning the disclosure off clears both of its boxes', () => {
    const both = apply(
      loaded(),
      { type: 'disclosureChanged', on: true },
      { type: 'yourBrandChanged', on: true },
      { type: 'brandedContentChanged', on: true },
    );
    expect(both).toMatchObject({ disclosure: true, yourBrand: true, brandedContent: true });
    expect(publishReducer(both, { type: 'disclosureChanged', on: false })).toMatchObject({
      disclosure: false,
      yourBrand: false,
      brandedContent: false,
    });
  });

  it('cannot allow an interaction the creator disabled, but can allow the others', () => {
    const state = loaded(creatorInfo({ duet_disabled: true }));
    expect(publishReducer(state, { type: 'interactionChanged', interaction: 'duet', allowed: true })).toBe(
      state,
    );
    expect(
      publishReducer(state, { type: 'interactionChanged', interaction: 'comment', allowed: true })
        .disableComment,
    ).toBe(false);
  });

  it('ignores edits while uploading, while publishing and after success', () => {
    const uploading = publishReducer(readyToPublish(), { type: 'publishStarted' });
    const publishing = publishReducer(uploading, { type: 'uploadFinished' });
    const succeeded = publishReducer(publishing, { type: 'publishSucceeded', publishId: 'v_pub_file~v2.1' });
    const edits: PublishAction[] = [
      { type: 'titleChanged', title: 'Changed' },
      { type: 'privacyChanged', privacyLevel: 'SELF_ONLY' },
      { type: 'interactionChanged', interaction: 'comment', allowed: true },
      { type: 'disclosureChanged', on: true },
      { type: 'aigcChanged', on: true },
      { type: 'fileSelected', file: videoFile('other.mp4'), check: OK },
      { type: 'sourceChanged', source: 'PULL_FROM_URL' },
    ];
    for (const state of [uploading, publishing, succeeded]) {
      for (const action of edits) expect(publishReducer(state, action), action.type).toBe(state);
    }
  });
});

describe('publishing', () => {
  it('starts by uploading a device video, and straight at publishing a library video', () => {
    const fromDevice = publishReducer(readyToPublish(), { type: 'publishStarted' });
    expect(fromDevice.publishStatus).toBe('uploading');
    expect(isBusy(fromDevice)).toBe(true);

    const media = mediaItem();
    const fromLibrary = apply(
      readyToPublish(),
      { type: 'sourceChanged', source: 'PULL_FROM_URL' },
      { type: 'mediaSelected', media },
      { type: 'durationRead', video: media, durationSec: 12, check: OK },
      { type: 'publishStarted' },
    );
    expect(fromLibrary.publishStatus).toBe('publishing');
    expect(isBusy(fromLibrary)).toBe(true);
  });

  it('a second start while busy changes nothing', () => {
    const uploading = apply(
      readyToPublish(),
      { type: 'publishStarted' },
      { type: 'uploadProgressed', percent: 40 },
    );
    expect(publishReducer(uploading, { type: 'publishStarted' })).toBe(uploading);
  });

  it('upload progress only goes up, is rounded and stops at 100', () => {
    const progress = (...percents: number[]) =>
      apply(
        readyToPublish(),
        { type: 'publishStarted' },
        ...percents.map((percent): PublishAction => ({ type: 'uploadProgressed', percent })),
      ).uploadProgress;
    expect(progress(10.4)).toBe(10);
    expect(progress(10, 55, 30)).toBe(55);
    expect(progress(90, 140)).toBe(100);
  });

  it('ignores upload progress when not uploading', () => {
    const idle = readyToPublish();
    expect(publishReducer(idle, { type: 'uploadProgressed', percent: 50 })).toBe(idle);
  });

  it('moves from uploading to publishing once the bytes are sent, with a full bar', () => {
    const state = apply(
      readyToPublish(),
      { type: 'publishStarted' },
      { type: 'uploadProgressed', percent: 97 },
      { type: 'uploadFinished' },
    );
    expect(state).toMatchObject({ publishStatus: 'publishing', uploadProgress: 100 });
  });

  it('succeeds with the publish id', () => {
    const state = apply(
      readyToPublish(),
      { type: 'publishStarted' },
      { type: 'uploadFinished' },
      { type: 'publishSucceeded', publishId: 'v_pub_file~v2.1' },
    );
    expect(state).toMatchObject({ publishStatus: 'success', publishId: 'v_pub_file~v2.1' });
    expect(isBusy(state)).toBe(false);
  });

  it('cancelling goes back to idle with the file, caption and audience still there', () => {
    const file = videoFile();
    const ready = readyToPublish(file);
    const cancelled = apply(
      ready,
      { type: 'publishStarted' },
      { type: 'uploadProgressed', percent: 60 },
      { type: 'publishCancelled' },
    );
    expect(cancelled).toMatchObject({
      publishStatus: 'idle',
      uploadProgress: 0,
      selectedFile: file,
      title: 'Sunset run',
      privacyLevel: 'MUTUAL_FOLLOW_FRIENDS',
      creatorInfo: ready.creatorInfo,
    });
    expect(cancelled.selectedFile).toBe(file);
    expect(publishBlockers(cancelled)).toEqual([]);
  });

  it('a failure keeps every field, shows the field errors, and editing a field clears only its error', () => {
    const file = videoFile();
    const fieldErrors = {
      title: 'title must be shorter than or equal to 150 characters',
      privacy: 'privacy_level is not allowed for this account',
    };
    const failed = apply(
      readyToPublish(file),
      { type: 'publishStarted' },
      { type: 'publishFailed', failure: failure({ fieldErrors }) },
    );
    expect(failed).toMatchObject({
      publishStatus: 'error',
      errorMessage: 'Please fix the highlighted fields.',
      selectedFile: file,
      title: 'Sunset run',
      privacyLevel: 'MUTUAL_FOLLOW_FRIENDS',
      fieldErrors,
    });
    expect(isBusy(failed)).toBe(false);

    const retitled = publishReducer(failed, { type: 'titleChanged', title: 'Shorter' });
    expect(retitled.fieldErrors).toEqual({ privacy: fieldErrors.privacy });
    const fixed = publishReducer(retitled, { type: 'privacyChanged', privacyLevel: 'SELF_ONLY' });
    expect(fixed.fieldErrors).toEqual({});
  });

  it('trying again after a failure clears the error and starts over from the same fields', () => {
    const file = videoFile();
    const again = apply(
      readyToPublish(file),
      { type: 'publishStarted' },
      { type: 'publishFailed', failure: failure({ fieldErrors: { video: 'file is required' } }) },
      { type: 'publishStarted' },
    );
    expect(again).toMatchObject({
      publishStatus: 'uploading',
      errorMessage: null,
      failure: null,
      fieldErrors: {},
      selectedFile: file,
    });
  });

  it('starting over empties the form but keeps the creator and the source', () => {
    const info = creatorInfo({ creator_nickname: 'Leo Loops' });
    const state = apply(
      readyToPublish(videoFile(), info),
      { type: 'sourceChanged', source: 'PULL_FROM_URL' },
      { type: 'mediaSelected', media: mediaItem() },
      { type: 'publishStarted' },
      { type: 'publishSucceeded', publishId: 'v_pub_url~v2.1' },
      { type: 'startedOver' },
    );
    expect(state).toEqual({ ...initialPublishState, creatorInfo: info, source: 'PULL_FROM_URL' });
  });
});

describe('publishBlockers', () => {
  it('is empty when the form is ready', () => {
    expect(publishBlockers(readyToPublish())).toEqual([]);
  });

  it('asks to wait while the account details load', () => {
    expect(publishBlockers(initialPublishState)).toEqual(['Wait for the account details to load.']);
  });

  it('lists every reason, in the order a user would fix them', () => {
    const state = apply(
      initialPublishState,
      { type: 'creatorInfoLoaded', creatorInfo: creatorInfo() },
      { type: 'titleChanged', title: 'x'.repeat(TITLE_MAX_LENGTH + 1) },
      { type: 'disclosureChanged', on: true },
    );
    expect(publishBlockers(state)).toEqual([
      'Choose a video to publish.',
      `Shorten the caption to ${TITLE_MAX_LENGTH} characters or fewer.`,
      'Choose who can view this video.',
      DISCLOSURE_BLOCKER,
    ]);
  });

  it('says the video is being checked until its duration is read, then names its problem', () => {
    const file = videoFile();
    const checking = apply(readyToPublish(), { type: 'fileSelected', file, check: OK });
    expect(publishBlockers(checking)).toEqual(['Checking the video…']);

    const tooLong = 'This video is 12:00 long. This account can post videos up to 10:00.';
    const read = publishReducer(checking, {
      type: 'durationRead',
      video: file,
      durationSec: 720,
      check: { problem: tooLong, warning: null },
    });
    expect(publishBlockers(read)).toEqual([tooLong]);
  });

  it('names a problem found from the file itself, without waiting for a duration', () => {
    const notVideo = 'This file is not a video. Please choose a video file (MP4, MOV or WebM).';
    const state = publishReducer(readyToPublish(), {
      type: 'fileSelected',
      file: new File(['hello'], 'notes.txt', { type: 'text/plain' }),
      check: { problem: notVideo, warning: null },
    });
    expect(publishBlockers(state)).toEqual([notVideo]);
  });

  it('accepts a caption of exactly the maximum length', () => {
    const state = publishReducer(readyToPublish(), {
      type: 'titleChanged',
      title: 'x'.repeat(TITLE_MAX_LENGTH),
    });
    expect(publishBlockers(state)).toEqual([]);
  });

  it('needs a choice once the disclosure is on, and either choice is enough', () => {
    const disclosed = publishReducer(readyToPublish(), { type: 'disclosureChanged', on: true });
    expect(publishBlockers(disclosed)).toEqual([DISCLOSURE_BLOCKER]);
    expect(publishBlockers(publishReducer(disclosed, { type: 'yourBrandChanged', on: true }))).toEqual([]);
    expect(publishBlockers(publishReducer(disclosed, { type: 'brandedContentChanged', on: true }))).toEqual(
      [],
    );
  });

  it('looks at the video of the current source only', () => {
    const library = publishReducer(readyToPublish(), { type: 'sourceChanged', source: 'PULL_FROM_URL' });
    expect(publishBlockers(library)).toEqual(['Choose a video to publish.']);
  });
});

describe('a refused video, said once', () => {
  it('lists a short fix among the blockers, the full message staying with the video', () => {
    const file = videoFile();
    const checking = apply(readyToPublish(), { type: 'fileSelected', file, check: OK });
    const refused = publishReducer(checking, {
      type: 'durationRead',
      video: file,
      durationSec: null,
      check: {
        problem: 'This file is not a video. Please choose a video file (MP4, MOV or WebM).',
        warning: null,
        fix: 'Choose a video file: this one is not a video.',
      },
    });
    expect(publishBlockers(refused)).toEqual(['Choose a video file: this one is not a video.']);
    expect(refused.videos.FILE_UPLOAD?.check.warning).toBeNull();
  });
});

describe('Cancel', () => {
  it('remembers whether it came before the video reached us (nothing posted) or after', () => {
    const uploading = publishReducer(readyToPublish(), { type: 'publishStarted' });
    expect(publishReducer(uploading, { type: 'publishCancelled' }).cancelledDuring).toBe('uploading');
    const publishing = publishReducer(uploading, { type: 'uploadFinished' });
    const late = publishReducer(publishing, { type: 'publishCancelled' });
    expect(late.cancelledDuring).toBe('publishing');
    // The next publish clears the notice.
    expect(publishReducer(late, { type: 'publishStarted' }).cancelledDuring).toBeNull();
  });
});

describe('an earlier post’s settings (Try again with the same settings)', () => {
  const draft = {
    socialAccountId: 'a1',
    source: 'PULL_FROM_URL' as const,
    videoUrl: 'https://media.example/city-walk.mp4',
    fileName: null,
    settings: {
      title: 'Beach day',
      privacy_level: 'FOLLOWER_OF_CREATOR' as const,
      disable_comment: false,
      disable_duet: false,
      disable_stitch: true,
      brand_organic_toggle: true,
      brand_content_toggle: false,
      is_aigc: true,
    },
  };

  it('fills the form through its rules: no privacy TikTok no longer offers, nothing the creator turned off', () => {
    const loaded = publishReducer(initialPublishState, {
      type: 'creatorInfoLoaded',
      creatorInfo: creatorInfo({ duet_disabled: true }),
    });
    const filled = publishReducer(loaded, { type: 'draftApplied', draft });
    expect(filled.source).toBe('PULL_FROM_URL');
    expect(filled.title).toBe('Beach day');
    // FOLLOWER_OF_CREATOR is not among this creator's options: left for the user to choose.
    expect(filled.privacyLevel).toBeNull();
    expect(filled.disableComment).toBe(false);
    expect(filled.disableDuet).toBe(true);
    expect(filled.disableStitch).toBe(true);
    expect([filled.disclosure, filled.yourBrand, filled.brandedContent]).toEqual([true, true, false]);
    expect(filled.isAigc).toBe(true);
    expect(filled.prefilledFrom).toEqual({ fileName: null, videoUrl: draft.videoUrl });
  });

  it('keeps an allowed privacy level, and waits for creator info before applying anything', () => {
    expect(publishReducer(initialPublishState, { type: 'draftApplied', draft })).toBe(initialPublishState);
    const loaded = publishReducer(initialPublishState, {
      type: 'creatorInfoLoaded',
      creatorInfo: creatorInfo(),
    });
    const allowed = { ...draft, settings: { ...draft.settings, privacy_level: 'SELF_ONLY' as const } };
    expect(publishReducer(loaded, { type: 'draftApplied', draft: allowed }).privacyLevel).toBe('SELF_ONLY');
  });
});
