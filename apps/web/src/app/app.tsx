import { RouterProvider, type createBrowserRouter } from 'react-router';
import { AppProviders, type AppProvidersProps } from './providers.tsx';

export type AppRouter = ReturnType<typeof createBrowserRouter>;

export function App({ router, ...providers }: Omit<AppProvidersProps, 'children'> & { router: AppRouter }) {
  return (
    <AppProviders {...providers}>
      <RouterProvider router={router} />
    </AppProviders>
  );
}
