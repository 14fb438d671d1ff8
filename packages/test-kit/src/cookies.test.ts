import { describe, expect, it } from 'vitest';
import { CookieJar } from './cookies.ts';

const answer = (...setCookie: string[]) => {
  const headers = new Headers();
  for (const value of setCookie) headers.append('set-cookie', value);
  return new Response(null, { status: 204, headers });
};

describe('CookieJar', () => {
  it('sends a cookie back only to its host and under its path', () => {
    const jar = new CookieJar();
    jar.store('http://localhost:4000/tiktok/connect', answer('n=v; Path=/tiktok/oauth/callback; HttpOnly'));
    expect(jar.header('http://localhost:4000/tiktok/oauth/callback?state=s')).toBe('n=v');
    expect(jar.header('http://localhost:5173/tiktok/oauth/callback')).toBe('n=v'); // ports do not matter
    expect(jar.header('http://localhost:4000/tiktok/connect')).toBeUndefined();
    expect(jar.header('http://localhost:4000/tiktok/oauth/callbackx')).toBeUndefined();
    expect(jar.header('http://127.0.0.1:4000/tiktok/oauth/callback')).toBeUndefined();
  });

  it('replaces a cookie of the same name and path, and forgets an expired one', () => {
    const jar = new CookieJar();
    jar.store('http://h/a', answer('n=1; Path=/'));
    jar.store('http://h/a', answer('n=2; Path=/'));
    expect(jar.header('http://h/')).toBe('n=2');
    jar.store('http://h/a', answer('n=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT'));
    expect(jar.header('http://h/')).toBeUndefined();
    jar.store('http://h/a', answer('m=1; Path=/; Max-Age=0'));
    expect(jar.header('http://h/')).toBeUndefined();
  });

  it('sends a Secure cookie over https only', () => {
    const jar = new CookieJar();
    jar.store('https://h/', answer('s=1; Path=/; Secure'));
    expect(jar.header('http://h/')).toBeUndefined();
    expect(jar.header('https://h/')).toBe('s=1');
  });
});
