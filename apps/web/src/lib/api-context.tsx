/**
 * Provides the ApiClient to the tree, wired to the signed-in user through oidc-client-ts's
 * UserManager (the one react-oidc-context's AuthProvider also listens to): the access token on
 * every call, silent renewal on a 401, then a sign-in back to the same screen.
 */
import type { UserManager } from 'oidc-client-ts';
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { createApiClient, type ApiClient } from './api-client.ts';
import { currentScreenState } from './auth.ts';

const ApiClientContext = createContext<ApiClient | null>(null);

export function ApiClientProvider({
  baseUrl,
  userManager,
  children,
}: {
  baseUrl: string;
  userManager: UserManager;
  children: ReactNode;
}) {
  const client = useMemo(() => {
    // One renewal at a time: calls refused together share it. The provider rotates refresh
    // tokens, so a second renewal with the same refresh token is refused (and ends the session).
    let renewing: Promise<string | null> | null = null;
    const renew = () =>
      (renewing ??= userManager
        .signinSilent()
        .then(
          (user) => user?.access_token ?? null,
          () => null,
        )
        .finally(() => {
          renewing = null;
        }));
    return createApiClient(baseUrl, {
      accessToken: async () => (await userManager.getUser())?.access_token ?? null,
      renew,
      signIn: () => userManager.signinRedirect({ state: currentScreenState() }),
    });
  }, [baseUrl, userManager]);
  return <ApiClientContext.Provider value={client}>{children}</ApiClientContext.Provider>;
}

export function useApiClient(): ApiClient {
  const client = useContext(ApiClientContext);
  if (!client) throw new Error('useApiClient must be used inside <ApiClientProvider>');
  return client;
}
