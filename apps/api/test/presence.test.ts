import { afterEach, describe, expect, it } from 'vitest';
import { announcePresence, type Presence } from '../src/db/presence.ts';
import { postgresAdminUrl } from './support/stack.ts';

/**
 * A post's status job runs under `whileLocked` (post-follower.ts): one run per post at a time
 * across processes, and a process that dies must not keep the lock. Two presences stand for two
 * processes: each holds its own connection.
 */
describe('locks held on the presence connection', () => {
  const opened: Presence[] = [];
  const process = async () => {
    const presence = await announcePresence(postgresAdminUrl(), () => undefined);
    opened.push(presence);
    return presence;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((p) => p.close()));
  });

  it('one holder at a time, in this process or another; let go when the work ends, even by throwing', async () => {
    const [a, b] = [await process(), await process()];
    const inside = await a.whileLocked('post-1', async () => ({
      otherProcess: await b.whileLocked('post-1', () => Promise.resolve('ran')),
      sameProcess: await a.whileLocked('post-1', () => Promise.resolve('ran')),
      otherKey: await b.whileLocked('post-2', () => Promise.resolve('ran')),
    }));
    expect(inside).toEqual({
      ran: true,
      value: {
        otherProcess: { ran: false },
        sameProcess: { ran: false },
        otherKey: { ran: true, value: 'ran' },
      },
    });
    expect(await b.whileLocked('post-1', () => Promise.resolve('after'))).toEqual({
      ran: true,
      value: 'after',
    });

    await expect(
      a.whileLocked('post-1', () => Promise.reject(new Error('the status call failed'))),
    ).rejects.toThrow('the status call failed');
    expect(await b.whileLocked('post-1', () => Promise.resolve('after a throw'))).toEqual({
      ran: true,
      value: 'after a throw',
    });
  });

  it('a process whose connection ends (it died) no longer holds the lock', async () => {
    const [a, b] = [await process(), await process()];
    let finish: () => void = () => undefined;
    let entered: () => void = () => undefined;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const held = a.whileLocked('post-3', () => {
      entered();
      return new Promise<void>((resolve) => (finish = resolve));
    });
    // Only once a holds the lock: probing earlier could take it first and make a's attempt fail.
    await inside;
    expect(await b.whileLocked('post-3', () => Promise.resolve('ran'))).toEqual({ ran: false });
    await a.close();
    expect(await b.whileLocked('post-3', () => Promise.resolve('taken over'))).toEqual({
      ran: true,
      value: 'taken over',
    });
    finish();
    await held;
  });
});
