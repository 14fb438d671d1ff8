import { describe, expect, it } from 'vitest';
import { MemoryStore } from './adapter.ts';

describe('MemoryStore', () => {
  it('keeps far more than 1,000 records (the library adapter evicts past that)', async () => {
    const tokens = new MemoryStore().adapterFor('RefreshToken');
    for (let i = 0; i < 3000; i++) await tokens.upsert(`t${i}`, { grantId: `g${i}` }, 3600);
    expect(await tokens.find('t0')).toEqual({ grantId: 'g0' });
  });

  it('forgets records when they expire', async () => {
    const codes = new MemoryStore().adapterFor('AuthorizationCode');
    await codes.upsert('c', { accountId: 'a' }, -1);
    expect(await codes.find('c')).toBeUndefined();
  });

  it('revokes every token of a grant and nothing else', async () => {
    const store = new MemoryStore();
    const access = store.adapterFor('AccessToken');
    const refresh = store.adapterFor('RefreshToken');
    await access.upsert('a1', { grantId: 'g1' }, 60);
    await refresh.upsert('r1', { grantId: 'g1' }, 60);
    await refresh.upsert('r2', { grantId: 'g2' }, 60);
    await refresh.revokeByGrantId('g1');
    expect(await access.find('a1')).toBeUndefined();
    expect(await refresh.find('r1')).toBeUndefined();
    expect(await refresh.find('r2')).toEqual({ grantId: 'g2' });
  });

  it('finds sessions by uid, follows a changed uid, and marks consumed records', async () => {
    const store = new MemoryStore();
    const sessions = store.adapterFor('Session');
    await sessions.upsert('s1', { uid: 'u1' }, 60);
    expect(await sessions.findByUid('u1')).toEqual({ uid: 'u1' });
    await sessions.upsert('s1', { uid: 'u2' }, 60);
    expect(await sessions.findByUid('u1')).toBeUndefined();
    expect(await sessions.findByUid('u2')).toEqual({ uid: 'u2' });
    const codes = store.adapterFor('AuthorizationCode');
    await codes.upsert('c1', {}, 60);
    await codes.consume('c1');
    expect((await codes.find('c1'))?.consumed).toEqual(expect.any(Number));
  });

  it('keeps each store separate', async () => {
    await new MemoryStore().adapterFor('Session').upsert('s', { uid: 'u' }, 60);
    expect(await new MemoryStore().adapterFor('Session').find('s')).toBeUndefined();
  });
});
