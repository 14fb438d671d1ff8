import { commands, page } from '@vitest/browser/context';
import { User, UserManager, type INavigator, type IWindow, type NavigateParams } from 'oidc-client-ts';
import { useEffect } from 'react';
import { createMemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { render } from 'vitest-browser-react';
import { App } from '../app/app.tsx';
import { ConfigErrorScreen } from '../app/config-error-screen.tsx';
import { routes } from '../app/routes.tsx';
import {
  RuntimeConfigError,
  loadRuntimeConfig,
  parseRuntimeConfig,
  type RuntimeConfig,
} from '../config/runtime-config.ts';
import { renderApp, signInFreshUser, storeSession, testConfig } from '../testing/render-app.tsx';
import type { ApiClient } from './api-client.ts';
import { ApiClientProvider, useApiClient } from './api-context.tsx';
import { ApiError } from './api-error.ts';
import {
  CALLBACK_PATH,
  createUserManager,
  currentScreenState,
  returnPathFrom,
  userManagerSettings,
} from './auth.ts';
import { createQueryClient } from './query-client.ts';

const EXPIRED = 'expired.invalid.token';

/** Where Vitest put this test page; tests that move the address bar put it back. */
const testPageUrl = window.location.href;

/**
 * Puts the browser's address bar at `path`, as the browser router keeps it in the real app (the
 * tests render with a memory router, and sign-in reads the screen to come back to from the address).
 */
function visit(path: string): void {
  window.history.replaceState(window.history.state, '', path);
}

afterEach(() => {
  window.history.replaceState(window.history.state, '', testPageUrl);
  vi.restoreAllMocks();
  // The sign-in requests' state (oidc-client-ts keeps it in localStorage until the callback).
  for (const key of Object.keys(localStorage)) if (key.startsWith('oidc.')) localStorage.removeItem(key);
});

/**
 * A redirect navigator that records where the browser would go instead of going there: a real
 * navigation of the test page would end the test run. Like a real redirect, it never comes back.
 */
function recordingNavigator(): { navigator: INavigator; urls: string[] } {
  const urls: string[] = [];
  const redirect: IWindow = {
    navigate: (params: NavigateParams) => {
      urls.push(params.url);
      return new Promise(() => {});
    },
    close: () => {},
  };
  return { navigator: { prepare: () => Promise.resolve(redirect), callback: () => Promise.resolve() }, urls };
}

/** The app with its own UserManager (one whose redirects are recorded), as main.tsx renders it. */
function renderAppWith(path: string, userManager: UserManager, config = testConfig()) {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const screen = render(
    <App
      config={config}
      userManager={userManager}
      queryClient={createQueryClient()}
      router={router}
      navigateAway={() => {}}
    />,
  );
  return { screen, router };
}

function ClientProbe({ onClient }: { onClient: (client: ApiClient) => void }) {
  const client = useApiClient();
  useEffect(() => onClient(client), [client, onClient]);
  return null;
}

/** The ApiClient the app's screens get, wired to `userManager`. */
function apiClientFor(userManager: UserManager): Promise<ApiClient> {
  return new Promise((resolve) => {
    render(
      <ApiClientProvider baseUrl={testConfig().apiBaseUrl} userManager={userManager}>
        <ClientProbe onClient={resolve} />
      </ApiClientProvider>,
    );
  });
}

/** The signed-in user as oidc-client-ts stored it. */
function storedUser(config: RuntimeConfig): User | null {
  const raw = sessionStorage.getItem(`oidc.user:${config.authority}:${config.clientId}`);
  return raw ? User.fromStorageString(raw) : null;
}

interface SeenRequest {
  url: string;
  method: string;
  authorization: string | null;
  body: string;
}

const urlOf = (input: RequestInfo | URL) => (input instanceof Request ? input.url : String(input));

/** Every fetch the page made while `spy` watched (the app and oidc-client-ts call fetch(url, init)). */
function seen(spy: MockInstance<typeof fetch>): SeenRequest[] {
  return spy.mock.calls.map(([input, init]) => ({
    url: urlOf(input),
    method: init?.method ?? 'GET',
    authorization: new Headers(init?.headers).get('authorization'),
    body: typeof init?.body === 'string' || init?.body instanceof URLSearchParams ? String(init.body) : '',
  }));
}

const tokenRequests = async (spy: MockInstance<typeof fetch>, userManager: UserManager) => {
  const endpoint = await userManager.metadataService.getTokenEndpoint();
  return seen(spy).filter((r) => r.url === endpoint && r.method === 'POST');
};

async function s256(verifier: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  return btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

const validConfig = {
  apiBaseUrl: 'https://api.cliprelay.example/',
  authority: 'https://cliprelay.eu.auth0.com/',
  clientId: 'spa-client',
  audience: 'https://api.cliprelay.example',
};

/** The error parseRuntimeConfig throws for `raw`. */
function configError(raw: unknown): RuntimeConfigError {
  try {
    parseRuntimeConfig(raw);
  } catch (error) {
    if (error instanceof RuntimeConfigError) return error;
    throw error;
  }
  throw new Error('The config was accepted');
}

describe('runtime config', () => {
  it('reads /config.json when the app starts, bypassing the cache, so replacing the file needs no rebuild', async () => {
    const fetchSpy = vi
      .spyOn(window, 'fetch')
      .mockResolvedValueOnce(Response.json(validConfig))
      .mockResolvedValueOnce(Response.json({ ...validConfig, authority: 'http://localhost:4020' }));

    const first = await loadRuntimeConfig();
    expect(first).toEqual({
      apiBaseUrl: 'https://api.cliprelay.example',
      authority: 'https://cliprelay.eu.auth0.com/',
      clientId: 'spa-client',
      audience: 'https://api.cliprelay.example',
      scope: 'openid profile email offline_access',
    });
    expect(Object.isFrozen(first)).toBe(true);
    expect(fetchSpy).toHaveBeenCalledWith('/config.json', { cache: 'no-store' });

    const second = await loadRuntimeConfig();
    expect(second.authority).toBe('http://localhost:4020');
  });

  it('signs in at the authority, with the client and audience, that the config names', () => {
    const config = parseRuntimeConfig(validConfig);
    const { settings } = createUserManager(config, 'https://app.cliprelay.example');
    expect(settings.authority).toBe('https://cliprelay.eu.auth0.com/');
    expect(settings.client_id).toBe('spa-client');
    expect(settings.redirect_uri).toBe(`https://app.cliprelay.example${CALLBACK_PATH}`);
    expect(settings.response_type).toBe('code');
    expect(settings.scope).toBe('openid profile email offline_access');
    expect(settings.extraQueryParams).toEqual({ audience: 'https://api.cliprelay.example' });
    expect(settings.automaticSilentRenew).toBe(true);

    const local = createUserManager(
      parseRuntimeConfig({ ...validConfig, authority: 'http://localhost:4020' }),
    );
    expect(local.settings.authority).toBe('http://localhost:4020');
    expect(local.settings.redirect_uri).toBe(`${window.location.origin}/callback`);
  });

  it('names every bad field of an invalid config', () => {
    const error = configError({
      apiBaseUrl: 'ftp://files.example',
      authority: 'not a url',
      clientId: '',
      extra: 1,
    });
    expect(error.problems).toEqual([
      'apiBaseUrl must be an http(s) URL',
      'authority must be an http(s) URL',
      'clientId must not be empty',
      'audience Invalid input: expected string, received undefined',
      '(root) Unrecognized key: "extra"',
    ]);
    expect(error.message).toBe(`config.json is not valid: ${error.problems.join('; ')}`);
  });

  it('says which config file could not be read, or that it is not JSON', async () => {
    vi.spyOn(window, 'fetch')
      .mockResolvedValueOnce(new Response('Not Found', { status: 404 }))
      .mockResolvedValueOnce(new Response('<!doctype html><p>index</p>', { status: 200 }));
    await expect(loadRuntimeConfig()).rejects.toThrow(
      'config.json is not valid: /config.json answered HTTP 404',
    );
    await expect(loadRuntimeConfig()).rejects.toThrow('config.json is not valid: /config.json is not JSON');
  });

  it('shows an invalid config to whoever runs the site, in plain words', async () => {
    const error = configError({ ...validConfig, authority: 'auth0' });
    render(<ConfigErrorScreen error={error} />);
    const alert = page.getByRole('alert');
    await expect.element(alert.getByText('Cliprelay could not start')).toBeVisible();
    await expect.element(alert.getByText(/configuration file could not be read/)).toBeVisible();
    await expect
      .element(alert.getByText('config.json is not valid: authority must be an http(s) URL'))
      .toBeVisible();
  });
});

describe('signing in', () => {
  it('Sign in sends a signed-out visitor to the provider with PKCE (S256), and the provider accepts the request', async () => {
    visit('/history?status=failed');
    sessionStorage.clear();
    const config = testConfig();
    const { navigator, urls } = recordingNavigator();
    const userManager = new UserManager(userManagerSettings(config, window.location.origin), navigator);
    renderAppWith('/history?status=failed', userManager, config);

    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => urls.length).toBe(1);
    const authorize = new URL(urls[0] ?? '');
    const discovery = await fetch(`${config.authority.replace(/\/$/, '')}/.well-known/openid-configuration`);
    const metadata = (await discovery.json()) as {
      authorization_endpoint: string;
      pushed_authorization_request_endpoint: string;
    };
    expect(`${authorize.origin}${authorize.pathname}`).toBe(metadata.authorization_endpoint);

    const params = authorize.searchParams;
    expect(params.get('response_type')).toBe('code');
    expect(params.get('client_id')).toBe(config.clientId);
    expect(params.get('redirect_uri')).toBe(`${window.location.origin}/callback`);
    expect(params.get('scope')?.split(' ')).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']),
    );
    expect(params.get('audience')).toBe(config.audience);
    expect(params.get('code_challenge_method')).toBe('S256');

    // The state names the screen to come back to, and keeps the verifier behind the challenge.
    const stateId = params.get('state') ?? '';
    const stored = JSON.parse(localStorage.getItem(`oidc.${stateId}`) ?? '{}') as {
      data?: unknown;
      code_verifier?: string;
    };
    expect(stored.data).toEqual({ returnTo: '/history?status=failed' });
    expect(params.get('code_challenge')).toBe(await s256(stored.code_verifier ?? ''));

    // The real provider accepts exactly these parameters (pushed to its PAR endpoint, which checks
    // them as /authorize does and, unlike /authorize, answers a script), and refuses them without PKCE.
    const push = (body: URLSearchParams) =>
      fetch(metadata.pushed_authorization_request_endpoint, { method: 'POST', body });
    const accepted = await push(params);
    expect(accepted.status, await accepted.clone().text()).toBe(201);
    expect(((await accepted.json()) as { request_uri?: string }).request_uri).toMatch(/^urn:/);

    const withoutPkce = new URLSearchParams(params);
    withoutPkce.delete('code_challenge');
    withoutPkce.delete('code_challenge_method');
    const refused = await push(withoutPkce);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error?: string }).error).toBe('invalid_request');
  });

  it('the state sent along names the current screen, never the callback', () => {
    visit('/publish?account=a1#video');
    expect(currentScreenState()).toEqual({ returnTo: '/publish?account=a1#video' });
    visit(`${CALLBACK_PATH}?code=abc&state=xyz`);
    expect(currentScreenState()).toEqual({ returnTo: '/' });
  });

  it('after the callback, goes back only to a path of this site', () => {
    expect(returnPathFrom({ returnTo: '/history?status=failed#top' })).toBe('/history?status=failed#top');
    expect(returnPathFrom({ returnTo: '/' })).toBe('/');
    for (const state of [
      undefined,
      null,
      'history',
      {},
      { returnTo: 42 },
      { returnTo: 'history' },
      { returnTo: 'https://evil.example/' },
      { returnTo: '//evil.example/path' },
    ]) {
      expect(returnPathFrom(state), JSON.stringify(state)).toBe('/');
    }
  });

  it('/callback exchanges the code with the verifier and returns to the screen the user was on', async () => {
    // The provider's login page may not be framed or scripted from this page, so the code cannot
    // come from a real login here: the token answer is the real one of a fresh dev user's sign-in,
    // and everything around it (state, verifier, storage, return) is the app's own.
    const session = await signInFreshUser();
    sessionStorage.clear();
    const config = testConfig();
    const { navigator, urls } = recordingNavigator();
    const userManager = new UserManager(userManagerSettings(config, window.location.origin), navigator);
    visit('/history?status=failed');
    void userManager.signinRedirect({ state: currentScreenState() });
    await expect.poll(() => urls.length).toBe(1);
    const stateId = new URL(urls[0] ?? '').searchParams.get('state') ?? '';
    const verifier = (
      JSON.parse(localStorage.getItem(`oidc.${stateId}`) ?? '{}') as { code_verifier?: string }
    ).code_verifier;

    const tokenEndpoint = await userManager.metadataService.getTokenEndpoint();
    const realFetch = window.fetch.bind(window);
    const fetchSpy = vi.spyOn(window, 'fetch').mockImplementation((input, init) =>
      urlOf(input) === tokenEndpoint
        ? Promise.resolve(
            Response.json({
              access_token: session.access_token,
              id_token: session.id_token,
              refresh_token: session.refresh_token,
              token_type: 'Bearer',
              expires_in: session.expires_in,
              scope: session.scope,
            }),
          )
        : realFetch(input, init),
    );

    // The provider sends the browser back to /callback with the code and the state.
    visit(`${CALLBACK_PATH}?code=the-code&state=${stateId}`);
    const { router } = renderAppWith(CALLBACK_PATH, userManager, config);

    await expect
      .poll(() => `${router.state.location.pathname}${router.state.location.search}`)
      .toBe('/history?status=failed');
    await expect
      .element(page.getByRole('button', { name: `Account menu for ${session.name}` }))
      .toBeVisible();
    const [exchange] = await tokenRequests(fetchSpy, userManager);
    const form = new URLSearchParams(exchange?.body);
    expect(Object.fromEntries(form)).toMatchObject({
      grant_type: 'authorization_code',
      code: 'the-code',
      code_verifier: verifier,
      redirect_uri: `${window.location.origin}/callback`,
      client_id: config.clientId,
    });
    expect(storedUser(config)?.access_token).toBe(session.access_token);
    // The used state is gone: the same callback cannot be replayed.
    expect(localStorage.getItem(`oidc.${stateId}`)).toBeNull();
  });

  it('/callback with a code the provider refuses says sign-in did not complete', async () => {
    sessionStorage.clear();
    const config = testConfig();
    const { navigator, urls } = recordingNavigator();
    const userManager = new UserManager(userManagerSettings(config, window.location.origin), navigator);
    void userManager.signinRedirect({ state: { returnTo: '/accounts' } });
    await expect.poll(() => urls.length).toBe(1);
    const stateId = new URL(urls[0] ?? '').searchParams.get('state') ?? '';

    visit(`${CALLBACK_PATH}?code=not-a-real-code&state=${stateId}`);
    renderAppWith(CALLBACK_PATH, userManager, config);
    const alert = page.getByRole('alert').filter({ hasText: 'Sign-in did not complete' });
    await expect.element(alert).toBeVisible();
    await expect.element(alert.getByRole('link', { name: 'Back to the start' })).toHaveAttribute('href', '/');
    expect(storedUser(config)).toBeNull();
  });
});

