import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Libraries that change rarely, each in its own long-cached file apart from the app's code. */
const VENDOR_CHUNKS: Record<string, RegExp> = {
  react: /node_modules\/(react|react-dom|react-router|scheduler)\//,
  ui: /node_modules\/(@mantine|@tabler)\//,
  data: /node_modules\/(@tanstack|zod)\//,
  auth: /node_modules\/(oidc-client-ts|react-oidc-context|jwt-decode)\//,
};

export default defineConfig({
  plugins: [react()],
  server: { port: 5173, strictPort: true },
  preview: { port: 5173, strictPort: true },
  build: {
    sourcemap: true,
    rollupOptions: {
      output: {
        manualChunks: (id) => Object.entries(VENDOR_CHUNKS).find(([, pattern]) => pattern.test(id))?.[0],
      },
    },
  },
});
