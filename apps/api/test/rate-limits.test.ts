/**
 * Our own limits, at their real values (RATE_LIMIT_SCALE 1; other suites raise it): a user's
 * write requests a minute (common/rate-limit.ts), uploads going at once, and TikTok's 6 inits a
 * minute per account checked before a file is taken (relay.service.ts, publish.service.ts). Each
 * answers 429 with `Retry-After` and a structured body, and TikTok is asked nothing more.
 */
import { MiB, type TestFile, testFilesDir, writeMp4 } from '@cliprelay/test-kit/videos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RATE_LIMITS } from '../src/common/rate-limit.ts';
import { MAX_UPLOADS_PER_USER } from '../src/relay/relay.service.ts';
import { body, init, initBody, tempFiles, upload, uploadForm } from './support/publish.ts';
import { outcomeOf, ReliabilityReport } from './support/reliability.ts';
import { type Stack, startStack } from './support/stack.ts';
import { connectedAccount } from './support/tiktok.ts';
import { tusCreate } from './support/tus.ts';

const report = new ReliabilityReport('rate-limits');

describe('per-user limits', () => {
  let stack: Stack;
  let files: Awaited<ReturnType<typeof testFilesDir>>;
  let video: TestFile;

  beforeAll(async () => {
    files = await testFilesDir();
    video = await writeMp4(files.dir, 'clip.mp4', { durationSec: 4, size: 2 * MiB });
    stack = await startStack({ sandbox: { activeUserCap: 10_000 }, env: { RATE_LIMIT_SCALE: '1' } });
  });
  afterAll(async () => {
    await report.write();
    await stack?.close();
    await files?.remove();
  });

  const inits = async () => (await stack.sandbox.calls()).video_init ?? 0;

  function expectLimited(res: Response, json: any, code: 'RATE_LIMITED' | 'TIKTOK_RATE_LIMITED') {
    expect(res.status, JSON.stringify(json)).toBe(429);
    expect(json).toMatchObject({ statusCode: 429, code, retryable: true });
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(json.retryAfterSec).toBe(retryAfter);
  }

  /** Files the answers of one flood: each status (and code) with its count. */
  async function recordAll(category: string, answers: Response[]) {
    for (const res of answers) report.record(category, outcomeOf(res.status, await body(res.clone())));
  }

  it(`a user with ${MAX_UPLOADS_PER_USER} uploads going is told to wait before the next one starts`, async () => {
    const who = await connectedAccount(stack, 'dev|alice', { private_account: true });
    const locations: string[] = [];
    for (let i = 0; i < MAX_UPLOADS_PER_USER; i++) {
      const created = await tusCreate(stack.apiUrl, who, 20 * MiB);
      expect(created.status, await created.clone().text()).toBe(201);
      locations.push(created.headers.get('location')!);
    }
    const before = await inits();
    const refused = await tusCreate(stack.apiUrl, who, 20 * MiB);
    const json = await body(refused);
    expectLimited(refused, json, 'RATE_LIMITED');
    expect(json.message).toMatch(/already have 3 uploads going/);
    expect(await inits()).toBe(before);
    report.record(`uploads going at once past ${MAX_UPLOADS_PER_USER}`, '201', MAX_UPLOADS_PER_USER);
    report.record(`uploads going at once past ${MAX_UPLOADS_PER_USER}`, outcomeOf(refused.status, json));

    // One is cancelled: there is room again.
    const del = await fetch(`${stack.apiUrl}${locations.pop()!}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${who.token}`, 'tus-resumable': '1.0.0' },
    });
    expect(del.status).toBe(204);
    const again = await tusCreate(stack.apiUrl, who, 20 * MiB);
    expect(again.status, await again.clone().text()).toBe(201);
    locations.push(again.headers.get('location')!);
    for (const location of locations) {
      await fetch(`${stack.apiUrl}${location}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${who.token}`, 'tus-resumable': '1.0.0' },
      });
    }
  });

  it('the seventh init a minute for one account is refused before TikTok, and before a file is taken', async () => {
    const { token, accountId } = await connectedAccount(stack, 'dev|alice', { private_account: true });
    // TikTok's budget is counted per clock minute: all seven in one.
    const second = new Date().getSeconds();
    if (second > 45) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
    const before = await inits();
    for (let i = 0; i < 6; i++) {
      const res = await init(stack, token, initBody(accountId));
      expect(res.status, JSON.stringify(await body(res))).toBe(200);
    }
    const seventh = await init(stack, token, initBody(accountId));
    const json = await body(seventh);
    expectLimited(seventh, json, 'TIKTOK_RATE_LIMITED');
    expect(json.message).toMatch(/6 new posts a minute/);
    // An upload too: refused from its fields, with nothing of the file kept.
    const refused = await upload(
      stack,
      token,
      accountId,
      await uploadForm(
        { title: 'eighth', privacy_level: 'SELF_ONLY', video_size: String(video.size) },
        video,
      ),
    );
    const refusedJson = await body(refused);
    expectLimited(refused, refusedJson, 'TIKTOK_RATE_LIMITED');
    expect(await tempFiles(stack.uploadTmpDir)).toEqual([]);
    expect(await inits()).toBe(before + 6);
    const category = "TikTok's 6 inits a minute per account, checked first";
    report.record(category, '200', 6);
    report.record(category, outcomeOf(seventh.status, json));
    report.record(category, outcomeOf(refused.status, refusedJson));
  });

  it(`publishing requests past ${RATE_LIMITS.publish} a minute get 429, valid or not; another user is not held back`, async () => {
    const alice = await stack.tokenFor('dev|alice');
    const answers: Response[] = [];
    for (let i = 0; i < RATE_LIMITS.publish + 5; i++) {
      // Invalid on purpose: a flood of bad requests is spent from the budget too.
      answers.push(await init(stack, alice, { source_type: 'PULL_FROM_URL' }));
    }
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 400).length).toBeGreaterThan(0);
    const firstLimited = statuses.indexOf(429);
    expect(firstLimited).toBeGreaterThan(0);
    expect(statuses.slice(firstLimited).every((s) => s === 429)).toBe(true);
    expectLimited(answers.at(-1)!.clone(), await body(answers.at(-1)!.clone()), 'RATE_LIMITED');
    await recordAll(`publishing requests past ${RATE_LIMITS.publish} a minute`, answers);

    const bob = await stack.tokenFor('dev|bob');
    expect((await init(stack, bob, { source_type: 'PULL_FROM_URL' })).status).toBe(400);
  });

  it(`starting TikTok's consent is limited to ${RATE_LIMITS.connect} a minute`, async () => {
    const bob = await stack.tokenFor('dev|bob');
    const answers: Response[] = [];
    for (let i = 0; i < RATE_LIMITS.connect + 1; i++) {
      answers.push(await stack.call('/tiktok/connect', { method: 'POST', token: bob }));
    }
    const statuses = answers.map((r) => r.status);
    await recordAll(`connects past ${RATE_LIMITS.connect} a minute`, answers);
    expect(statuses.slice(0, RATE_LIMITS.connect).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});
