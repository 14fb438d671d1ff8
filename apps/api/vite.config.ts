/**
 * The API's production build: one ESM bundle, dist/main.js, run by plain Node (`npm run
 * build:api`, then `node apps/api/dist/main.js`). SWC compiles it because NestJS needs decorator
 * metadata, which esbuild cannot emit; the workspace packages it imports (contract,
 * local-postgres: TypeScript sources) are bundled in, npm dependencies stay in node_modules.
 */
import swc from 'unplugin-swc';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' }, jsc: { target: 'es2022' } })],
  logLevel: 'warn',
  build: {
    ssr: 'src/main.ts',
    outDir: 'dist',
    emptyOutDir: true,
    target: 'node20',
    sourcemap: true,
    rollupOptions: { output: { entryFileNames: 'main.js' } },
  },
});
