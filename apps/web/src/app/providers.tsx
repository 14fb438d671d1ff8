/** Everything the screens rely on: theme, sign-in, the API client, the query cache. */
import { MantineProvider, localStorageColorSchemeManager } from '@mantine/core';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import type { UserManager } from 'oidc-client-ts';
import type { ReactNode } from 'react';
import { AuthProvider } from 'react-oidc-context';
import type { RuntimeConfig } from '../config/runtime-config.ts';
import { ApiClientProvider } from '../lib/api-context.tsx';
import { NavigateAwayProvider, type NavigateAway } from '../lib/external-navigation.tsx';
import { theme } from './theme.ts';

/** Light or dark as the system says, until the user picks one with the header's toggle (kept here). */
export const COLOR_SCHEME_KEY = 'cliprelay-color-scheme';
const colorSchemeManager = localStorageColorSchemeManager({ key: COLOR_SCHEME_KEY });

export interface AppProvidersProps {
  config: RuntimeConfig;
  userManager: UserManager;
  queryClient: QueryClient;
  navigateAway?: NavigateAway;
  children: ReactNode;
}

export function AppProviders({
  config,
  userManager,
  queryClient,
  navigateAway,
  children,
}: AppProvidersProps) {
  const tree = (
    <MantineProvider theme={theme} defaultColorScheme="auto" colorSchemeManager={colorSchemeManager}>
      <AuthProvider userManager={userManager}>
        <ApiClientProvider baseUrl={config.apiBaseUrl} userManager={userManager}>
          <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
        </ApiClientProvider>
      </AuthProvider>
    </MantineProvider>
  );
  return navigateAway ? <NavigateAwayProvider value={navigateAway}>{tree}</NavigateAwayProvider> : tree;
}
