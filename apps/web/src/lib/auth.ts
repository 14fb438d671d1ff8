/**
 * Sign-in with OpenID Connect (authorization code + PKCE) through oidc-client-ts, against the
 * authority of the runtime config: the dev identity provider locally, Auth0 in production.
 */
import { UserManager, WebStorageStateStore, type UserManagerSettings } from 'oidc-client-ts';
import type { RuntimeConfig } from '../config/runtime-config.ts';

/** What we keep in the OIDC `state` across the round trip to the provider. */
export interface SignInState {
  /** Path + query + hash to come back to after signing in. */
  returnTo: string;
}

export const CALLBACK_PATH = '/callback';

export function userManagerSettings(config: RuntimeConfig, origin: string): UserManagerSettings {
  return {
    authority: config.authority,
    client_id: config.clientId,
    redirect_uri: `${origin}${CALLBACK_PATH}`,
    post_logout_redirect_uri: `${origin}/`,
    response_type: 'code',
    scope: config.scope,
    // Auth0 issues a JWT access token for our API only when asked for its audience.
    extraQueryParams: { audience: config.audience },
    // Renew before expiry with the refresh token (offline_access); no third-party cookies needed.
    automaticSilentRenew: true,
    // The provider's /userinfo refuses API-audience tokens (Auth0 too); the ID token has the profile.
    loadUserInfo: false,
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  };
}

export function createUserManager(config: RuntimeConfig, origin = window.location.origin): UserManager {
  return new UserManager(userManagerSettings(config, origin));
}

/** The state to send along so the callback returns to where the user was. */
export function currentScreenState(): SignInState {
  const { pathname, search, hash } = window.location;
  return { returnTo: pathname === CALLBACK_PATH ? '/' : `${pathname}${search}${hash}` };
}

/** The path to go to after the callback; only same-origin paths, never another site. */
export function returnPathFrom(state: unknown): string {
  const returnTo = (state as Partial<SignInState> | null | undefined)?.returnTo;
  return typeof returnTo === 'string' && returnTo.startsWith('/') && !returnTo.startsWith('//')
    ? returnTo
    : '/';
}
