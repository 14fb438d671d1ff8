import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../src/config/config.ts';
import { APP_CONFIG } from '../src/config/config.module.ts';
import { expireAccessTokenLocally, forgetCreatorInfo } from './support/db.ts';
import { consent, followCallback, outcomeOf, sandboxTokens, startConnect } from './support/oauth.ts';
import { type JsonResponse, type Stack, startStack } from './support/stack.ts';
import { connectViaOAuth, createCreator } from './support/tiktok.ts';
import { recordApiTraffic, type RecordedResponse } from './support/traffic.ts';

const WEB_ORIGIN = 'http://localhost:5173';

describe('security', () => {
  let stack: Stack;
  let config: AppConfig;
  let traffic: { responses: RecordedResponse[]; stop(): void };
  let alice: string;
  let bob: string;
  let aliceAccount: string;
  /** OAuth authorization codes TikTok sent to our callback. */
  const codes: string[] = [];

  beforeAll(async () => {
    stack = await startStack();
    config = stack.api.app.get<symbol, AppConfig>(APP_CONFIG);
    traffic = recordApiTraffic(stack.apiUrl);
    alice = await stack.tokenFor('dev|alice');
    bob = await stack.tokenFor('dev|bob');
    const { open_id } = await createCreator(stack, { nickname: 'Alice' });
    const callback = await consent(stack, await startConnect(stack, alice), open_id);
    codes.push(callback.searchParams.get('code')!);
    aliceAccount = outcomeOf((await followCallback(callback)).location).account!;
    expect(aliceAccount).toBeTruthy();
  });
  afterAll(async () => {
    traffic?.stop();
    await stack?.close();
  });

  const errorOf = async (res: JsonResponse) => ({ status: res.status, body: await res.json() });

  it('another user’s account id is a 404 on creator info and on delete, never a 403', async () => {
    const info = await errorOf(await stack.call(`/tiktok/creator-info/${aliceAccount}`, { token: bob }));
    expect(info).toMatchObject({ status: 404, body: { code: 'ACCOUNT_NOT_FOUND' } });
    const del = await errorOf(
      await stack.call(`/social-accounts/${aliceAccount}`, { method: 'DELETE', token: bob }),
    );
    expect(del).toMatchObject({ status: 404, body: { code: 'ACCOUNT_NOT_FOUND' } });
    // Indistinguishable from an id that does not exist.
    const unknown = await errorOf(await stack.call(`/tiktok/creator-info/${randomUUID()}`, { token: bob }));
    expect(unknown.body.message).toBe(info.body.message);
    expect((await creatorInfoFromTikTok()).status).toBe(200);
  });

  it.each(['not-a-uuid', '123', "1' OR '1'='1", '%00', 'a'.repeat(300), `${randomUUID()}x`])(
    'a malformed account id (%s) is a 404, not a 500',
    async (id) => {
      const path = encodeURIComponent(id);
      const info = await errorOf(await stack.call(`/tiktok/creator-info/${path}`, { token: alice }));
      expect(info).toMatchObject({ status: 404, body: { code: 'ACCOUNT_NOT_FOUND' } });
      const del = await errorOf(
        await stack.call(`/social-accounts/${path}`, { method: 'DELETE', token: alice }),
      );
      expect(del).toMatchObject({ status: 404, body: { code: 'ACCOUNT_NOT_FOUND' } });
    },
  );

  it('CORS lets the web app’s origin call the API with a bearer token', async () => {
    const res = await stack.call('/social-accounts', {
      method: 'OPTIONS',
      headers: {
        origin: WEB_ORIGIN,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get('access-control-allow-origin')).toBe(WEB_ORIGIN);
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    const preflightDelete = await stack.call(`/social-accounts/${aliceAccount}`, {
      method: 'OPTIONS',
      headers: { origin: WEB_ORIGIN, 'access-control-request-method': 'DELETE' },
    });
    expect(preflightDelete.headers.get('access-control-allow-origin')).toBe(WEB_ORIGIN);
    expect(preflightDelete.headers.get('access-control-allow-methods')).toContain('DELETE');
    // The SPA can read our errors and their request id.
    const denied = await stack.call('/social-accounts', { headers: { origin: WEB_ORIGIN } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(WEB_ORIGIN);
    expect(denied.headers.get('access-control-expose-headers')).toMatch(/X-Request-Id/i);
  });

  it('CORS does not let another origin call the API', async () => {
    const res = await stack.call('/social-accounts', {
      method: 'OPTIONS',
      headers: {
        origin: 'http://evil.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const get = await stack.call('/social-accounts', {
      token: alice,
      headers: { origin: 'http://evil.example' },
    });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('/docs serves the OpenAPI page and /docs/openapi.json lists our endpoints', async () => {
    const page = await stack.call('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/swagger/i);
    const doc = await (await stack.call('/docs/openapi.json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/social-accounts',
        '/social-accounts/{id}',
        '/tiktok/connect',
        '/tiktok/oauth/callback',
        '/tiktok/creator-info/{socialAccountId}',
        '/tiktok/publish/init',
        '/tiktok/publish/upload/{socialAccountId}',
        '/tiktok/publish/status/{publishId}',
        '/tiktok/posts',
        '/media',
      ]),
    );
    expect(doc.components?.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('/health says the API is up and so is the database', async () => {
    const res = await stack.call('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, data: { status: 'ok', database: 'up' } });
  });

  it('echoes a sane X-Request-Id from the caller and replaces an unsafe one', async () => {
    const mine = await stack.call('/health', { headers: { 'x-request-id': 'web-1234abcd' } });
    expect(mine.headers.get('x-request-id')).toBe('web-1234abcd');
    const unsafe = await stack.call('/social-accounts', {
      headers: { 'x-request-id': '<script>alert(1)</script>' },
    });
    const id = unsafe.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await unsafe.json()).requestId).toBe(id);
  });

  it('errors of every kind answer in our error shape', async () => {
    const unknownRoute = await errorOf(await stack.call('/no-such-route', { token: alice }));
    expect(unknownRoute).toMatchObject({ status: 404, body: { statusCode: 404, error: 'Not Found' } });
    const badJson = await errorOf(
      await stack.call('/media', {
        method: 'POST',
        token: alice,
        body: '{"title":',
        headers: { 'content-type': 'application/json' },
      }),
    );
    // VALIDATION_FAILED always carries field messages as an array (the contract; the SPA maps them).
    expect(badJson).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', message: [expect.any(String)] },
    });
    const huge = await errorOf(
      await stack.call('/media', { method: 'POST', token: alice, json: { title: 'x'.repeat(200_000) } }),
    );
    // Not a video: the SPA must not say "Video file is too large".
    expect(huge).toMatchObject({ status: 413, body: { statusCode: 413, code: 'REQUEST_TOO_LARGE' } });
    const invalid = await errorOf(
      await stack.call('/media', { method: 'POST', token: alice, json: { nope: 1 } }),
    );
    expect(invalid).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', message: expect.any(Array) },
    });
  });

  /** Alice's creator info, past the API's short window, so that TikTok is asked each time. */
  async function creatorInfoFromTikTok(): Promise<JsonResponse> {
    await forgetCreatorInfo(stack, aliceAccount);
    return stack.call(`/tiktok/creator-info/${aliceAccount}`, { token: alice });
  }

  it('runs the token flows: refreshes, failed connects, reconnection and disconnection', async () => {
    // Refresh because TikTok's clock says the token expired, because TikTok refused it, and
    // because our own record says it is about to expire.
    const { open_id: openId } = (await stack.call('/social-accounts', { token: alice }).then((r) => r.json()))
      .data[0];
    await stack.sandbox.advanceClock(7201);
    expect((await creatorInfoFromTikTok()).status).toBe(200);
    await stack.sandbox.addFault({
      endpoint: 'creator_info',
      http_status: 401,
      error_code: 'access_token_invalid',
      open_id: openId,
    });
    expect((await creatorInfoFromTikTok()).status).toBe(200);
    await expireAccessTokenLocally(stack, aliceAccount);
    expect((await creatorInfoFromTikTok()).status).toBe(200);
    // A TikTok refusal is logged with TikTok's code.
    await stack.sandbox.addFault({
      endpoint: 'creator_info',
      error_code: 'spam_risk_too_many_posts',
      open_id: openId,
    });
    const refused = await creatorInfoFromTikTok();
    expect((await refused.json()).tiktok.code).toBe('spam_risk_too_many_posts');
    const logged = stack.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'tiktok refused');
    expect(logged?.tiktok).toMatchObject({ code: 'spam_risk_too_many_posts', logId: expect.any(String) });

    // Denied, missing scopes, replayed.
    const other = await createCreator(stack);
    expect(
      outcomeOf((await connectViaOAuth(stack, alice, other.open_id, { approve: false })).location).code,
    ).toBe('OAUTH_DENIED');
    const partial = await consent(stack, await startConnect(stack, alice), other.open_id, {
      scopes: ['user.info.basic'],
    });
    codes.push(partial.searchParams.get('code')!);
    expect(outcomeOf((await followCallback(partial)).location).code).toBe('OAUTH_SCOPES_MISSING');
    expect(outcomeOf((await followCallback(partial)).location).code).toBe('OAUTH_STATE_INVALID');

    // A dead authorization, then reconnection.
    await stack.sandbox.addFault({ endpoint: 'token', error_code: 'invalid_grant', open_id: openId });
    await expireAccessTokenLocally(stack, aliceAccount);
    const dead = await creatorInfoFromTikTok();
    expect((await dead.json()).code).toBe('ACCOUNT_RECONNECT_REQUIRED');
    const callback = await consent(stack, await startConnect(stack, alice), openId);
    codes.push(callback.searchParams.get('code')!);
    expect(outcomeOf((await followCallback(callback)).location).account).toBe(aliceAccount);

    // Bob connects and disconnects.
    const bobCreator = await createCreator(stack);
    const { accountId: bobAccount } = await connectViaOAuth(stack, bob, bobCreator.open_id);
    expect((await stack.call(`/tiktok/creator-info/${bobAccount}`, { token: bob })).status).toBe(200);
    expect(
      (await stack.call(`/social-accounts/${bobAccount}`, { method: 'DELETE', token: bob })).status,
    ).toBe(200);
    expect((await sandboxTokens(stack, bobCreator.open_id)).every((t) => t.state === 'revoked')).toBe(true);
  });

  it('every response carries an X-Request-Id, and every error body carries the same requestId', () => {
    expect(traffic.responses.length).toBeGreaterThan(40);
    for (const r of traffic.responses) {
      const id = /^x-request-id: (.+)$/m.exec(r.headers)?.[1];
      expect(id, `${r.method} ${r.url}`).toBeTruthy();
      if (r.status >= 400) {
        expect(JSON.parse(r.body), `${r.method} ${r.url}`).toMatchObject({
          statusCode: r.status,
          code: expect.any(String),
          requestId: id,
        });
      }
    }
  });

  it('no TikTok token, client secret, encryption key, OAuth code or bearer token appears in any response or log line', async () => {
    const creators = await stack.sandbox.creators();
    const tiktokTokens = (await Promise.all(creators.map((c) => sandboxTokens(stack, c.open_id))))
      .flat()
      .map((t) => t.token);
    expect(tiktokTokens.length).toBeGreaterThanOrEqual(12);
    expect(tiktokTokens.every((t) => /^(act|rft)\./.test(t))).toBe(true);
    const secrets = [
      ...tiktokTokens,
      config.tiktok.clientSecret,
      config.tokenEncryptionKey.toString('base64'),
      config.tokenEncryptionKey.toString('hex'),
      ...codes,
      alice,
      bob,
      // The signature alone would be enough to replay a bearer token.
      alice.split('.')[2]!,
      bob.split('.')[2]!,
    ];
    expect(codes.every((c) => c.length > 10)).toBe(true);

    const places = [
      ...traffic.responses.map((r) => ({ where: `${r.method} ${r.url}`, text: `${r.headers}\n${r.body}` })),
      ...stack.logs.map((line, i) => ({ where: `log line ${i}`, text: line })),
    ];
    expect(stack.logs.length).toBeGreaterThan(50);
    for (const { where, text } of places) {
      for (const secret of secrets) {
        if (text.includes(secret)) throw new Error(`${where} contains a secret (${secret.slice(0, 6)}…)`);
      }
      expect(text, where).not.toMatch(/\b(act|rft)\.[A-Za-z0-9]/);
    }
  });
});
