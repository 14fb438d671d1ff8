/**
 * The typed control client against a real sandbox: each method reaches its route and gives back
 * what the route answers; a refused call throws SandboxControlError with the status and message.
 */
import { describe, expect, it } from 'vitest';
import { SandboxControl, SandboxControlError } from '../src/index.ts';
import {
  REDIRECT_URI,
  CLIENT_KEY,
  initFileUpload,
  mp4Bytes,
  sha256,
  uploadAll,
  useSandbox,
  waitForFinalStatus,
} from './helpers.ts';

const env = useSandbox();
const control = () => new SandboxControl(env.url);

describe('SandboxControl', () => {
  it('creates, lists and updates creators', async () => {
    const created = await control().createCreator({ nickname: 'Typed Tess', private_account: true });
    expect(created).toMatchObject({ nickname: 'Typed Tess', private_account: true, banned: false });
    const updated = await control().updateCreator(created.open_id, { nickname: 'Tess Again' });
    expect(updated.nickname).toBe('Tess Again');
    expect((await control().creators()).map((c) => c.open_id)).toEqual([created.open_id]);
  });

  it('issues tokens without the consent page and lists them with their state', async () => {
    const { open_id } = await control().createCreator();
    const issued = await control().issueTokens(open_id, { scope: 'user.info.basic,video.publish' });
    expect(issued).toMatchObject({ open_id, token_type: 'Bearer', scope: 'user.info.basic,video.publish' });
    const tokens = await control().tokens(open_id);
    expect(tokens.map((t) => [t.type, t.state]).sort()).toEqual([
      ['access', 'active'],
      ['refresh', 'active'],
    ]);
  });

  it('answers consent as the page would redirect', async () => {
    const { open_id } = await control().createCreator();
    const authorize = new URL(`${env.url}/v2/auth/authorize/`);
    authorize.search = new URLSearchParams({
      client_key: CLIENT_KEY,
      response_type: 'code',
      scope: 'user.info.basic,video.publish',
      redirect_uri: REDIRECT_URI,
      state: 'typed-state',
    }).toString();
    const { redirect_to } = await control().consent({
      authorize_url: authorize.toString(),
      open_id,
      approve: true,
    });
    const back = new URL(redirect_to);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
    expect(back.searchParams.get('state')).toBe('typed-state');
    expect(back.searchParams.get('code')).toEqual(expect.any(String));
  });

  it('queues, lists and clears faults, and moves the clock', async () => {
    const fault = await control().addFault({
      endpoint: 'video_init',
      error_code: 'rate_limit_exceeded',
      count: 2,
    });
    expect(fault).toMatchObject({ endpoint: 'video_init', error_code: 'rate_limit_exceeded', remaining: 2 });
    expect(await control().faults()).toHaveLength(1);
    await control().clearFaults();
    expect(await control().faults()).toEqual([]);
    const before = await control().clock();
    const after = await control().advanceClock(3600);
    expect(after.getTime() - before.getTime()).toBeGreaterThanOrEqual(3600_000);
    expect(await control().publishes()).toEqual([]);
  });

  it('shows what TikTok received for a publish: the record, the list and the assembled bytes', async () => {
    const { open_id } = await control().createCreator({ private_account: true });
    const { access_token } = await control().issueTokens(open_id);
    const bytes = mp4Bytes({ durationSec: 5, size: 4096 });
    const init = await initFileUpload(env.url, access_token, {
      video_size: 4096,
      chunk_size: 4096,
      total_chunk_count: 1,
    });
    const { publish_id, upload_url } = init.json.data!;
    await expect(control().publishVideo(publish_id)).rejects.toMatchObject({
      status: 404,
      detail: 'no complete video for this publish',
    });
    await uploadAll(upload_url, bytes, 4096);
    await waitForFinalStatus(env.url, access_token, publish_id);

    const received = await control().publish(publish_id);
    expect(received).toMatchObject({
      publish_id,
      open_id,
      source: 'FILE_UPLOAD',
      status: 'PUBLISH_COMPLETE',
      fail_reason: null,
      received_bytes: 4096,
      sha256: sha256(bytes),
    });
    expect(await control().publishes()).toEqual([received]);
    expect(Buffer.from(await control().publishVideo(publish_id)).equals(bytes)).toBe(true);
  });

  it('reset forgets creators and faults', async () => {
    await control().createCreator();
    await control().addFault({ endpoint: 'token', reset: true });
    await control().reset();
    expect(await control().creators()).toEqual([]);
    expect(await control().faults()).toEqual([]);
  });

  it('is on startSandbox’s result as `control`, reaching the same sandbox', async () => {
    const { open_id } = await env.sandbox.control.createCreator({ nickname: 'In Process' });
    expect((await control().creators()).map((c) => c.open_id)).toEqual([open_id]);
  });

  it('throws SandboxControlError with the status and the sandbox’s message', async () => {
    const missing = control().publish('v_pub_file~v2-1.0000000000000000000');
    await expect(missing).rejects.toBeInstanceOf(SandboxControlError);
    await expect(missing).rejects.toMatchObject({ status: 404, detail: 'no such publish' });
    await expect(control().updateCreator('nobody', { banned: true })).rejects.toMatchObject({
      status: 404,
      detail: 'no such creator',
    });
    // @ts-expect-error: not an endpoint the sandbox knows; the sandbox refuses it too
    const bad = control().addFault({ endpoint: 'nowhere' });
    await expect(bad).rejects.toBeInstanceOf(SandboxControlError);
    await expect(bad).rejects.toMatchObject({ status: 400, detail: expect.stringMatching(/^endpoint: /) });
  });
});
