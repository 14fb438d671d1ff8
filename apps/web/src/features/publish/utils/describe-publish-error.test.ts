/**
 * The messages of seed §6 for the answers the API really gives: each case is provoked on the real
 * API (a 400 with its `message` array, a 413, a 404, a dropped connection), then described.
 */
import { MAX_VIDEO_BYTES } from '@cliprelay/contract';
import { commands } from '@vitest/browser/context';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../lib/api-error.ts';
import { signInFreshUser, testConfig } from '../../../testing/render-app.tsx';
import { describePublishError } from './describe-publish-error.ts';

/** POST /tiktok/publish/init as the app would, returning the API's error as the app sees it. */
async function initFails(body: Record<string, unknown>): Promise<ApiError> {
  const session = await signInFreshUser();
  const { accountId } = await commands.connectTikTokAccount(session.access_token);
  const res = await fetch(`${testConfig().apiBaseUrl}/tiktok/publish/init`, {
    method: 'POST',
    headers: { authorization: `Bearer ${session.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ socialAccountId: accountId, privacy_level: 'SELF_ONLY', ...body }),
  });
  expect(res.ok).toBe(false);
  return ApiError.fromResponse(res.status, await res.text());
}

describe('describePublishError, on the API’s real answers', () => {
  it('400: the message array becomes inline errors on the fields, not retryable', async () => {
    const error = await initFails({
      title: 'x'.repeat(151),
      privacy_level: 'EVERYBODY',
      source_type: 'PULL_FROM_URL',
      video_url: 'https://cdn.example.com/a.mp4',
    });
    expect(error.status).toBe(400);
    const failure = describePublishError(error);
    expect(failure.action).toBe('fix');
    expect(failure.fieldErrors.title).toBe('The caption must be at most 150 characters.');
    expect(failure.fieldErrors.privacy).toMatch(/^Who can view must be one of “Everyone”, /);
  });

  it('429 of our own (too many requests a minute): says so in the server’s words, try later', async () => {
    const session = await signInFreshUser();
    let res: Response | undefined;
    for (let i = 0; i < 40 && res?.status !== 429; i++) {
      res = await fetch(`${testConfig().apiBaseUrl}/tiktok/publish/init`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ source_type: 'PULL_FROM_URL' }),
      });
    }
    expect(res?.status).toBe(429);
    const failure = describePublishError(ApiError.fromResponse(429, await res!.text()));
    expect(failure.action).toBe('retry_later');
    expect(failure.message).toMatch(
      /^Too many requests: you can make \d+ of these a minute\. Try again in \d+ seconds\.$/,
    );
  });

  it('413: “Video file is too large. Maximum size is 4 GB.”, not retryable', async () => {
    const error = await initFails({ source_type: 'FILE_UPLOAD', video_size: MAX_VIDEO_BYTES + 1 });
    expect(error.status).toBe(413);
    const failure = describePublishError(error);
    expect(failure.message).toBe('Video file is too large. Maximum size is 4 GB.');
    expect(failure.action).toBe('fix');
    expect(failure.fieldErrors.video).toBe('Video file is too large. Maximum size is 4 GB.');
  });

  it('404: “TikTok account not connected”, pointing to the accounts screen', async () => {
    const session = await signInFreshUser();
    const res = await fetch(`${testConfig().apiBaseUrl}/tiktok/publish/init`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        socialAccountId: '00000000-0000-4000-8000-000000000000',
        privacy_level: 'SELF_ONLY',
        source_type: 'FILE_UPLOAD',
        video_size: 1000,
      }),
    });
    const failure = describePublishError(ApiError.fromResponse(res.status, await res.text()));
    expect(res.status).toBe(404);
    expect(failure.title).toBe('TikTok account not connected');
    expect(failure.action).toBe('accounts');
  });

  it('a dropped connection and anything unknown: “Try again”', () => {
    expect(describePublishError(ApiError.network(new TypeError('Failed to fetch'))).action).toBe('retry');
    const failure = describePublishError(new Error('boom'));
    expect(failure.message).toBe('Something went wrong. Please try again.');
    expect(failure.action).toBe('retry');
  });

  it('finds TikTok’s code in a message, as the seed’s patterns do', () => {
    const error = ApiError.fromResponse(
      500,
      JSON.stringify({
        statusCode: 500,
        message: 'TikTok said publish_failed for this video',
        code: 'INTERNAL',
      }),
    );
    expect(describePublishError(error).message).toMatch(/could not process this video/i);
  });

  it('an upload that stopped: the server’s own reason, with Try again (not “Something went wrong”)', () => {
    const reason =
      "TikTok's upload service did not accept the video after several attempts. Please try again in a few minutes.";
    for (const error of [
      new ApiError(500, 'UPLOAD_FAILED', reason, null),
      ApiError.fromResponse(
        410,
        JSON.stringify({
          statusCode: 410,
          error: 'Gone',
          message: reason,
          code: 'UPLOAD_ENDED',
          requestId: 'r1',
        }),
      ),
    ]) {
      const failure = describePublishError(error);
      expect(failure.message).toBe(reason);
      expect(failure.title).toBe('The video did not reach TikTok');
      expect(failure.action).toBe('retry');
    }
  });
});
