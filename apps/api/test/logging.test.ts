import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './support/stack.ts';

describe('structured logs', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());

  const lines = () => stack.logs.map((l) => JSON.parse(l) as Record<string, unknown>);

  it("tags a service's log line with the request id the caller sent", async () => {
    const requestId = 'support-ticket-4711';
    const res = await stack.call('/tiktok/oauth/callback?state=forged-state&code=abc', {
      headers: { 'x-request-id': requestId },
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('x-request-id')).toBe(requestId);
    const refused = lines().find((l) => l.msg === 'tiktok connect refused' && l.requestId === requestId);
    expect(refused).toMatchObject({ code: 'OAUTH_STATE_INVALID', level: 40 });
    const completed = lines().find((l) => l.msg === 'request completed' && (l.req as any)?.id === requestId);
    expect(completed).toMatchObject({
      res: { statusCode: 302 },
      req: { method: 'GET', path: '/tiktok/oauth/callback' },
    });
  });

  it('invents a request id when the caller sends none or a malformed one', async () => {
    const res = await stack.call('/health', { headers: { 'x-request-id': 'bad id with spaces' } });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never logs query strings (an OAuth code stays out of the logs)', async () => {
    await stack.call('/tiktok/oauth/callback?state=s&code=oauth-code-that-must-not-leak');
    expect(stack.logs.join('\n')).not.toContain('oauth-code-that-must-not-leak');
  });
});
