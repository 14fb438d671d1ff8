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
  const client = useMemo(
    () =>
      createApiClient(baseUrl, {
        accessToken: async () => (await userManager.getUser())?.access_token ?? null,
        renew: async () => {
          try {
            return (await userManager.signinSilent())?.access_token ?? null;
          } catch {
            return null;
          }
        },
        signIn: () => userManager.signinRedirect({ state: currentScreenState() }),
      }),
    [baseUrl, userManager],
  );
  return <ApiClientContext.Provider value={client}>{children}</ApiClientContext.Provider>;
}

export function useApiClient(): ApiClient {
  const client = useContext(ApiClientContext);
  if (!client) throw new Error('useApiClient must be used inside <ApiClientProvider>');
  return client;
}
