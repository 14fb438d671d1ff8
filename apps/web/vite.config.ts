import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { compression } from 'vite-plugin-compression2';

/**
 * Libraries that change rarely, each in its own long-cached file apart from the app's code. The
 * first three are what every visit runs (index.html preloads them); the others come only with
 * the code that uses them. Mantine is not among them: one file of all of it would be preloaded
 * whole, and the sign-in screen needs a fraction of it, so its parts go with the screens that use
 * them (README, "The first visit").
 */
const VENDOR_CHUNKS: Record<string, RegExp> = {
  react: /node_modules\/(react|react-dom|react-router|scheduler)\//,
  data: /node_modules\/(@tanstack|zod)\//,
  auth: /node_modules\/(oidc-client-ts|react-oidc-context|jwt-decode)\//,
  // Menus, popovers and tooltips of the signed-in screens.
  floating: /node_modules\/(@floating-ui|tabbable)\//,
  // With the first upload of a video from the device (lib/resumable-upload.ts).
  tus: /node_modules\/(tus-js-client|js-base64|url-parse|querystringify|requires-port)\//,
};

export default defineConfig({
  plugins: [
    react(),
    // Every text asset also as .gz and .br beside it, for a host to send whichever the browser
    // accepts (packages/dev-stack's web host does): compressed once here, not on each request.
    // At their best levels (gzip 9, brotli 11); files under 1 KiB are left as they are.
    compression({ algorithms: ['gzip', 'brotliCompress'], threshold: 1024 }),
  ],
  server: { port: 5173, strictPort: true },
  preview: { port: 5173, strictPort: true },
  build: {
    // Maps for reading a production stack trace, without a sourceMappingURL comment pointing
    // browsers at them: they stay beside the build, and hosts must not serve them (*.map).
    sourcemap: 'hidden',
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
