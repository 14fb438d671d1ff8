/**
 * Renders the whole app, as main.tsx does, in the test's Chromium page against the real test
 * stack, at a given path, optionally with a signed-in user whose tokens came from a real sign-in
 * at the dev identity provider (stored where oidc-client-ts keeps its session).
 */
// main.tsx loads Mantine's styles; tests render without it, and screenshots need them.
import '@mantine/core/styles.css';
import { commands } from '@vitest/browser/context';
import { User } from 'oidc-client-ts';
import '../../test-stack/context.ts';
import { createMemoryRouter } from 'react-router';
import { inject } from 'vitest';
import { render } from 'vitest-browser-react';
import { App } from '../app/app.tsx';
import { routes } from '../app/routes.tsx';
import { parseRuntimeConfig, type RuntimeConfig } from '../config/runtime-config.ts';
import { createUserManager } from '../lib/auth.ts';
import { createQueryClient } from '../lib/query-client.ts';

export type TestSession = Awaited<ReturnType<typeof commands.signInFreshUser>>;

export function testConfig(): RuntimeConfig {
  const stack = inject('stack');
  return parseRuntimeConfig({
    apiBaseUrl: stack.apiUrl,
    authority: stack.authority,
    clientId: 'cliprelay-web',
    audience: 'cliprelay-api',
  });
}

/** A fresh dev user, really signed in; every test gets its own, so it starts with no data. */
export async function signInFreshUser(): Promise<TestSession> {
  return commands.signInFreshUser();
}

/** Puts the session where oidc-client-ts looks for it, as after a completed sign-in. */
export function storeSession(
  session: TestSession,
  overrides: { access_token?: string; expires_at?: number } = {},
): void {
  const config = testConfig();
  const payload = session.id_token.split('.')[1] ?? '';
  const profile = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as User['profile'];
  const user = new User({
    id_token: session.id_token,
    access_token: overrides.access_token ?? session.access_token,
    refresh_token: session.refresh_token,
    token_type: 'Bearer',
    scope: session.scope,
    profile,
    expires_at: overrides.expires_at ?? Math.floor(Date.now() / 1000) + session.expires_in,
  });
  sessionStorage.setItem(`oidc.user:${config.authority}:${config.clientId}`, user.toStorageString());
}

export interface RenderAppOptions {
  /** Signed in as this user (stored before rendering); signed out when omitted. */
  session?: TestSession;
}

export function renderApp(path: string, options: RenderAppOptions = {}) {
  sessionStorage.clear();
  if (options.session) storeSession(options.session);
  const config = testConfig();
  const userManager = createUserManager(config);
  const queryClient = createQueryClient();
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  /** URLs the app sent the browser to (TikTok's consent page), instead of leaving the test page. */
  const navigations: string[] = [];
  const screen = render(
    <App
      config={config}
      userManager={userManager}
      queryClient={queryClient}
      router={router}
      navigateAway={(url) => navigations.push(url)}
    />,
  );
  return { screen, router, userManager, queryClient, navigations, config };
}

/** Calls our API as the test user, for arranging data the way the app itself would. */
export async function apiAs<T>(session: TestSession, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${testConfig().apiBaseUrl}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${session.access_token}`,
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
  });
  const body = (await res.json()) as { data: T };
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body.data;
}
