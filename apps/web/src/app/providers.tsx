/** Everything the screens rely on: theme, sign-in, the API client, the query cache. */
import { MantineProvider } from '@mantine/core';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import type { UserManager } from 'oidc-client-ts';
import type { ReactNode } from 'react';
import { AuthProvider } from 'react-oidc-context';
import type { RuntimeConfig } from '../config/runtime-config.ts';
import { ApiClientProvider } from '../lib/api-context.tsx';
import { NavigateAwayProvider, type NavigateAway } from '../lib/external-navigation.tsx';
import { theme } from './theme.ts';

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
    <MantineProvider theme={theme} defaultColorScheme="light">
      <AuthProvider userManager={userManager}>
        <ApiClientProvider baseUrl={config.apiBaseUrl} userManager={userManager}>
          <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
        </ApiClientProvider>
      </AuthProvider>
    </MantineProvider>
  );
  return navigateAway ? <NavigateAwayProvider value={navigateAway}>{tree}</NavigateAwayProvider> : tree;
}
