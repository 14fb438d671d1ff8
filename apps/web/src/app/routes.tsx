import type { RouteObject } from 'react-router';
import { AccountsPage } from '../features/accounts/components/accounts-page.tsx';
import { HistoryPage } from '../features/history/components/history-page.tsx';
import { PublishPage } from '../features/publish/components/publish-page.tsx';
import { AppLayout } from './layout/app-layout.tsx';
import { HomeRedirect, NotFoundPage } from './layout/simple-pages.tsx';
import { RequireAuth } from './layout/require-auth.tsx';
import { SignInCallback } from './layout/sign-in-callback.tsx';

export const routes: RouteObject[] = [
  { path: '/callback', element: <SignInCallback /> },
  {
    element: (
      <RequireAuth>
        <AppLayout />
      </RequireAuth>
    ),
    children: [
      { index: true, element: <HomeRedirect /> },
      { path: 'publish', element: <PublishPage /> },
      { path: 'accounts', element: <AccountsPage /> },
      { path: 'history', element: <HistoryPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
