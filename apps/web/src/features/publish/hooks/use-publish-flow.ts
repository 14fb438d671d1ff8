/**
 * The publish screen's behaviour around its reducer: creator info on entry, the video checks,
 * publishing by either path with progress, Cancel (an AbortController on the request), Resume
 * after a lost connection (a resumable upload), Try again (the same state re-submitted), and
 * aborting an upload when the user leaves the screen.
 */
import { useQueryClient } from '@tanstack/react-query';
import type { MediaItem } from '@cliprelay/contract';
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { ApiError, isAbortError } from '../../../lib/api-error.ts';
import { useApiClient } from '../../../lib/api-context.tsx';
import type { PublishDraft } from '../../../lib/publish-draft.ts';
import { creatorInfoQuery } from '../api/get-creator-info.ts';
import { mediaLibraryQuery } from '../api/get-media.ts';
import { postFields, publishFromUrl, ResumablePublish } from '../api/publish-video.ts';
import { describePublishError } from '../utils/describe-publish-error.ts';
import {
  initialPublishState,
  isBusy,
  publishBlockers,
  publishReducer,
  type PublishState,
} from '../utils/publish-state.ts';
import { checkContents, checkDuration, readVideoDuration } from '../utils/video-checks.ts';

export function usePublishFlow(socialAccountId: string, draft: PublishDraft | null = null) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  const [state, dispatch] = useReducer(publishReducer, initialPublishState);
  const requestRef = useRef<AbortController | null>(null);
  const resumableRef = useRef<ResumablePublish | null>(null);
  // One Idempotency-Key per submit: a Try again (or a resend after Cancel) of the same video and
  // settings reuses it, anything else is a new submit with a new key.
  const submitRef = useRef<{ fingerprint: string; key: string } | null>(null);

  const loadCreatorInfo = useCallback(() => {
    let current = true;
    dispatch({ type: 'creatorInfoRequested' });
    queryClient.fetchQuery(creatorInfoQuery(api, socialAccountId)).then(
      (creatorInfo) => {
        if (current) dispatch({ type: 'creatorInfoLoaded', creatorInfo });
      },
      (error: unknown) => {
        if (current) dispatch({ type: 'creatorInfoFailed', failure: describePublishError(error) });
      },
    );
    return () => {
      current = false;
    };
  }, [api, queryClient, socialAccountId]);

  useEffect(loadCreatorInfo, [loadCreatorInfo]);

  // "Try again with the same settings": once creator info is here (it decides what is allowed),
  // the earlier post's settings are applied, and its library video chosen again if still there.
  const draftRef = useRef(draft?.socialAccountId === socialAccountId ? draft : null);
  const hasCreatorInfo = state.creatorInfo !== null;
  useEffect(() => {
    const pending = draftRef.current;
    if (!pending || !hasCreatorInfo) return;
    draftRef.current = null;
    dispatch({ type: 'draftApplied', draft: pending });
    const url = pending.source === 'PULL_FROM_URL' ? pending.videoUrl : null;
    if (!url) return;
    queryClient.fetchQuery(mediaLibraryQuery(api)).then(
      (items) => {
        const media = items.find((m) => m.url === url);
        if (media) dispatch({ type: 'mediaSelected', media });
      },
      () => undefined, // The library shows its own error; the user chooses the video.
    );
  }, [api, hasCreatorInfo, queryClient]);

  // Leaving the screen cancels an upload in flight (the API cleans up its temp file).
  useEffect(() => () => requestRef.current?.abort(), []);

  useVideoDuration(state, dispatch);

  const publish = useCallback(() => {
    if (isBusy(state) || publishBlockers(state).length > 0) return;
    const controller = new AbortController();
    requestRef.current = controller;
    dispatch({ type: 'publishStarted' });
    const fingerprint = submitFingerprint(socialAccountId, state);
    if (submitRef.current?.fingerprint !== fingerprint) {
      submitRef.current = { fingerprint, key: crypto.randomUUID() };
    }
    const idempotencyKey = submitRef.current.key;
    const resumable =
      state.source === 'FILE_UPLOAD' && state.selectedFile
        ? new ResumablePublish(api, socialAccountId, state, state.selectedFile, idempotencyKey, {
            onSent: (percent) => dispatch({ type: 'uploadProgressed', percent }),
            onAccepted: (percent) => dispatch({ type: 'tiktokProgressed', percent }),
            onAllSent: () => dispatch({ type: 'uploadFinished' }),
            onConnectionLost: (percent) => dispatch({ type: 'connectionLost', percent }),
          })
        : null;
    resumableRef.current = resumable;
    if (resumable) controller.signal.addEventListener('abort', () => void resumable.cancel(), { once: true });
    const request = resumable
      ? resumable.done
      : publishFromUrl(
          api,
          socialAccountId,
          state,
          state.selectedMedia?.url ?? '',
          controller.signal,
          idempotencyKey,
        );
    void request
      .then(
        (data) => {
          submitRef.current = null;
          dispatch({ type: 'publishSucceeded', publishId: data.publish_id });
        },
        (error: unknown) => {
          if (isAbortError(error)) {
            dispatch({ type: 'publishCancelled' });
            return;
          }
          // The server cannot tell whether this submit became a post (it restarted before TikTok
          // answered) and will never run it again: a further try is a new submit, with a new key.
          if (
            error instanceof ApiError &&
            error.code === 'IDEMPOTENCY_KEY_IN_USE' &&
            error.body?.retryable === false
          ) {
            submitRef.current = null;
          }
          const failure = describePublishError(error);
          dispatch({ type: 'publishFailed', failure });
          // The creator's privacy options changed since the form loaded: offer the current ones.
          if (failure.fieldErrors.privacy) loadCreatorInfo();
        },
      )
      .finally(() => {
        if (requestRef.current === controller) requestRef.current = null;
        if (resumableRef.current === resumable) resumableRef.current = null;
      });
  }, [api, loadCreatorInfo, socialAccountId, state]);

  const cancel = useCallback(() => requestRef.current?.abort(), []);
  /** After a lost connection: sends the rest of the video, from where the server stopped. */
  const resume = useCallback(() => {
    dispatch({ type: 'resumed' });
    resumableRef.current?.resume();
  }, []);
  const startOver = useCallback(() => dispatch({ type: 'startedOver' }), []);
  const dismissCancelNotice = useCallback(() => dispatch({ type: 'cancelNoticeDismissed' }), []);

  return {
    state,
    dispatch,
    publish,
    cancel,
    resume,
    startOver,
    dismissCancelNotice,
    reloadCreatorInfo: loadCreatorInfo,
  };
}

