/**
 * `npm run build:api`: the API's bundle, apps/api/dist/main.js (apps/api/vite.config.ts), which
 * `node apps/api/dist/main.js` runs. `--if-changed` (what `npm run start:api` does first) skips
 * the build when the sources are those the last build was made from.
 */
import { API_BUILD, needsBuild, runBuild } from '@cliprelay/test-kit/builds';

if (process.argv.includes('--if-changed') && !(await needsBuild(API_BUILD))) process.exit(0);
console.error('building the API (apps/api/dist)…');
await runBuild(API_BUILD);
