import { lazy, Suspense, type ComponentType, type LazyExoticComponent } from 'react';
import { useMatches, type RouteObject } from 'react-router';
import { FullPageLoader, HomeRedirect, NotFoundPage } from './layout/simple-pages.tsx';
import { RequireAuth } from './layout/require-auth.tsx';
import { SignInCallback } from './layout/sign-in-callback.tsx';

/**
 * Code fetched the first time it is shown, not with index.html: a signed-out visitor downloads
 * none of the signed-in frame and its screens, a signed-in one only the screen in front of them.
 * Moving between screens keeps the current one until the next has loaded (the router's updates
 * are transitions).
 */
function lazyNamed<Name extends string>(
  load: () => Promise<Record<Name, ComponentType>>,
  name: Name,
): LazyExoticComponent<ComponentType> & { preload: () => void } {
  const component = lazy(async (): Promise<{ default: ComponentType }> => ({
    default: (await load())[name],
  }));
  // Fetches the module ahead; the component's own import then finds it loaded (or loading).
  const preload = () => {
    load().catch(() => undefined);
  };
  return Object.assign(component, { preload });
}

const AppLayout = lazyNamed(() => import('./layout/app-layout.tsx'), 'AppLayout');
const PublishPage = lazyNamed(() => import('../features/publish/components/publish-page.tsx'), 'PublishPage');
const AccountsPage = lazyNamed(
  () => import('../features/accounts/components/accounts-page.tsx'),
  'AccountsPage',
);
const HistoryPage = lazyNamed(() => import('../features/history/components/history-page.tsx'), 'HistoryPage');

/** A route's screen, fetched along with the frame on the first signed-in render. */
interface ScreenHandle {
  screen: { preload: () => void };
}

/**
 * The signed-in frame. Its code and the matched screen's are requested together, not one after
 * the other; until the frame is here, the same loader as while the session was read.
 */
function SignedInApp() {
  for (const match of useMatches()) (match.handle as ScreenHandle | undefined)?.screen.preload();
  return (
    <Suspense fallback={<FullPageLoader label="Loading Cliprelay" />}>
      <AppLayout />
    </Suspense>
  );
}

export const routes: RouteObject[] = [
  { path: '/callback', element: <SignInCallback /> },
  {
    element: (
      <RequireAuth>
        <SignedInApp />
      </RequireAuth>
    ),
    children: [
      { index: true, element: <HomeRedirect /> },
      { path: 'publish', element: <PublishPage />, handle: { screen: PublishPage } satisfies ScreenHandle },
      {
        path: 'accounts',
        element: <AccountsPage />,
        handle: { screen: AccountsPage } satisfies ScreenHandle,
      },
      { path: 'history', element: <HistoryPage />, handle: { screen: HistoryPage } satisfies ScreenHandle },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