/** What makes two submits the same one: the account, the video and every post setting. */
function submitFingerprint(socialAccountId: string, state: PublishState): string {
  const file = state.selectedFile;
  const video =
    state.source === 'FILE_UPLOAD' && file
      ? { file: [file.name, file.size, file.lastModified] }
      : { url: state.selectedMedia?.url ?? null };
  return JSON.stringify({ socialAccountId, source: state.source, video, fields: postFields(state) });
}

/** Reads the chosen video's duration (a <video> element's loadedmetadata) and checks it. */
function useVideoDuration(
  state: PublishState,
  dispatch: (action: Parameters<typeof publishReducer>[1]) => void,
) {
  const maxSec = state.creatorInfo?.max_video_post_duration_sec ?? null;
  const file = state.selectedFile;
  const media = state.selectedMedia;
  const fileChecking = state.videos.FILE_UPLOAD?.checking ?? false;
  const mediaChecking = state.videos.PULL_FROM_URL?.checking ?? false;

  useDurationCheck(file, fileChecking, maxSec, dispatch);
  useDurationCheck(media, mediaChecking, maxSec, dispatch);
}

/**
 * Checks one chosen video once, while its check is pending: a device file's first bytes, then the
 * duration; reports the result.
 */
function useDurationCheck(
  video: File | MediaItem | null,
  checking: boolean,
  maxSec: number | null,
  dispatch: (action: Parameters<typeof publishReducer>[1]) => void,
) {
  useEffect(() => {
    if (!video || !checking || maxSec === null) return;
    let current = true;
    void (async () => {
      // A device file must first be a video at all: its first bytes say (a renamed text file is not).
      const contents = video instanceof File ? await checkContents(video) : null;
      if (contents?.problem) {
        if (current) dispatch({ type: 'durationRead', video, durationSec: null, check: contents });
        return;
      }
      const durationSec = await durationOf(video);
      if (current) {
        dispatch({ type: 'durationRead', video, durationSec, check: checkDuration(durationSec, maxSec) });
      }
    })();
    return () => {
      current = false;
    };
  }, [video, checking, maxSec, dispatch]);
}

/** A device file's duration from its bytes; a library item's from the library, else from its URL. */
async function durationOf(video: File | MediaItem): Promise<number | null> {
  if (!(video instanceof File)) return video.duration_sec ?? readVideoDuration(video.url);
  const url = URL.createObjectURL(video);
  try {
    return await readVideoDuration(url);
  } finally {
    URL.revokeObjectURL(url);
  }
}