describe('the bearer token and a 401', () => {
  it('sends the bearer token, and on a 401 renews once with the refresh token and retries with the new one', async () => {
    const session = await signInFreshUser();
    await commands.connectTikTokAccount(session.access_token, {
      nickname: 'Rae Renews',
      username: 'rae.renews',
    });
    const fetchSpy = vi.spyOn(window, 'fetch');
    const { userManager, config } = renderApp('/accounts', {
      session: { ...session, access_token: EXPIRED },
    });
    const signinSilent = vi.spyOn(userManager, 'signinSilent');
    const signinRedirect = vi.spyOn(userManager, 'signinRedirect').mockResolvedValue();

    await expect.element(page.getByRole('heading', { name: 'Rae Renews' })).toBeVisible();

    const renewed = storedUser(config);
    expect(renewed?.access_token).toBeTruthy();
    expect(renewed?.access_token).not.toBe(EXPIRED);
    expect(renewed?.refresh_token).not.toBe(session.refresh_token);
    const listCalls = seen(fetchSpy).filter((r) => r.url === `${config.apiBaseUrl}/social-accounts`);
    expect(listCalls.map((r) => r.authorization)).toEqual([
      `Bearer ${EXPIRED}`,
      `Bearer ${renewed?.access_token}`,
    ]);
    expect(signinSilent).toHaveBeenCalledTimes(1);
    const refreshes = await tokenRequests(fetchSpy, userManager);
    expect(refreshes.map((r) => new URLSearchParams(r.body).get('grant_type'))).toEqual(['refresh_token']);
    expect(signinRedirect).not.toHaveBeenCalled();

    // The renewed token is a real one: the API takes it.
    const res = await fetch(`${config.apiBaseUrl}/social-accounts`, {
      headers: { authorization: `Bearer ${renewed?.access_token}` },
    });
    expect(res.status).toBe(200);
  });

  it('several calls refused at once share one renewal, and all of them succeed', async () => {
    const session = await signInFreshUser();
    sessionStorage.clear();
    storeSession(session, { access_token: EXPIRED });
    const config = testConfig();
    const userManager = createUserManager(config);
    const signinSilent = vi.spyOn(userManager, 'signinSilent');
    const signinRedirect = vi.spyOn(userManager, 'signinRedirect').mockResolvedValue();
    const fetchSpy = vi.spyOn(window, 'fetch');
    const api = await apiClientFor(userManager);

    const [accounts, posts, media] = await Promise.all([
      api.get<unknown[]>('/social-accounts'),
      api.get<unknown[]>('/tiktok/posts?limit=20'),
      api.get<unknown[]>('/media'),
    ]);
    expect([accounts, posts, media]).toEqual([[], [], []]);
    expect(signinSilent).toHaveBeenCalledTimes(1);
    expect(await tokenRequests(fetchSpy, userManager)).toHaveLength(1);
    expect(signinRedirect).not.toHaveBeenCalled();
  });

  it('an upload carries the bearer token too, and is renewed and resent once on a 401', async () => {
    const session = await signInFreshUser();
    sessionStorage.clear();
    storeSession(session, { access_token: EXPIRED });
    const userManager = createUserManager(testConfig());
    const signinSilent = vi.spyOn(userManager, 'signinSilent');
    const signinRedirect = vi.spyOn(userManager, 'signinRedirect').mockResolvedValue();
    const api = await apiClientFor(userManager);

    // No file: once the API knows who is asking, it answers that the form is incomplete.
    const error = await api
      .upload('/tiktok/publish/upload/00000000-0000-4000-8000-000000000000', new FormData())
      .then(
        () => null,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', message: 'file is required' });
    expect(signinSilent).toHaveBeenCalledTimes(1);
    expect(signinRedirect).not.toHaveBeenCalled();
  });

  it('when renewal fails too, signs in once and comes back to the same screen', async () => {
    const session = await signInFreshUser();
    visit('/history?status=failed');
    const fetchSpy = vi.spyOn(window, 'fetch');
    const { userManager } = renderApp('/history?status=failed', {
      session: { ...session, access_token: EXPIRED, refresh_token: 'bad' },
    });
    const signinSilent = vi.spyOn(userManager, 'signinSilent');
    // Never the real redirect: it would take the test page away.
    const signinRedirect = vi.spyOn(userManager, 'signinRedirect').mockResolvedValue();

    await expect.poll(() => signinRedirect.mock.calls.length).toBe(1);
    expect(signinRedirect).toHaveBeenCalledWith({ state: { returnTo: '/history?status=failed' } });
    expect(signinSilent).toHaveBeenCalledTimes(1);
    const refreshes = await tokenRequests(fetchSpy, userManager);
    expect(refreshes).toHaveLength(1);
    expect(new URLSearchParams(refreshes[0]?.body).get('refresh_token')).toBe('bad');
    // No retry without a new token, and no second round.
    const config = testConfig();
    const postCalls = seen(fetchSpy).filter((r) => r.url.startsWith(`${config.apiBaseUrl}/tiktok/posts`));
    expect(postCalls.map((r) => r.authorization)).toEqual([`Bearer ${EXPIRED}`]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(signinRedirect).toHaveBeenCalledTimes(1);
    expect(signinSilent).toHaveBeenCalledTimes(1);
  });
});
