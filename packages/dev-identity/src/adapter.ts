/**
 * oidc-provider's storage (sessions, interactions, grants, codes, refresh tokens), in memory and
 * private to one running provider. The library's own memory adapter shares one store across every
 * provider in the process and evicts past 1,000 entries, which a long dev session or a big test
 * suite reaches; this one keeps everything until it expires.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

/** Models whose records belong to a grant and die with it (revokeByGrantId). */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

export class MemoryStore {
  readonly #entries = new Map<string, Entry>();
  readonly #grants = new Map<string, Set<string>>();
  readonly #sessionUids = new Map<string, string>();
  readonly #userCodes = new Map<string, string>();
  #writes = 0;

  adapterFor = (model: string): Adapter => {
    const key = (id: string): string => `${model}:${id}`;
    return {
      upsert: (id, payload, expiresIn) => {
        const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity;
        const previous = this.#entries.get(key(id));
        if (previous) this.#unindex(key(id), previous.payload);
        this.#entries.set(key(id), { payload, expiresAt });
        if (model === 'Session' && typeof payload.uid === 'string') this.#sessionUids.set(payload.uid, id);
        if (typeof payload.userCode === 'string') this.#userCodes.set(payload.userCode, id);
        if (GRANTABLE.has(model) && typeof payload.grantId === 'string') {
          const members = this.#grants.get(payload.grantId) ?? new Set<string>();
          members.add(key(id));
          this.#grants.set(payload.grantId, members);
        }
        if (++this.#writes % 500 === 0) this.#sweep();
        return Promise.resolve();
      },
      find: (id) => Promise.resolve(this.#get(key(id))),
      findByUid: (uid) => {
        const id = this.#sessionUids.get(uid);
        return Promise.resolve(id === undefined ? undefined : this.#get(key(id)));
      },
      findByUserCode: (userCode) => {
        const id = this.#userCodes.get(userCode);
        return Promise.resolve(id === undefined ? undefined : this.#get(key(id)));
      },
      consume: (id) => {
        const entry = this.#get(key(id));
        if (entry) entry.consumed = Math.floor(Date.now() / 1000);
        return Promise.resolve();
      },
      destroy: (id) => {
        this.#delete(key(id));
        return Promise.resolve();
      },
      revokeByGrantId: (grantId) => {
        for (const member of this.#grants.get(grantId) ?? []) this.#delete(member);
        this.#grants.delete(grantId);
        return Promise.resolve();
      },
    };
  };

  #get(key: string): AdapterPayload | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.#delete(key);
      return undefined;
    }
    return entry.payload;
  }

  #delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#unindex(key, entry.payload);
  }

  #unindex(key: string, payload: AdapterPayload): void {
    const id = key.slice(key.indexOf(':') + 1);
    const { uid, userCode, grantId } = payload;
    if (typeof uid === 'string' && this.#sessionUids.get(uid) === id) this.#sessionUids.delete(uid);
    if (typeof userCode === 'string' && this.#userCodes.get(userCode) === id)
      this.#userCodes.delete(userCode);
    if (typeof grantId === 'string') this.#grants.get(grantId)?.delete(key);
  }

  /** Drops expired records now and then, so a long-running server does not grow without bound. */
  #sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#delete(key);
    for (const [grantId, members] of this.#grants) if (members.size === 0) this.#grants.delete(grantId);
  }
}
