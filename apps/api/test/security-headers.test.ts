/**
 * The headers every API answer carries (common/security-headers.ts): no sniffing, no framing, no
 * Referer, a CSP that loads nothing, `Cache-Control: no-store`, and HSTS only over https.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './support/stack.ts';

describe('security headers', () => {
  let stack: Stack;
  let token: string;

  beforeAll(async () => {
    stack = await startStack();
    token = await stack.tokenFor('dev|alice');
  });
  afterAll(async () => {
    await stack?.close();
  });

  function expectLockedDown(res: Response): void {
    expect({
      nosniff: res.headers.get('x-content-type-options'),
      frameOptions: res.headers.get('x-frame-options'),
      referrer: res.headers.get('referrer-policy'),
      cache: res.headers.get('cache-control'),
      poweredBy: res.headers.get('x-powered-by'),
    }).toEqual({
      nosniff: 'nosniff',
      frameOptions: 'DENY',
      referrer: 'no-referrer',
      cache: 'no-store',
      poweredBy: null,
    });
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
  }

  it('answers JSON with nosniff, no framing, no Referer, a CSP that loads nothing and no-store', async () => {
    const res = await stack.call('/social-accounts', { token });
    expect(res.status).toBe(200);
    expectLockedDown(res);
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
  });

  it('puts the same headers on errors and on public routes', async () => {
    const unauthorized = await stack.call('/social-accounts');
    expect(unauthorized.status).toBe(401);
    expectLockedDown(unauthorized);
    const missing = await stack.call('/no-such-route', { token });
    expect(missing.status).toBe(404);
    expectLockedDown(missing);
    const health = await stack.call('/health');
    expect(health.status).toBe(200);
    expectLockedDown(health);
  });

  it('sends no HSTS over plain http', async () => {
    const res = await stack.call('/health');
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });

  it('sends HSTS when a trusted proxy (loopback) says the request came over https', async () => {
    const res = await stack.call('/health', { headers: { 'x-forwarded-proto': 'https' } });
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expectLockedDown(res);
  });

  it('lets the OpenAPI page load Swagger UI from its own origin, still unframeable', async () => {
    const res = await stack.call('/docs');
    expect(res.status).toBe(200);
    await res.text();
    expectLockedDown(res);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).not.toContain("'unsafe-eval'");
  });
});
