import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './support/stack.ts';
import { connectedAccount } from './support/tiktok.ts';

describe('smoke', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());

  it('health answers with the database up', async () => {
    const res = await stack.call('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, data: { status: 'ok', database: 'up' } });
  });

  it('connects an account and reads creator info', async () => {
    const { token, accountId } = await connectedAccount(stack, 'dev|alice', { nickname: 'Alice Cats' });
    const list = await stack.call('/social-accounts', { token });
    expect(list.status).toBe(200);
    const info = await stack.call(`/tiktok/creator-info/${accountId}`, { token });
    const body = await info.json();
    expect(info.status, JSON.stringify(body)).toBe(200);
    expect(body.data.creator_nickname).toBe('Alice Cats');
  });
});
