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
      // Comments in libraries that Rollup cannot place are theirs to fix, not ours to read.
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return;
        warn(warning);
      },
      output: {
        manualChunks: (id) => Object.entries(VENDOR_CHUNKS).find(([, pattern]) => pattern.test(id))?.[0],
      },
    },
  },
});
