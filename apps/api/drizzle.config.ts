import { defineConfig } from 'drizzle-kit';

// `npx drizzle-kit generate --config apps/api/drizzle.config.ts` writes a new SQL migration after a
// schema change; the migrations are committed and applied by the API at boot.
export default defineConfig({
  dialect: 'postgresql',
  schema: './apps/api/src/db/schema.ts',
  out: './apps/api/drizzle',
});
