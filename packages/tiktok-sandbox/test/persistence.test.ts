import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../src/index.ts';
import {
  CLIENT_KEY,
  CLIENT_SECRET,
  REDIRECT_URI,
  control,
  createCreator,
  fetchStatus,
  initFileUpload,
  issueToken,
  mp4Bytes,
  oauthToken,
  putChunk,
  sha256,
  tiktokPost,
  waitForFinalStatus,
} from './helpers.ts';

let dir = '';
let running: RunningSandbox | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function start(stateFile: string): Promise<RunningSandbox> {
  running = await startSandbox({
    port: 0,
    clientKey: CLIENT_KEY,
    clientSecret: CLIENT_SECRET,
    redirectUri: [REDIRECT_URI],
    processingDelayMs: 0,
    stateFile,
    creators: [{ nickname: 'Seeded Once', private_account: true }],
  });
  return running;
}

describe('stateFile: a restart keeps what TikTok would remember (used by npm start)', () => {
  it('keeps creators, tokens, finished posts and an unfinished upload that can be completed', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandbox-state-'));
    const stateFile = join(dir, 'state.json');
    const video = mp4Bytes({ durationSec: 5, size: 12 * 1024 * 1024 });
    const chunk = 5 * 1024 * 1024;

    let sandbox = await start(stateFile);
    const creator = await createCreator(sandbox.url, { nickname: 'Kept', private_account: true });
    const tokens = await issueToken(sandbox.url, creator.open_id, 'user.info.basic,video.publish');
    const small = mp4Bytes({ durationSec: 3, size: 4096 });
    const done = await initFileUpload(sandbox.url, tokens.access_token, {
      video_size: 4096,
      chunk_size: 4096,
      total_chunk_count: 1,
    });
    expect((await putChunk(done.json.data!.upload_url, small, 0, 4096)).status).toBe(201);
    await waitForFinalStatus(sandbox.url, tokens.access_token, done.json.data!.publish_id);
    const open = await initFileUpload(sandbox.url, tokens.access_token, {
      video_size: video.length,
      chunk_size: chunk,
      total_chunk_count: 2,
    });
    const { publish_id, upload_url } = open.json.data!;
    const firstUrl = sandbox.url;
    expect((await putChunk(upload_url, video.subarray(0, chunk), 0, video.length)).status).toBe(206);
    await sandbox.close();

    sandbox = await start(stateFile);
    const creators = (
      await control<{ data: { nickname: string }[] }>(sandbox.url, 'GET', '/_sandbox/creators')
    ).json.data;
    expect(creators.map((c) => c.nickname).sort()).toEqual(['Kept', 'Seeded Once']);
    const status = await fetchStatus(sandbox.url, tokens.access_token, done.json.data!.publish_id);
    expect((status.json as any).data.status).toBe('PUBLISH_COMPLETE');
    const refreshed = await oauthToken(sandbox.url, {
      client_key: CLIENT_KEY,
      client_secret: CLIENT_SECRET,
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    const fresh = refreshed.json.access_token as string;

    // The upload goes on where it stopped (port 0 moved the sandbox; npm start keeps its port);
    // the assembled video is byte-for-byte the original.
    const resumedUrl = upload_url.replace(firstUrl, sandbox.url);
    const last = await putChunk(resumedUrl, video.subarray(chunk), chunk, video.length);
    expect(last.status).toBe(201);
    const final = await waitForFinalStatus(sandbox.url, fresh, publish_id);
    expect((final.json as any).data.status).toBe('PUBLISH_COMPLETE');
    const received = await control(
      sandbox.url,
      'GET',
      `/_sandbox/publishes/${encodeURIComponent(publish_id)}`,
    );
    expect(received.json.sha256).toBe(sha256(video));
  });

  it('starts empty after a reset, and the rotated refresh token stays dead across the restart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandbox-state-'));
    const stateFile = join(dir, 'state.json');
    let sandbox = await start(stateFile);
    const creator = await createCreator(sandbox.url);
    const tokens = await issueToken(sandbox.url, creator.open_id);
    const form = { client_key: CLIENT_KEY, client_secret: CLIENT_SECRET, grant_type: 'refresh_token' };
    expect((await oauthToken(sandbox.url, { ...form, refresh_token: tokens.refresh_token })).status).toBe(
      200,
    );
    await sandbox.close();

    sandbox = await start(stateFile);
    const again = await oauthToken(sandbox.url, { ...form, refresh_token: tokens.refresh_token });
    expect(again.json.error).toBe('invalid_grant');
    await control(sandbox.url, 'POST', '/_sandbox/reset');
    await sandbox.close();

    sandbox = await start(stateFile);
    const creators = (await control<{ data: unknown[] }>(sandbox.url, 'GET', '/_sandbox/creators')).json.data;
    expect(creators).toEqual([]);
    const info = await tiktokPost(sandbox.url, '/v2/post/publish/creator_info/query/', tokens.access_token);
    expect(info.json.error.code).toBe('access_token_invalid');
  });
});
