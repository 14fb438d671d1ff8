// First: before any module builds a zod schema.
import '../lib/zod-jitless.ts';
import '@mantine/core/styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter } from 'react-router';
import { loadRuntimeConfig } from '../config/runtime-config.ts';
import { createUserManager } from '../lib/auth.ts';
import { createQueryClient } from '../lib/query-client.ts';
import { App } from './app.tsx';
import { ConfigErrorScreen } from './config-error-screen.tsx';
import { routes } from './routes.tsx';

const root = createRoot(document.getElementById('root') as HTMLElement);

loadRuntimeConfig().then(
  (config) => {
    root.render(
      <StrictMode>
        <App
          config={config}
          userManager={createUserManager(config)}
          queryClient={createQueryClient()}
          router={createBrowserRouter(routes)}
        />
      </StrictMode>,
    );
  },
  (error: unknown) => {
    root.render(<ConfigErrorScreen error={error} />);
  },
);
